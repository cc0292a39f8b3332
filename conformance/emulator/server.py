"""The emulator as a real HTTP server: an ASGI app on uvicorn.

:func:`build_service` assembles a vendor's service from an inventory,
credentials and deviations; :func:`create_app` wraps it in an ASGI app;
:class:`Emulator` runs that app on a socket in a background thread, for the
suite's embedded default target and for tests. ``conformance emulator``
serves the same app in the foreground.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from conformance.emulator import (
    alibaba,
    alibaba_time_filters,
    auth,
    churn,
    control,
    faults,
    inventory,
    key_order,
    models,
    tencent,
    tencent_filters,
)
from conformance.emulator import deviations as deviation_catalogue
from conformance.emulator import tls as tls_files
from conformance.emulator.faults import FaultPlan
from conformance.emulator.request_log import RequestLog
from conformance.emulator.wire import Service, WireRequest, WireResponse
from conformance.spec import catalog

SERVICES = {"alibaba": (alibaba.AlibabaService, alibaba.region_of),
            "tencent": (tencent.TencentService, tencent.region_of)}


@dataclass
class EmulatorConfig:
    """Everything that shapes one emulator; the defaults give the reference emulator."""

    vendor: str
    instances: int = 60
    seed: int = 0
    items: Sequence[dict[str, Any]] | None = None  # a user's inventory instead of generated instances
    key_id: str = auth.DEFAULT_KEY_ID
    key_secret: str = auth.DEFAULT_KEY_SECRET
    deviations: Sequence[str] = field(default_factory=tuple)
    tls: bool = False  # serve https with a certificate made at start-up (see conformance.emulator.tls)
    faults: FaultPlan | None = None  # throttling, errors, latency, resets and churn on purpose
    real_nulls: bool = False  # null in documented fields where the real service answers null (inventory.generate)
    authenticate: bool = True  # False: any signature or none is accepted (``--no-auth``, to explore with curl)
    #: the revision of the vendor's document served (None: the one selected for this process, else the seed)
    document_revision: str | None = None


def service_for(vendor: str, items: Sequence[dict[str, Any]], authenticator: auth.Authenticator,
                chosen: frozenset[str], revision: str | None = None) -> Service:
    """A vendor's service over ``items``, with an existing authenticator (so nonces survive a rebuild).

    ``revision`` is the document revision served: its request parameters, fields and rules.
    """
    service_class, region_of = SERVICES[vendor]
    items = [dict(i) for i in items]
    if vendor == "alibaba":  # footmark and others read keys in order: serve the real service's
        items = [key_order.alibaba_instance(i) for i in items]
    extra = tencent_filters.EXTRA_FILTERS if vendor == "tencent" else alibaba_time_filters.FILTERS
    backend = models.Backend(items, catalog.load(vendor, revision), region_of, extra)
    return service_class(backend, authenticator, chosen, tuple(inventory.REGIONS[vendor]))


def build_service(config: EmulatorConfig) -> Service:
    """The service ``config`` describes: its inventory (generated or given), credentials and deviations."""
    chosen = deviation_catalogue.resolve(config.vendor, config.deviations,
                                         config.document_revision or catalog.revision_of(config.vendor))
    items = config.items if config.items is not None \
        else inventory.generate(config.vendor, config.instances, config.seed, config.real_nulls)
    authenticator = auth.Authenticator(config.vendor, {config.key_id: config.key_secret}, chosen,
                                       required=config.authenticate)
    return service_for(config.vendor, items, authenticator, chosen, config.document_revision)


class EmulatorApp:
    """A plain ASGI app around a service (every path, GET and POST), served by uvicorn.

    No framework in between: the service already is the router, and the
    benchmark's budget (a two-filter query at 10,000 instances in well under
    a millisecond) has no room for one. The service can be swapped while
    serving (:meth:`replace`): churn and the test fixtures' seeding do.
    Requests are numbered in arrival order; faults are decided from that
    number and the plan's seed (:mod:`conformance.emulator.faults`).
    """

    def __init__(self, service: Service, plan: FaultPlan | None = None):
        self.service = service
        self.plan = plan if plan is not None and plan.active else None
        self.sequence = 0
        # (sequence, fault): what was injected, for tests and logs; bounded for long runs
        self.faults_met: deque[tuple[int, str]] = deque(maxlen=100_000)
        #: every request received (not the control API's), described when read: the fixtures' and the control API's
        self.log = RequestLog(service.vendor, lambda request: self.service.describe(request))
        self._items = list(service.backend.items)  # as given, before any deviation rewrote them
        self._initial = (self._items, service.deviations, self.plan)

    @property
    def vendor(self) -> str:
        return self.service.vendor

    @property
    def items(self) -> list[dict[str, Any]]:
        """The instances served now, as given (copies are the caller's business)."""
        return list(self._items)

    @property
    def deviations(self) -> frozenset[str]:
        return self.service.deviations

    @property
    def authenticated(self) -> bool:
        return self.service.auth.required

    def replace(self, items: Sequence[dict[str, Any]]) -> None:
        """Serve ``items`` from now on; credentials, deviations and nonces stay."""
        old = self.service
        self._items = list(items)
        self.service = service_for(old.vendor, self._items, old.auth, old.deviations, old.catalog.revision)

    def set_deviations(self, names: Sequence[str]) -> None:
        """Break these documented rules from now on (none: the reference behaviour); the instances stay."""
        chosen = deviation_catalogue.resolve(self.vendor, names)
        self.service.auth.deviations = chosen
        self.service = service_for(self.vendor, self._items, self.service.auth, chosen, self.service.catalog.revision)

    def set_plan(self, plan: FaultPlan | None) -> None:
        """Inject these faults from now on; None or an inactive plan: none."""
        self.plan = plan if plan is not None and plan.active else None

    def reset(self) -> None:
        """Back to the start: the first inventory, deviations and faults; no request, fault or nonce remembered."""
        items, chosen, plan = self._initial
        self.service.auth.deviations = chosen
        self.service.auth.forget()
        self._items = list(items)
        self.service = service_for(self.vendor, self._items, self.service.auth, chosen, self.service.catalog.revision)
        self.plan = plan
        self.sequence = 0
        self.faults_met.clear()
        self.log.clear()

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Awaitable[dict]],
                       send: Callable[..., Awaitable[None]]) -> None:
        if scope["type"] != "http":  # lifespan and websockets: nothing to do
            return
        if control.is_control(scope["path"]):
            status, reply = control.answer(self, scope["method"], scope["path"], await _body(receive))
            await _answer(send, status, control.JSON_TYPE, reply)
            return
        if scope["method"] not in ("GET", "POST"):
            await _answer(send, 405, "application/json", b'{"Code":"MethodNotAllowed","Message":"GET or POST"}')
            return
        wire = WireRequest(
            method=scope["method"],
            path=scope["path"],
            raw_query=scope["query_string"].decode("latin-1"),
            headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]},
            body=await _body(receive),
        )
        sequence = self.sequence
        self.sequence += 1
        if self.plan is not None:
            fault = await self._fault(sequence, wire, send)
            if fault is not None:
                self.log.record(sequence, wire, fault.status, fault.code, self.faults_met[-1][1])
                if fault.status:
                    await _answer(send, fault.status, fault.content_type, fault.body, fault.headers)
                return
        try:
            answer = self.service.handle(wire)
        except Exception as exc:  # noqa: BLE001 - a fault barrier: never drop the connection
            self.log.record(sequence, wire, 500, "InternalError")
            await _answer(send, 500, "application/json",
                          b'{"Code":"InternalError","Message":"%s"}' % type(exc).__name__.encode())
            return
        self.log.record(sequence, wire, answer.status, answer.code)
        await _answer(send, answer.status, answer.content_type, answer.body, answer.headers)

    async def _fault(self, sequence: int, wire: WireRequest, send: Callable[..., Awaitable[None]]
                     ) -> WireResponse | None:
        """Apply the plan to one request: a response to send instead, an empty one for a reset, or None."""
        plan = self.plan
        assert plan is not None
        if plan.latency_ms:
            await asyncio.sleep(plan.latency_ms / 1000)
        if faults.churns(plan, sequence):
            self.replace(churn.churned(self.service.vendor, self._items, plan.seed, sequence))
            self.faults_met.append((sequence, "churn"))
        kind = faults.decide(plan, sequence)
        if kind is None:
            return None
        self.faults_met.append((sequence, kind))
        if kind == "reset":
            await _reset(send)
            return WireResponse(0, "", b"")
        code, message, status = faults.FAULT_ERRORS[self.service.vendor][kind]
        return self.service.error_answer(wire, code, message, status)


def create_app(service: Service, config: EmulatorConfig | None = None) -> EmulatorApp:
    """The ASGI app serving ``service``, with ``config``'s faults if any."""
    return EmulatorApp(service, config.faults if config is not None else None)


async def _body(receive: Callable[..., Awaitable[dict]]) -> bytes:
    body = bytearray()
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return bytes(body)


async def _reset(send: Callable[..., Awaitable[None]]) -> None:
    """Drop the connection without an answer, as a load balancer resetting it would."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:  # not uvicorn's httptools/h11 cycle: the closest we can do is an error
        raise ConnectionAbortedError("fault: reset")
    transport.abort()
    for _ in range(3):  # let the server see the connection lost, so it does not answer 500 after all
        await asyncio.sleep(0)


async def _answer(send: Callable[..., Awaitable[None]], status: int, content_type: str, body: bytes,
                  headers: dict[str, str] | None = None) -> None:
    raw = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


class Emulator:
    """An emulator on an ephemeral port in a background thread.

    >>> with Emulator(EmulatorConfig("alibaba")) as emu:
    ...     emu.url  # 'http://127.0.0.1:PORT'

    With ``EmulatorConfig(..., tls=True)`` it serves https and ``ca_path``
    is the PEM file of the CA that signed its certificate.
    """

    def __init__(self, config: EmulatorConfig, host: str = "127.0.0.1", port: int = 0):
        self.config = config
        self.app = create_app(build_service(config), config)
        self._socket = bind(host, port)
        self.host, self.port = self._socket.getsockname()[:2]
        self.tls = tls_files.make() if config.tls else None
        self._server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off",
                                                     **(self.tls.uvicorn_kwargs() if self.tls else {})))
        self._thread: threading.Thread | None = None

    @property
    def service(self) -> Service:
        return self.app.service

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def ca_path(self) -> str | None:
        return str(self.tls.ca_path) if self.tls else None

    def start(self) -> "Emulator":
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name=f"emulator-{self.config.vendor}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the emulator did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=1)
            if self._thread.is_alive():
                # A client pool may keep an idle TLS connection whose close_notify never comes back: uvicorn
                # would wait for it (up to asyncio's 30 s). In-flight answers have had their second.
                self._server.force_exit = True
                self._thread.join(timeout=10)
        self._socket.close()
        if self.tls is not None:
            self.tls.remove()

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
