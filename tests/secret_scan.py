"""Looking for credentials and signatures in everything a run wrote (issue 14).

A secret can be written as itself or in the forms the writers produce when text passes
through URLs and JSON: URL-encoded (``quote`` and ``quote_plus``) and JSON-escaped
(``json.dumps`` without its quotes, with and without ``ensure_ascii``). HTML escaping is
covered too, since reports are HTML. Files are scanned as bytes, so that a secret is found
in a cassette, a gzip-free report or a binary file alike.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from urllib.parse import quote, quote_plus


def forms(secret: str) -> dict[str, str]:
    """Every written form of ``secret`` worth looking for, by name (identical forms appear once)."""
    candidates = {
        "raw": secret,
        "url-encoded": quote(secret, safe=""),
        "url-encoded (path)": quote(secret),
        "url-encoded (form)": quote_plus(secret),
        "json-escaped": json.dumps(secret)[1:-1],
        "json-escaped (ascii)": json.dumps(secret, ensure_ascii=True)[1:-1],
        "json-escaped (unicode)": json.dumps(secret, ensure_ascii=False)[1:-1],
        "html-escaped": html.escape(secret),
        "html-escaped (no quotes)": html.escape(secret, quote=False),
        "url-encoded twice": quote(quote(secret, safe=""), safe=""),
    }
    out: dict[str, str] = {}
    for name, form in candidates.items():
        if form and form not in out.values():
            out[name] = form
    return out


def _occurrences(data: bytes, needle: bytes) -> list[int]:
    found, start = [], data.find(needle)
    while start != -1:
        found.append(start)
        start = data.find(needle, start + 1)
    return found


def _files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            files.append(path)
    return files


def scan(paths: list[Path], texts: list[str], secrets: list[str]) -> list[str]:
    """Findings ``"FILE:OFFSET FORM"`` (or ``"<console N>:OFFSET FORM"``) for every secret found.

    ``paths`` are files or directories (searched recursively); ``texts`` are captured console
    outputs. Empty secrets are ignored. An empty list means nothing was found.
    """
    findings: list[str] = []
    sources: list[tuple[str, bytes]] = [(str(f), f.read_bytes()) for f in _files(paths)]
    sources += [(f"<console {n}>", text.encode("utf-8", "surrogateescape")) for n, text in enumerate(texts)]
    # Every distinct line once: a needle without a newline is in some source exactly when it is in one of
    # them. A hostile run writes hundreds of megabytes of one answer repeated; most needles stop here.
    distinct = b"\n".join({line for _source, data in sources for line in data.split(b"\n")})
    for secret in dict.fromkeys(s for s in secrets if s):
        for form_name, form in forms(secret).items():
            needle = form.encode("utf-8", "surrogateescape")
            if b"\n" not in needle and needle not in distinct:
                continue
            for source, data in sources:
                for offset in _occurrences(data, needle):
                    findings.append(f"{source}:{offset} {form_name} of {secret[:4]}…")
    return findings
