"""The reference emulator of both DescribeInstances APIs.

``models`` holds the instances and answers queries; ``alibaba`` and
``tencent`` are the wire formats; ``auth`` verifies signatures; ``deviations``
names the broken variants; ``server`` serves it all over HTTP.
"""

from conformance.emulator.auth import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET
from conformance.emulator.server import Emulator, EmulatorConfig, build_service, create_app

__all__ = ["DEFAULT_KEY_ID", "DEFAULT_KEY_SECRET", "Emulator", "EmulatorConfig", "build_service", "create_app"]
