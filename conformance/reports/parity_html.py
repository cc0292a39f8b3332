"""The HTML report of a parity run: the matrix of requirements by targets, differences highlighted.

One self-contained page. Each cell shows the target's outcome and its normalized observation; each
row its mark. With a reference, a cell that differs from the reference's is outlined in red (in a
dashed outline when the baseline accepts the difference), so that a reader sees at a glance where a
mock parts from the recording it is held to. Each target's own full report is one link away.
"""

from __future__ import annotations

import json
from html import escape

from conformance.parity.matrix import Cell, counts
from conformance.reports.html import CSS, EXIT_MEANING, page
from conformance.reports.parity import Parity
from conformance.results import Verdict

PARITY_CSS = """
#conformance td.cell{font-size:12px;max-width:22em}
#conformance td.cell code{white-space:pre-wrap;word-break:break-all}
#conformance td.differs{outline:3px solid #c00;outline-offset:-3px}
#conformance td.accepted{outline:2px dashed #a0a;outline-offset:-3px}
#conformance tr.m-same td.mark{color:#555}
#conformance tr.m-differs td.mark,#conformance tr.m-only td.mark{font-weight:bold;color:#900}
"""
_ROW_CLASS = {"same everywhere": "m-same", "differs": "m-differs", "only this target fails": "m-only"}
_ORDER = {"only this target fails": 0, "differs": 1, "same everywhere": 2}


def _cell(name: str, cell: Cell) -> str:
    classes = ["cell", f"o-{'expected' if cell.known_deviation else cell.outcome.replace(' ', '-')}"]
    if cell.differs_from_reference:
        classes.append("accepted" if cell.accepted else "differs")
    title = cell.accepted or cell.baseline_note
    observation = "" if cell.observation is None else \
        f"<br><code>{escape(json.dumps(cell.observation, ensure_ascii=False, sort_keys=True))}</code>"
    return (f"<td class='{' '.join(classes)}' data-target='{escape(name)}' "
            f"data-differs='{str(bool(cell.differs_from_reference)).lower()}'"
            + (f" title='{escape(title)}'" if title else "")
            + f">{escape(cell.outcome)}{' (known deviation)' if cell.known_deviation else ''}{observation}</td>")


def render(parity: Parity, verdict: Verdict, started: str) -> str:
    """The whole page: verdict, targets with their reports, the marks counted, then the matrix (differences first)."""
    names = list(parity.targets)
    targets = "".join(
        f"<li><b>{escape(n)}</b>{' (reference)' if n == parity.reference else ''}: {escape(str(t.get('spec')))} — "
        f"{escape(str(t.get('verdict')))} · document revision {escape(str(t.get('document_revision') or 'seed'))}"
        f" · <a href='{escape(str(t.get('html', '')))}'>its report</a></li>"
        for n, t in parity.targets.items())
    tally = " · ".join(f"{n} {escape(mark)}" for mark, n in counts(parity.rows).items())
    head = "".join(f"<th>{escape(n)}{' (reference)' if n == parity.reference else ''}</th>" for n in names)
    rows = []
    for row in sorted(parity.rows, key=lambda r: _ORDER[r.mark]):
        cells = "".join(_cell(n, row.cells[n]) for n in names if n in row.cells)
        only = f" ({escape(row.only)})" if row.only else ""
        rows.append(f"<tr class='{_ROW_CLASS[row.mark]}' data-requirement='{escape(row.requirement)}' "
                    f"data-mark='{escape(row.mark)}'><td><b>{escape(row.requirement)}</b><br><small>"
                    f"{escape(row.category)} · {'documented' if row.documented else 'observed'}</small></td>"
                    f"<td class='mark'>{escape(row.mark)}{only}</td>{cells}</tr>")
    code = int(verdict.code)
    status = "o-passed" if code == 0 else "o-failed" if code == 1 else "o-inconclusive"
    explain = "".join(f"<li>{escape(line)}</li>" for line in verdict.explain())
    fragment = (f"<section id='conformance'><style>{CSS}{PARITY_CSS}</style>"
                f"<h2>Parity of DescribeInstances</h2>"
                f"<div class='verdict {status}'><b>{escape(verdict.line)}</b>"
                f"{f'<ul>{explain}</ul>' if explain else ''}</div>"
                f"<p>Started {escape(started)} · exit status {code} ({escape(EXIT_MEANING.get(code, ''))})"
                f"{' · --fail-on-difference' if parity.fail_on_difference else ''}</p>"
                f"<h3>Targets</h3><ul>{targets}</ul><p>{tally}</p>"
                f"<h3>Requirements by target</h3><table class='parity'><tr><th>requirement</th><th>mark</th>{head}"
                f"</tr>{''.join(rows)}</table></section>")
    return page(fragment, f"conformance parity: {verdict.line}")
