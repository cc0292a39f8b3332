"""The figures page, ``docs/figures.md``: each benchmark rewrites its own sections between marker comments.

A section is the text between ``<!-- figures:NAME -->`` and ``<!-- /figures:NAME -->``; everything
outside the markers (the page's prose) is left as it is. A section the page does not have yet is
appended at its end. The ``machine`` section names the machine of the last measurement.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

from conformance.files import write_atomic

#: The page ``make bench`` writes, relative to the checkout.
PAGE = Path("docs") / "figures.md"


def markers(name: str) -> tuple[str, str]:
    """The comments that open and close section ``name``."""
    return f"<!-- figures:{name} -->", f"<!-- /figures:{name} -->"


def replace_section(text: str, name: str, body: str) -> str:
    """``text`` with section ``name`` holding ``body`` (appended at the end when the page has no such section)."""
    start, end = markers(name)
    block = f"{start}\n{body.strip()}\n{end}"
    if text.count(start) > 1 or text.count(end) > 1:
        raise ValueError(f"section {name!r} is marked more than once")
    if start not in text and end not in text:
        return f"{text.rstrip()}\n\n{block}\n" if text.strip() else f"{block}\n"
    if start not in text or end not in text or text.index(start) > text.index(end):
        raise ValueError(f"section {name!r} is not closed by {end} after {start}")
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    return before + block + after


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The processor's model name as the kernel reports it, else what the platform module knows."""
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "Hardware") and value.strip():
                return " ".join(value.split())
    except OSError:
        pass
    return platform.processor() or "unknown processor"


def machine() -> str:
    """One line naming the machine: architecture, processors available (``nproc``), model, Python."""
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{platform.machine()}, {count} processors ({cpu_model()}), "
            f"{platform.python_implementation()} {platform.python_version()}")


def write_section(page: Path, name: str, body: str) -> None:
    """Rewrite section ``name`` of ``page`` with ``body``, and its ``machine`` section with this machine."""
    text = page.read_text(encoding="utf-8") if page.is_file() else "# Figures\n"
    text = replace_section(text, name, body)
    text = replace_section(text, "machine", f"Last measured on: {machine()}.")
    write_atomic(page, text)
