"""A CONNECT forwarder: reach the emulator through HTTPS_PROXY, for clients with no endpoint setting.

Some tools hard-code the vendor's host name: c7n-tencentcloud always calls
``https://cvm.<region>.tencentcloudapi.com`` (and ``sts.…`` at start-up).
They do honour ``HTTPS_PROXY``, as the Tencent SDK reads it. This forwarder
answers every ``CONNECT host:443`` by opening a tunnel to the emulator's TLS
port; the client then speaks TLS to the emulator under the vendor's host
name, which the emulator's certificate names (:mod:`conformance.emulator.tls`).
It only ever connects to the one target it was given, on loopback.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for s in (sink, source):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _tunnel(client: socket.socket, target: tuple[str, int]) -> None:
    with client:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk or len(head) > 65536:
                return
            head += chunk
        if not head.startswith(b"CONNECT "):
            client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        try:
            upstream = socket.create_connection(target, timeout=10)
        except OSError:
            client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        with upstream:
            upstream.settimeout(None)
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            rest = head.split(b"\r\n\r\n", 1)[1]
            if rest:
                upstream.sendall(rest)
            back = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
            back.start()
            _pipe(client, upstream)
            back.join(timeout=10)


@contextmanager
def connect_forwarder(target_host: str, target_port: int, host: str = "127.0.0.1") -> Iterator[str]:
    """A forwarder on an ephemeral port for the block; yields its URL, the value for ``HTTPS_PROXY``."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, 0))
    server.listen(64)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            threading.Thread(target=_tunnel, args=(client, (target_host, target_port)), daemon=True).start()

    thread = threading.Thread(target=serve, name="connect-forwarder", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()


__all__ = ["connect_forwarder"]
