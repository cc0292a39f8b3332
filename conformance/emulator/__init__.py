"""The reference emulator of both DescribeInstances APIs.

``models`` holds the instances and answers queries; ``alibaba`` and
``tencent`` are the wire formats; ``auth`` verifies signatures; ``deviations``
names the broken variants; ``server`` serves it all over HTTP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance.emulator.auth import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET

if TYPE_CHECKING:
    from conformance.emulator.server import Emulator, EmulatorConfig, build_service, create_app


def __getattr__(name: str) -> Any:
    """The server's names, imported on first use: ``deviations`` or ``auth`` alone need no HTTP server."""
    if name in ("Emulator", "EmulatorConfig", "build_service", "create_app"):
        from conformance.emulator import server
        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["DEFAULT_KEY_ID", "DEFAULT_KEY_SECRET", "Emulator", "EmulatorConfig", "build_service", "create_app"]
