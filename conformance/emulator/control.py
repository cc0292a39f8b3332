"""The control API: reset, seed, inspect and reconfigure a running emulator over HTTP, JSON in and out.

What moto's server mode offers for AWS (``/moto-api/reset``, its recorder),
for a fake cloud run as its own process (``conformance emulator``) or shared
between tests. Everything sits under :data:`PREFIX`, a path neither vendor
API uses: ECS's RPC API and CVM's API 3.0 are served at ``/`` (the action is
a parameter or an ``X-*-Action`` header), and no vendor path starts with an
underscore. Control requests need no signature, are never logged, counted or
faulted, and change nothing a client's signed requests could reach; the
operations are listed in ``docs/emulator.md``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, fields
from typing import Any, Protocol

from conformance.emulator import deviations as deviation_catalogue
from conformance.emulator.faults import FaultError, FaultPlan
from conformance.emulator.inventory_file import InventoryError, instances_from
from conformance.emulator.request_log import RequestLog

#: The reserved path prefix of the control API.
PREFIX = "/_conformance/"
JSON_TYPE = "application/json"


class Controlled(Protocol):
    """What the control API needs of an emulator's app (:class:`conformance.emulator.server.EmulatorApp`)."""

    log: RequestLog
    plan: FaultPlan | None

    @property
    def vendor(self) -> str: ...

    @property
    def authenticated(self) -> bool: ...

    @property
    def items(self) -> list[dict[str, Any]]: ...

    @property
    def deviations(self) -> frozenset[str]: ...

    def replace(self, items: Sequence[dict[str, Any]]) -> None: ...

    def set_deviations(self, names: Sequence[str]) -> None: ...

    def set_plan(self, plan: FaultPlan | None) -> None: ...

    def reset(self) -> None: ...


class ControlError(Exception):
    """A control request that cannot be done: its HTTP status and the one-line reason."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def is_control(path: str) -> bool:
    return path.startswith(PREFIX)


def health(app: Controlled) -> dict[str, Any]:
    """Liveness and the state that matters: vendor, instance count, authentication, deviations, faults."""
    return {"status": "ok", "vendor": app.vendor, "instances": len(app.items), "requests": len(app.log),
            "authentication": app.authenticated, "deviations": sorted(app.deviations),
            "faults": _plan_json(app.plan)}


def _plan_json(plan: FaultPlan | None) -> dict[str, Any]:
    return asdict(plan) if plan is not None else {}


def _plan(body: Any) -> FaultPlan | None:
    """A fault plan from ``{"throttle": 0.2, "latency_ms": 50, "seed": 1, ...}``; ``{}`` or null: none."""
    if body is None:
        return None
    if not isinstance(body, dict):
        raise ControlError(400, "expected a JSON object of fault settings")
    known = {f.name for f in fields(FaultPlan)}
    unknown = sorted(set(body) - known)
    if unknown:
        raise ControlError(400, f"unknown fault setting {unknown[0]!r}; known: {', '.join(sorted(known))}")
    for name, value in body.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise ControlError(400, f"{name}: expected a number >= 0")
        if name in ("throttle", "error", "reset", "churn") and value > 1:
            raise ControlError(400, f"{name}: expected a probability from 0 to 1")
    try:
        plan = FaultPlan(**{**body, "seed": int(body.get("seed", 0))})
    except FaultError as exc:
        raise ControlError(400, str(exc)) from None
    return plan if plan.active else None


def _deviations(body: Any) -> list[str]:
    names = body.get("deviations") if isinstance(body, dict) else body
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ControlError(400, 'expected {"deviations": ["name", ...]}')
    return names


def _instances(app: Controlled, body: Any) -> list[dict[str, Any]]:
    try:
        return instances_from(app.vendor, body, "(request body)")
    except InventoryError as exc:
        raise ControlError(400, str(exc)) from None


def dispatch(app: Controlled, method: str, path: str, body: Any) -> tuple[int, Any]:
    """The answer (status, JSON value) to one control request; raises :class:`ControlError`."""
    route = path[len(PREFIX):].strip("/")
    if route == "health" and method == "GET":
        return 200, health(app)
    if route == "reset" and method == "POST":
        app.reset()
        return 200, health(app)
    if route == "instances":
        if method == "GET":
            return 200, {"instances": app.items}
        if method == "PUT":
            app.replace(_instances(app, body))
            return 200, {"instances": len(app.items)}
        if method == "POST":
            app.replace(app.items + _instances(app, body))
            return 200, {"instances": len(app.items)}
    if route == "requests":
        if method == "GET":
            return 200, {"requests": app.log.to_json()}
        if method == "DELETE":
            app.log.clear()
            return 200, {"requests": []}
    if route == "deviations":
        if method == "GET":
            return 200, {"active": sorted(app.deviations),
                         "available": [d.name for d in deviation_catalogue.for_vendor(app.vendor)]}
        if method == "PUT":
            try:
                app.set_deviations(_deviations(body))
            except deviation_catalogue.UnknownDeviation as exc:
                raise ControlError(400, str(exc)) from None
            return 200, {"active": sorted(app.deviations)}
    if route == "faults":
        if method == "GET":
            return 200, _plan_json(app.plan)
        if method in ("PUT", "DELETE"):
            app.set_plan(_plan(body) if method == "PUT" else None)
            return 200, _plan_json(app.plan)
    raise ControlError(404, f"no control operation {method} {path}; see docs/emulator.md")


def answer(app: Controlled, method: str, path: str, raw_body: bytes) -> tuple[int, bytes]:
    """The HTTP status and JSON body answering one control request; errors as ``{"error": "..."}``."""
    try:
        try:
            body = json.loads(raw_body) if raw_body.strip() else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ControlError(400, "the body is not valid JSON") from None
        status, value = dispatch(app, method, path, body)
    except ControlError as error:
        status, value = error.status, {"error": error.message}
    return status, json.dumps(value, ensure_ascii=False).encode()


__all__ = ["JSON_TYPE", "PREFIX", "ControlError", "Controlled", "answer", "dispatch", "health", "is_control"]
