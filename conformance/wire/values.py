"""Values as they travel in a query string or form: one spelling for booleans and lists."""

from __future__ import annotations

import json
from typing import Any


def wire_string(value: Any) -> str:
    """``true``/``false`` for booleans, JSON for lists and objects, ``str`` for the rest."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)
    return str(value)
