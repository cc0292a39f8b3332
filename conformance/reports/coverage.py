"""The spec coverage as an HTML fragment: the figure per vendor and every exclusion with its reason.

Self-contained (no script, no external resource), every text escaped; it reads
``conformance.spec.statements`` and nothing of a run, so it can stand in any report.
"""

from __future__ import annotations

from html import escape

from conformance.spec import statements


def coverage_html(vendors: list[str]) -> str:
    """``<section id='spec-coverage'>``: a table of figures, then each vendor's exclusions grouped by reason."""
    figures = [statements.figure(vendor) for vendor in vendors]
    rows = "".join(
        f"<tr><td>{escape(f.vendor)}</td><td>{f.total}</td><td>{f.covered}</td><td>{f.excluded}</td>"
        f"<td class='{'o-passed' if f.complete else 'o-failed'}'>{f.percent:.1f}%</td></tr>"
        for f in figures)
    parts = [
        "<section id='spec-coverage'><h3>Spec coverage</h3>",
        "<p>Every statement of each vendor document (table row, list item, sentence, sample) is covered by "
        "requirements or excluded with a reason (<code>schemas/&lt;vendor&gt;/coverage.yaml</code>).</p>",
        "<table><tr><th>vendor</th><th>statements</th><th>covered by requirements</th><th>excluded</th>"
        f"<th>accounted for</th></tr>{rows}</table>",
    ]
    for f in figures:
        texts = {s.key: s.text for s in statements.statements(f.vendor)}
        parts.append(f"<details class='coverage-vendor'><summary>{escape(f.vendor)}: {escape(f.line())}</summary>")
        if f.problems:
            parts.append("<p><b>Unaccounted for:</b></p><ul>"
                         + "".join(f"<li class='o-failed'>{escape(p)}</li>" for p in f.problems) + "</ul>")
        for reason, keys in sorted(f.exclusions.items(), key=lambda item: (-len(item[1]), item[0])):
            items = "".join(f"<li><code>{escape(k)}</code> — {escape(texts.get(k, ''))}</li>" for k in keys)
            parts.append(f"<p><b>Excluded ({len(keys)}):</b> {escape(reason)}</p><ul>{items}</ul>")
        parts.append("</details>")
    parts.append("</section>")
    return "".join(parts)
