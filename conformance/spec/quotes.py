"""The document's quotes as a person reads them.

The catalogue keeps every quote verbatim, as it stands in the document, and
some of them are rows of a Markdown table (``|RegionId|String|Yes|cn-hangzhou|The
region ID of the instance.``). Reports show :func:`readable` instead: the same
facts as one clean sentence (``RegionId (String, required, e.g. cn-hangzhou): The
region ID of the instance.``). Nothing here changes a quote in the catalogue.
"""

from __future__ import annotations

import re

_TYPE = re.compile(r"^(string|integer|long|boolean|float|double|array|object|map|timestamp|"
                   r"array of .*|\[.*|.* objects?)$", re.IGNORECASE)
_END = (".", "!", "?", "。", "！", "？", ":")


def _cell(text: str) -> str:
    text = re.sub(r"\]\([^)]*\)", "", text).replace("[", "").replace("]", "")  # links, nested ones too
    text = text.replace("`", "").replace("**", "")
    return " ".join(text.split()).strip(" []")


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith(_END) else text + "."


def readable(quote: str) -> str:
    """``quote`` as a clean sentence: a Markdown table row becomes its facts in words."""
    text = quote.strip()
    if not (text.startswith("|") and text.count("|") >= 2):
        return _cell(text) if ("](" in text or "`" in text) else text
    cells = [_cell(c) for c in text.strip("|").split("|")]
    while cells and not cells[-1]:
        cells.pop()
    words = [c for c in cells if c]
    if not words:
        return text
    if re.fullmatch(r"\d{3}", cells[0]) and len(words) >= 2:
        rest = [c for c in cells[2:] if c]
        return _sentence(f"HTTP {cells[0]} {cells[1]}" + (f": {' — '.join(rest)}" if rest else ""))
    if len(cells) >= 3 and cells[2] in ("Yes", "No"):
        facts = [cells[1], "required" if cells[2] == "Yes" else "optional"]
        if len(cells) >= 4 and cells[3]:
            facts.append(f"e.g. {cells[3]}")
        description = " ".join(c for c in cells[4:] if c)
        return _sentence(f"{cells[0]} ({', '.join(f for f in facts if f)})" + (f": {description}" if description else ""))
    if len(cells) >= 3 and _TYPE.match(cells[1]):
        facts = [cells[1]]
        if len(cells) >= 4 and cells[2]:
            facts.append(f"e.g. {cells[2]}")
        description = " ".join(c for c in cells[3 if len(cells) >= 4 else 2:] if c)
        return _sentence(f"{cells[0]} ({', '.join(facts)})" + (f": {description}" if description else ""))
    if len(words) == 2:
        return _sentence(f"{words[0]}: {words[1]}")
    return _sentence(" · ".join(words))
