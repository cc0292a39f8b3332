"""``conformance``: the command line.

Sub-commands: ``run`` (the suite), ``audit`` (what the documents say beside
what an endpoint does), ``emulator`` (the reference emulator), ``diff`` (two
recordings compared), ``baseline`` (known deviations from a report).
Usage and configuration errors print one line and exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Iterator, Sequence

EXIT_USAGE = 2


class UsageError(Exception):
    """A bad flag, value or configuration: one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage block
        raise UsageError(f"{self.prog}: {message}")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return value


def _port(text: str) -> int:
    value = _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {value}")
    return value


# ---------------------------------------------------------------- emulator

def add_emulator(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("emulator", help="serve the reference emulator of one vendor's API",
                       description="Serve the reference emulator until interrupted.")
    p.add_argument("--vendor", choices=["alibaba", "tencent"])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_port, default=0, help="0 picks a free port (default)")
    p.add_argument("--key-id", help="AccessKey id / SecretId the emulator accepts")
    p.add_argument("--key-secret", help="its secret (default: the documented test credentials)")
    p.add_argument("--instances", type=_positive_int, default=60, help="generated instances (default 60)")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated inventory (default 0)")
    p.add_argument("--inventory", metavar="FILE", help="serve these instances (JSON or YAML) instead")
    p.add_argument("--deviation", action="append", default=[], metavar="NAME",
                   help="break one documented rule (repeatable); see --list-deviations")
    p.add_argument("--list-deviations", action="store_true", help="list the deviations and the requirement each breaks")
    p.set_defaults(handler=cmd_emulator)


class _QuietServer:
    """uvicorn's Server with our own signal handling: stop cleanly, exit 0, no re-raised signal."""

    def __new__(cls, config):  # noqa: D102
        import uvicorn

        class Server(uvicorn.Server):
            @contextlib.contextmanager
            def capture_signals(self) -> Iterator[None]:
                def stop(signum, frame):
                    self.should_exit = True

                previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
                try:
                    yield
                finally:
                    for s, handler in previous.items():
                        signal.signal(s, handler)

        return Server(config)


def cmd_emulator(args: argparse.Namespace) -> int:
    from conformance.emulator import deviations, inventory
    from conformance.emulator.server import EmulatorConfig, bind, build_service, create_app

    if args.list_deviations:
        vendors = [args.vendor] if args.vendor else ["alibaba", "tencent"]
        for vendor in vendors:
            for d in deviations.for_vendor(vendor):
                print(f"{vendor:8} {d.name:28} {d.requirement:14} {d.description}")
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
        service = build_service(config)
    except (inventory.InventoryError, deviations.UnknownDeviation) as exc:
        raise UsageError(f"conformance emulator: {exc}") from None
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        raise UsageError(f"conformance emulator: cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    import uvicorn

    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    server = _QuietServer(uvicorn.Config(create_app(service), log_level="warning", access_log=False, lifespan="off"))
    print(f"listening on http://{shown}:{port}", flush=True)
    server.run(sockets=[sock])
    print("stopped", file=sys.stderr, flush=True)
    return 0


# ---------------------------------------------------------------- entry

def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="conformance", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    from conformance import audit, baseline, diff, runner

    runner.add_run(sub)
    audit.add_audit(sub)
    add_emulator(sub)
    diff.add_diff(sub)
    baseline.add_baseline(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "handler", None):
            parser.print_help()
            return EXIT_USAGE
        return args.handler(args)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # output piped into head(1) and the like
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
