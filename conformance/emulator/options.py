"""The ``conformance emulator`` flags: --tls, --fault, --churn, --real-nulls, --no-auth, --document-revision.

Kept out of ``conformance/cli.py`` so that the emulator owns its options;
``cmd_emulator`` calls :func:`add_emulator_options` when it builds its parser
and :func:`apply_emulator_options` once it has an :class:`EmulatorConfig`,
then serves with :func:`serving` (the app, uvicorn's TLS arguments and the
lines to print). A bad value raises :class:`OptionError` (a ValueError whose
message is the one line to print before exiting 2).
"""

from __future__ import annotations

import argparse
import importlib.util
from dataclasses import dataclass
from typing import Any

from conformance.emulator import faults, tls
from conformance.emulator.server import EmulatorApp, EmulatorConfig, Service, create_app
from conformance.spec import catalog


class OptionError(ValueError):
    """A flag value the emulator cannot use."""


def add_emulator_options(parser: argparse.ArgumentParser) -> None:
    """Add --tls, --fault NAME=VALUE, --churn P, --real-nulls, --no-auth, --document-revision to ``conformance emulator``."""
    parser.add_argument("--tls", action="store_true",
                        help="serve https with a certificate made at start-up; prints the CA file to trust")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME=VALUE",
                        help="inject faults (repeatable): throttle=P, error=P, reset=P (probabilities per request), "
                             "latency=50ms; decided by --seed and the request's number, so a run repeats")
    parser.add_argument("--churn", type=float, default=0.0, metavar="P",
                        help="chance per request that one instance is deleted and another created (default 0)")
    parser.add_argument("--real-nulls", action="store_true",
                        help="generated Tencent instances answer null where the real service does, documented "
                             "fields included (ExpiredTime of pay-as-you-go); the suite's schema check refuses them")
    parser.add_argument("--no-auth", action="store_true",
                        help="accept any signature or none (to explore with curl); signatures are verified otherwise")
    parser.add_argument("--document-revision", metavar="DATE", default=None,
                        help="serve this revision of the vendor's document (default: the seed revision); "
                             "2021-05-17 of Alibaba adds NextToken/MaxResults paging and the time filters")


def apply_emulator_options(args: argparse.Namespace, config: EmulatorConfig) -> None:
    """Put the parsed --tls/--fault/--churn/--real-nulls/--no-auth into ``config``; the fault seed is --seed."""
    try:
        plan = faults.parse(list(getattr(args, "fault", []) or []), float(getattr(args, "churn", 0.0) or 0.0),
                            int(getattr(args, "seed", 0) or 0))
    except faults.FaultError as exc:
        raise OptionError(str(exc)) from None
    config.faults = plan if plan.active else None
    config.tls = bool(getattr(args, "tls", False))
    config.real_nulls = bool(getattr(args, "real_nulls", False))
    config.authenticate = not getattr(args, "no_auth", False)
    revision = getattr(args, "document_revision", None)
    if revision:
        try:
            catalog.check_revision(config.vendor, revision)
        except ValueError as exc:
            raise OptionError(str(exc)) from None
        config.document_revision = revision
    if config.tls and importlib.util.find_spec("trustme") is None:
        raise OptionError("--tls needs trustme to make its certificate: pip install trustme")


@dataclass
class Serving:
    """What ``cmd_emulator`` needs to serve ``config``: the ASGI app, uvicorn's TLS kwargs, the banner."""

    app: EmulatorApp
    uvicorn_kwargs: dict[str, Any]
    tls: tls.TlsMaterial | None

    def banner(self, host: str, port: int) -> list[str]:
        """``listening on SCHEME://HOST:PORT`` first (saying so when signatures are not verified), then the CA file.

        The URL is always the line's third word, whatever follows it.
        """
        shown = f"[{host}]" if ":" in host else host
        line = f"listening on {'https' if self.tls else 'http'}://{shown}:{port}"
        if not self.app.authenticated:
            line += " (no authentication: any signature or none is accepted)"
        lines = [line]
        if self.tls is not None:
            lines.append(f"CA file: {self.tls.ca_path}")
        return lines

    def close(self) -> None:
        if self.tls is not None:
            self.tls.remove()


def serving(service: Service, config: EmulatorConfig) -> Serving:
    """The app for ``service`` with ``config``'s faults, and TLS files when ``config.tls``."""
    material = tls.make() if config.tls else None
    return Serving(create_app(service, config), material.uvicorn_kwargs() if material else {}, material)


__all__ = ["OptionError", "Serving", "add_emulator_options", "apply_emulator_options", "serving"]
