"""Files: written so that a run that dies half way never leaves one half-written, and YAML read fast."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` through libyaml when PyYAML has it: catalogues and recordings are read at every start."""
    return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a safe loader, libyaml's or PyYAML's
