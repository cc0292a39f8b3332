"""The emulator as a real HTTP server: an ASGI app on uvicorn.

:func:`build_service` assembles a vendor's service from an inventory,
credentials and deviations; :func:`create_app` wraps it in an ASGI app;
:class:`Emulator` runs that app on a socket in a background thread, for the
suite's embedded default target and for tests. ``conformance emulator``
serves the same app in the foreground.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from conformance.emulator import alibaba, auth, inventory, models, tencent
from conformance.emulator import deviations as deviation_catalogue
from conformance.emulator.wire import Service, WireRequest
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


def build_service(config: EmulatorConfig) -> Service:
    service_class, region_of = SERVICES[config.vendor]
    chosen = deviation_catalogue.resolve(config.vendor, config.deviations)
    items = [dict(i) for i in config.items] if config.items is not None \
        else inventory.generate(config.vendor, config.instances, config.seed)
    backend = models.Backend(items, catalog.load(config.vendor), region_of)
    authenticator = auth.Authenticator(config.vendor, {config.key_id: config.key_secret}, chosen)
    return service_class(backend, authenticator, chosen, tuple(inventory.REGIONS[config.vendor]))


def create_app(service: Service) -> Callable[..., Awaitable[None]]:
    """A plain ASGI app around ``service`` (every path, GET and POST), served by uvicorn.

    No framework in between: the service already is the router, and the
    benchmark's budget (a two-filter query at 10,000 instances in well under
    a millisecond) has no room for one.
    """

    async def app(scope: dict[str, Any], receive: Callable[..., Awaitable[dict]], send: Callable[..., Awaitable[None]],
                  ) -> None:
        if scope["type"] != "http":  # lifespan and websockets: nothing to do
            return
        if scope["method"] not in ("GET", "POST"):
            await _answer(send, 405, "application/json", b'{"Code":"MethodNotAllowed","Message":"GET or POST"}')
            return
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        wire = WireRequest(
            method=scope["method"],
            path=scope["path"],
            raw_query=scope["query_string"].decode("latin-1"),
            headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]},
            body=bytes(body),
        )
        try:
            answer = service.handle(wire)
        except Exception as exc:  # noqa: BLE001 - a fault barrier: never drop the connection
            await _answer(send, 500, "application/json",
                          b'{"Code":"InternalError","Message":"%s"}' % type(exc).__name__.encode())
            return
        await _answer(send, answer.status, answer.content_type, answer.body, answer.headers)

    return app


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
    """

    def __init__(self, config: EmulatorConfig, host: str = "127.0.0.1", port: int = 0):
        self.config = config
        self.service = build_service(config)
        self._socket = bind(host, port)
        self.host, self.port = self._socket.getsockname()[:2]
        self._server = uvicorn.Server(uvicorn.Config(create_app(self.service), log_level="warning",
                                                     access_log=False, lifespan="off"))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> "Emulator":
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name=f"emulator-{self.config.vendor}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the emulator did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
