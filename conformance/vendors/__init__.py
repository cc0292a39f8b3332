"""Vendor adapters: each owns its transport and declares its capabilities as data.

:func:`adapter` finds a vendor's adapter through :mod:`conformance.providers`,
so nothing here names a vendor.
"""

from __future__ import annotations

import importlib
from functools import lru_cache

from conformance import providers
from conformance.vendors.base import Adapter, Answer, Capabilities, Credentials, Query


@lru_cache(maxsize=None)
def adapter(vendor: str) -> Adapter:
    """The vendor's adapter (one per process: it holds the loaded catalogue)."""
    module_name, _, class_name = providers.get(vendor).adapter.partition(":")
    instance = getattr(importlib.import_module(module_name), class_name)()
    if not isinstance(instance, Adapter):
        raise TypeError(f"{providers.get(vendor).adapter} is not an Adapter")
    return instance


__all__ = ["Adapter", "Answer", "Capabilities", "Credentials", "Query", "adapter"]
