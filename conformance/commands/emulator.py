"""``conformance emulator``: serve the reference emulator of one vendor's API until interrupted."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Iterator
from typing import Any

import uvicorn

from conformance import providers
from conformance.emulator import deviations, inventory
from conformance.emulator.auth import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET
from conformance.emulator.options import OptionError, add_emulator_options, apply_emulator_options, serving
from conformance.emulator.server import EmulatorConfig, bind, build_service
from conformance.errors import UsageError
from conformance.run.options import whole_number


def port(text: str) -> int:
    """An argparse type: a TCP port, 0 for any free one."""
    value = whole_number(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {value}")
    return value


def add_emulator(sub: Any) -> None:
    p = sub.add_parser("emulator", help="serve the reference emulator of one vendor's API",
                       description="Serve the reference emulator until interrupted. Without --key-id/--key-secret "
                                   f"it accepts the test credentials {DEFAULT_KEY_ID} / {DEFAULT_KEY_SECRET}, "
                                   "and it verifies signatures unless --no-auth. Its control API (reset, instances, "
                                   "the request log, deviations, faults, health) is under /_conformance/.")
    p.add_argument("--vendor", choices=list(providers.names()), help="which API to serve")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=port, default=0, help="0 picks a free port (default)")
    p.add_argument("--key-id", help=f"AccessKey id / SecretId the emulator accepts (default: the test key id "
                                    f"{DEFAULT_KEY_ID})")
    p.add_argument("--key-secret", help=f"its secret (default: the test credentials {DEFAULT_KEY_ID} / "
                                        f"{DEFAULT_KEY_SECRET})")
    p.add_argument("--instances", type=whole_number, default=60, help="generated instances (default 60)")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated inventory (default 0)")
    p.add_argument("--inventory", metavar="FILE", help="serve these instances (JSON or YAML) instead")
    p.add_argument("--deviation", action="append", default=[], metavar="NAME",
                   help="break one documented rule (repeatable); see --list-deviations")
    p.add_argument("--list-deviations", action="store_true", help="list the deviations and the requirement each breaks")
    add_emulator_options(p)  # --tls, --fault NAME=VALUE, --churn P, --real-nulls, --no-auth
    p.set_defaults(handler=cmd_emulator)


class _QuietServer:
    """uvicorn's Server with our own signal handling: stop cleanly, exit 0, no re-raised signal."""

    def __new__(cls, config: uvicorn.Config) -> uvicorn.Server:  # type: ignore[misc]
        class Server(uvicorn.Server):
            @contextlib.contextmanager
            def capture_signals(self) -> Iterator[None]:
                def stop(signum: int, frame: Any) -> None:
                    self.should_exit = True

                previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
                try:
                    yield
                finally:
                    for s, handler in previous.items():
                        signal.signal(s, handler)

        return Server(config)


def cmd_emulator(args: argparse.Namespace) -> int:
    if args.list_deviations:
        vendors = [args.vendor] if args.vendor else list(providers.names())
        for vendor in vendors:
            for d in deviations.for_vendor(vendor):
                judged = f" (with --document-revision {d.revision})" if d.revision else ""
                print(f"{vendor:8} {d.name:28} {d.requirement:14} {d.description}{judged}")
        return 0
    if not args.vendor:
        raise UsageError("conformance emulator: --vendor is required (alibaba or tencent)")
    if (args.key_id is None) != (args.key_secret is None):
        raise UsageError("conformance emulator: --key-id and --key-secret go together")
    config = EmulatorConfig(vendor=args.vendor, instances=args.instances, seed=args.seed,
                            deviations=tuple(args.deviation))
    if args.key_id:
        config.key_id, config.key_secret = args.key_id, args.key_secret
    try:
        if args.inventory:
            config.items = inventory.load_file(args.vendor, args.inventory)
        apply_emulator_options(args, config)
        service = build_service(config)
    except (inventory.InventoryError, deviations.UnknownDeviation, OptionError) as exc:
        raise UsageError(f"conformance emulator: {exc}") from None
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        raise UsageError(f"conformance emulator: cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    host, bound = sock.getsockname()[:2]
    served = serving(service, config)
    server = _QuietServer(uvicorn.Config(served.app, log_level="warning", access_log=False, lifespan="off",
                                         **served.uvicorn_kwargs))
    for line in served.banner(host, bound):  # "listening on http(s)://...", then "CA file: ..." with --tls
        print(line, flush=True)
    try:
        server.run(sockets=[sock])
    finally:
        served.close()
    print("stopped", file=sys.stderr, flush=True)
    return 0
