"""The README and docs/ hold together: every relative link and image reaches a file (and a heading), the
README stays short, and the text speaks to users, not of the project's own history."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
REFERENCE_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)


def prose(text: str) -> str:
    """The text without fenced code blocks (links inside them are examples, not links)."""
    return FENCE.sub("", text)


def links(text: str) -> list[str]:
    """Every link and image target of a Markdown text, outside code."""
    text = CODE_SPAN.sub(lambda m: "x" * len(m.group(2)), prose(text))
    return INLINE_LINK.findall(text) + REFERENCE_DEF.findall(text)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its rendered text, lower case, punctuation dropped, spaces as hyphens."""
    text = CODE_SPAN.sub(lambda m: m.group(2), heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link's text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = text.replace("**", "").replace("__", "").strip().lower()
    kept = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor GitHub makes for the headings of ``path`` (a repeated heading gets -1, -2, …)."""
    seen: dict[str, int] = {}
    out = set()
    for _, text in HEADING.findall(prose(path.read_text(encoding="utf-8"))):
        base = slug(text)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def relative_links(page: Path) -> list[str]:
    return [t for t in links(page.read_text(encoding="utf-8"))
            if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", t) and not t.startswith("//")]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_reaches_its_file_and_heading(page):
    broken = []
    for target in relative_links(page):
        path_part, _, anchor = target.partition("#")
        path_part = path_part.split("?", 1)[0]
        destination = (page.parent / path_part).resolve() if path_part else page
        if not destination.exists():
            broken.append(f"{target}: no file {destination.relative_to(ROOT) if destination.is_relative_to(ROOT) else destination}")
        elif anchor and destination.suffix == ".md" and anchor.lower() not in anchors(destination):
            broken.append(f"{target}: no heading with the anchor #{anchor} in {destination.name}")
    assert not broken, f"{page.relative_to(ROOT)}:\n" + "\n".join(broken)


def test_the_readme_links_every_docs_page():
    linked = {(README.parent / t.partition("#")[0]).resolve() for t in relative_links(README)}
    assert not [p.name for p in PAGES[1:] if p.resolve() not in linked]


def test_the_readme_is_short():
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= 250, f"README.md has {lines} lines: move reference material to docs/"


#: The project's own history has no place in its documentation: no issue numbers, no work sessions.
HISTORY = [
    re.compile(r"\bissues?[ _-]*#?\d+", re.I),
    re.compile(r"#\d+\b"),
    re.compile(r"\b(?:this|that|last|previous|next|earlier|later|current|work|working|coding|each) sessions?\b", re.I),
    re.compile(r"\bsession (?:notes?|logs?)\b", re.I),
    re.compile(r"\bprofil(?:er|ed|ing)\b|\bpyinstrument\b|\bcProfile\b", re.I),
]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_issue_numbers_or_work_sessions(page):
    text = page.read_text(encoding="utf-8")
    found = [m.group(0) for pattern in HISTORY for m in pattern.finditer(text)]
    assert not found, f"{page.relative_to(ROOT)} speaks of the project's history: {found}"


def test_the_checks_themselves():
    assert slug("Where the documents are silent: what the emulator does") == \
        "where-the-documents-are-silent-what-the-emulator-does"
    assert slug("`--no-auth`") == "--no-auth" and slug("`conformance diff`") == "conformance-diff"
    assert slug("The fixture's start-up") == "the-fixtures-start-up" and slug("Café **bold**") == "café-bold"
    assert links("[a](x.md#y) ![i](img.png) `[not](a.md)`\n```\n[no](b.md)\n```\n[r]: ref.md\n") == \
        ["x.md#y", "img.png", "ref.md"]
    assert any(p.search("fixed in issue 13.") for p in HISTORY)
    assert any(p.search("(issue-18)") for p in HISTORY)
    assert any(p.search("as measured in this session") for p in HISTORY)
    assert not any(p.search("one emulator per session (per xdist worker)") for p in HISTORY)
    assert not any(p.search("`alibaba_cloud_session`: reset before each test") for p in HISTORY)
