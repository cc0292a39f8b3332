"""Small hostile HTTP servers that reproduce issues 14 and 19, for loopback only.

Each server listens on 127.0.0.1 (or another loopback address, 127.0.0.2, for the host a
redirect points at) on an ephemeral port, in a background thread, and is used as a context
manager::

    with EchoServer("tencent") as server:
        run(["--endpoint", server.url, ...])

They are written from raw sockets on purpose, independently of the project's emulator, so
that they can misbehave at the byte level (lie about encodings, stall before the headers,
drip one byte at a time) and so that a bug in the emulator cannot hide a bug in the client.

Every server bounds itself: it stops accepting after ``max_connections`` connections or
``lifetime_s`` seconds, whichever comes first, serves at most ``max_requests_per_connection``
requests on one connection, and stops every connection thread when it is stopped. Nothing
here ever connects anywhere: the servers only answer.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit
from xml.sax.saxutils import escape

LOOPBACK = "127.0.0.1"
#: Another address of the loopback network (Linux routes all of 127.0.0.0/8 to ``lo``): "another host".
OTHER_LOOPBACK = "127.0.0.2"
#: The User-Agent of the suite's own transport when it sends one (httpx's default; its signed requests
#: are built without one). The SDKs always send theirs (``requests``' default or the SDK's own).
SUITE_USER_AGENT = "python-httpx/"
MAX_HEAD = 64 * 1024
MAX_BODY = 1024 * 1024
MAX_KEPT = 20000

#: Request parameters and headers that change on every send (signature, nonce, time) or carry
#: credentials: a request is "the same request" when everything else is the same.
VOLATILE = frozenset(
    k.lower() for k in (
        "Signature", "SignatureNonce", "Nonce", "Timestamp", "AccessKeyId", "SecretId", "SecurityToken", "Token",
        "SignatureMethod", "SignatureVersion", "authorization", "x-acs-date", "x-acs-signature-nonce",
        "x-tc-timestamp", "x-acs-content-sha256", "x-acs-security-token", "x-tc-token", "content-length",
        "user-agent", "accept", "accept-encoding", "connection", "host"))


@dataclass
class RawRequest:
    """One request as it came on the wire, and its parameters wherever they were (query, form, JSON body)."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)

    def header(self, name: str, default: str = "") -> str:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return default

    @property
    def path(self) -> str:
        return urlsplit(self.target).path or "/"

    @property
    def from_suite(self) -> bool:
        """Whether the suite's own transport sent it (not an official SDK): no User-Agent, or httpx's."""
        return self.header("user-agent", SUITE_USER_AGENT).startswith(SUITE_USER_AGENT)

    @property
    def signing_mode(self) -> str:
        """The signature's algorithm as sent: ``Authorization``'s scheme, else the ``SignatureMethod`` parameter.

        ``TC3-HMAC-SHA256``, ``ACS3-HMAC-SHA256``, ``HmacSHA256``, ``HmacSHA1``, ``HMAC-SHA1``: the names
        the SDKs' signing modes have in ``conformance/vendors/*_sdk.py``; ``""`` when unsigned.
        """
        authorization = self.header("authorization")
        if authorization:
            return authorization.split(" ", 1)[0]
        return self.params.get("SignatureMethod", "")

    def business_key(self) -> tuple[Any, ...]:
        """What identifies the request apart from its signature, nonce, time and credentials."""
        params = tuple(sorted((k, v) for k, v in self.params.items() if k.lower() not in VOLATILE))
        headers = tuple(sorted((k.lower(), v) for k, v in self.headers
                               if k.lower() not in VOLATILE and k.lower().startswith(("x-acs-", "x-tc-"))))
        return self.method, self.path, params, headers


def signature_values(requests: list[RawRequest]) -> list[str]:
    """Every signature the client computed, as received: ``Signature`` parameters and ``Signature=`` in headers.

    These are what a byte scan of the run's output must not find (issue 14): the suite
    computes them, so only the server sees them all.
    """
    found: list[str] = []
    for request in requests:
        if request.params.get("Signature"):
            found.append(request.params["Signature"])
        authorization = request.header("authorization")
        if "Signature=" in authorization:
            found.append(authorization.split("Signature=", 1)[1].split(",", 1)[0].strip())
    return list(dict.fromkeys(found))


def _flatten(value: Any, prefix: str, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _flatten(item, f"{prefix}.{index}", out)
    else:
        out[prefix] = value if isinstance(value, str) else json.dumps(value)


def _read_request(conn: socket.socket, buffer: bytearray) -> RawRequest | None:
    """Read one HTTP/1.1 request (Content-Length bodies only); ``None`` when the peer is gone."""
    while b"\r\n\r\n" not in buffer:
        if len(buffer) > MAX_HEAD:
            return None
        data = conn.recv(65536)
        if not data:
            return None
        buffer += data
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    try:
        method, target, _version = lines[0].split(" ", 2)
    except ValueError:
        return None
    headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:]) if k.strip()]
    length = next((int(v) for k, v in headers if k.lower() == "content-length" and v.isdigit()), 0)
    if length > MAX_BODY:
        return None
    body = bytearray(rest)
    while len(body) < length:
        data = conn.recv(65536)
        if not data:
            return None
        body += data
    buffer[:] = body[length:]
    request = RawRequest(method, target, headers, bytes(body[:length]))
    params = dict(parse_qsl(urlsplit(target).query, keep_blank_values=True))
    content_type = request.header("content-type")
    if content_type.startswith("application/x-www-form-urlencoded"):
        params.update(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
    elif content_type.startswith("application/json") and request.body:
        try:
            _flatten(json.loads(request.body), "", params)
        except ValueError:
            pass
    request.params = params
    return request


def response_head(status: int = 200, headers: list[tuple[str, str]] | None = None, *, length: int | None = None,
                  reason: str = "OK") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"]
    for key, value in headers or []:
        # header values must be one latin-1 line: anything else is dropped, not smuggled
        safe = value.replace("\r", " ").replace("\n", " ").encode("latin-1", "replace").decode("latin-1")
        lines.append(f"{key}: {safe}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


# ---------------------------------------------------------------- answers


def _instances(vendor: str, region: str, names: list[str]) -> list[dict[str, Any]]:
    if vendor == "alibaba":
        return [{"InstanceId": f"i-hostile{n:06d}", "InstanceName": name, "RegionId": region,
                 "ZoneId": f"{region}-a", "Status": "Running", "InstanceType": "ecs.g6.large", "Cpu": 2,
                 "Memory": 8192, "CreationTime": "2024-01-01T00:00Z", "VpcAttributes": {"VpcId": "vpc-hostile"},
                 "Tags": {"Tag": []}, "OperationLocks": {"LockReason": []}}
                for n, name in enumerate(names)]
    return [{"InstanceId": f"ins-host{n:04d}", "InstanceName": name, "Placement": {"Zone": f"{region}-1"},
             "InstanceState": "RUNNING", "InstanceType": "S5.MEDIUM2", "CPU": 2, "Memory": 4,
             "CreatedTime": "2024-01-01T00:00:00Z", "VirtualPrivateCloud": {"VpcId": "vpc-hostile"}, "Tags": []}
            for n, name in enumerate(names)]


def _page(vendor: str, request: RawRequest, items: list[dict[str, Any]]) -> tuple[int, int, list[dict[str, Any]]]:
    def number(name: str, default: int) -> int:
        try:
            return int(request.params.get(name, default))
        except ValueError:
            return default

    if vendor == "alibaba":
        page, size = max(number("PageNumber", 1), 1), min(max(number("PageSize", 10), 1), 100)
        return page, size, items[(page - 1) * size: page * size]
    offset, limit = max(number("Offset", 0), 0), min(max(number("Limit", 20), 1), 100)
    return offset, limit, items[offset: offset + limit]


def listing(vendor: str, request: RawRequest, names: list[str], request_id: str = "hostile-request") -> dict[str, Any]:
    """A DescribeInstances listing in the vendor's shape, paged as the request asks, named ``names``."""
    region = request.params.get("RegionId") or request.params.get("Region") or request.header("x-tc-region") or \
        ("cn-hangzhou" if vendor == "alibaba" else "ap-guangzhou")
    items = _instances(vendor, region, names)
    first, size, page = _page(vendor, request, items)
    if vendor == "alibaba":
        return {"RequestId": request_id, "TotalCount": len(items), "PageNumber": first, "PageSize": size,
                "Instances": {"Instance": page}}
    return {"Response": {"RequestId": request_id, "TotalCount": len(items), "InstanceSet": page}}


def error(vendor: str, code: str, message: str, request_id: str = "hostile-request") -> dict[str, Any]:
    if vendor == "alibaba":
        return {"RequestId": request_id, "HostId": "ecs.aliyuncs.com", "Code": code, "Message": message}
    return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}


def _xml(name: str, value: Any) -> str:
    if isinstance(value, dict):
        return f"<{name}>" + "".join(_xml(k, v) for k, v in value.items()) + f"</{name}>"
    if isinstance(value, list):
        return "".join(_xml(name, v) for v in value) if value else f"<{name}></{name}>"
    return f"<{name}>{escape(str(value))}</{name}>"


def render(vendor: str, request: RawRequest, document: dict[str, Any]) -> tuple[str, bytes]:
    """The document as the request asked: XML when an Alibaba request says ``Format=XML``, JSON otherwise."""
    if vendor == "alibaba" and request.params.get("Format", "").upper() == "XML":
        root = "Error" if "Code" in document else "DescribeInstancesResponse"
        return "text/xml", ('<?xml version="1.0" encoding="UTF-8"?>\n' + _xml(root, document)).encode()
    return "application/json; charset=utf-8", json.dumps(document, ensure_ascii=False).encode()


def echoed(request: RawRequest) -> list[str]:
    """Every parameter, header and the body of ``request``, raw, URL-encoded and JSON-escaped."""
    values = [request.target, request.body.decode("utf-8", "replace")]
    values += [f"{k}={v}" for k, v in request.params.items()] + list(request.params.values())
    values += [f"{k}: {v}" for k, v in request.headers] + [v for _k, v in request.headers]
    out: list[str] = []
    for value in values:
        for form in (value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]):
            if form and form not in out:
                out.append(form)
    return out


# ---------------------------------------------------------------- servers


class HostileServer:
    """A loopback HTTP server that answers each request with :meth:`answer`; subclasses misbehave.

    ``vendor`` ("alibaba" or "tencent") chooses the shape of the answers. The server stops by
    itself after ``lifetime_s`` seconds or ``max_connections`` connections, and when its
    ``with`` block ends.
    """

    def __init__(self, vendor: str = "tencent", *, lifetime_s: float = 600.0, max_connections: int = 20000,
                 max_requests_per_connection: int = 5000, host: str = LOOPBACK) -> None:
        if vendor not in ("alibaba", "tencent"):
            raise ValueError(f"vendor {vendor!r} is not alibaba or tencent")
        if not host.startswith("127."):
            raise ValueError(f"{host!r} is not a loopback address: these servers listen on loopback only")
        self.vendor = vendor
        self.lifetime_s = lifetime_s
        self.max_connections = max_connections
        self.max_requests_per_connection = max_requests_per_connection
        self.requests: int = 0
        #: The requests received, in order (at most ``MAX_KEPT``): what a test scans for.
        self.received: list[RawRequest] = []
        self.stopped = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, 0))
        self._sock.listen(64)
        self._sock.settimeout(0.2)
        self.host = host
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://{host}:{self.port}/"

    # -- life

    def start(self) -> "HostileServer":
        thread = threading.Thread(target=self._accept_loop, name=f"{type(self).__name__}-accept", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self.stopped.set()
        ends = time.monotonic() + 5.0  # connection threads notice within ~1 s; never wait longer than this
        for thread in list(self._threads):
            thread.join(timeout=max(ends - time.monotonic(), 0.0))
        self._sock.close()

    def __enter__(self) -> "HostileServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        ends = time.monotonic() + self.lifetime_s
        accepted = 0
        while not self.stopped.is_set() and time.monotonic() < ends and accepted < self.max_connections:
            try:
                conn, _addr = self._sock.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                break
            accepted += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)
        self.stopped.set()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.2)
        buffer = bytearray()
        try:
            for _ in range(self.max_requests_per_connection):
                request = None
                while request is None and not self.stopped.is_set():
                    try:
                        request = _read_request(conn, buffer)
                        if request is None:
                            return
                    except (TimeoutError, socket.timeout):
                        continue
                if request is None:
                    return
                with self._lock:
                    self.requests += 1
                    number = self.requests
                    if len(self.received) < MAX_KEPT:
                        self.received.append(request)
                conn.settimeout(30.0)
                keep = self.answer(conn, request, number)
                conn.settimeout(0.2)
                if not keep or request.header("connection").lower() == "close":
                    return
        except OSError:  # the client went away: that is the client's right
            return
        finally:
            try:
                conn.close()
            except OSError:
                pass

    # -- answers

    def send(self, conn: socket.socket, status: int, content_type: str, body: bytes,
             headers: list[tuple[str, str]] | None = None) -> bool:
        conn.sendall(response_head(status, [("Content-Type", content_type), *(headers or [])], length=len(body))
                     + body)
        return True

    def proper(self, conn: socket.socket, request: RawRequest) -> bool:
        """A plain, valid listing of three instances: what a healthy endpoint would answer."""
        content_type, body = render(self.vendor, request,
                                    listing(self.vendor, request, ["web-1", "web-2", "db-1"]))
        return self.send(conn, 200, content_type, body)

    def answer(self, conn: socket.socket, request: RawRequest, number: int) -> bool:
        """Answer ``request`` (the ``number``-th one); return False to close the connection."""
        return self.proper(conn, request)


class EchoServer(HostileServer):
    """Issue 14, "Credentials written when the endpoint echoes them".

    Answers a valid-looking listing whose instance names, ``RequestId`` and response headers
    (``x-acs-request-id``, ``X-Echo-*``) carry every request parameter, header and the body,
    raw, URL-encoded and JSON-escaped. Requests whose credentials are not ``key_id`` (the
    authentication checks), or that ask for more than 100 per page, get an error whose message
    carries the same echo.
    """

    def __init__(self, vendor: str = "tencent", *, key_id: str = "", **kwargs: Any) -> None:
        super().__init__(vendor, **kwargs)
        self.key_id = key_id

    def _sent_key(self, request: RawRequest) -> str:
        key = request.params.get("AccessKeyId") or request.params.get("SecretId") or ""
        if not key:
            authorization = request.header("authorization")
            for marker in ("Credential=",):
                if marker in authorization:
                    key = authorization.split(marker, 1)[1].split("/", 1)[0].split(",", 1)[0]
        return key

    def answer(self, conn: socket.socket, request: RawRequest, number: int) -> bool:
        echo = echoed(request)
        request_id = " | ".join(echo)[:4000]
        size = request.params.get("PageSize") or request.params.get("Limit") or "10"
        if self.key_id and self._sent_key(request) != self.key_id:
            code = "InvalidAccessKeyId.NotFound" if self.vendor == "alibaba" else "AuthFailure.SecretIdNotFound"
            document = error(self.vendor, code, "unknown key: " + " | ".join(echo), request_id)
            status = 404 if self.vendor == "alibaba" else 200
        elif size.isdigit() and int(size) > 100:
            code = "InvalidParameter" if self.vendor == "alibaba" else "InvalidParameterValue.LimitExceeded"
            document = error(self.vendor, code, "bad page size: " + " | ".join(echo), request_id)
            status = 400 if self.vendor == "alibaba" else 200
        else:
            document, status = listing(self.vendor, request, echo, request_id), 200
        content_type, body = render(self.vendor, request, document)
        headers = [("x-acs-request-id", request_id[:2000]), ("X-Request-Id", request_id[:2000])]
        headers += [(f"X-Echo-{n}", value[:2000]) for n, value in enumerate(echo[:200])]
        return self.send(conn, status, content_type, body, headers)


class DeepJSONServer(HostileServer):
    """Issue 14, "Deep nesting crashes checks": a JSON answer nested ``depth`` (100,000) deep."""

    def __init__(self, vendor: str = "tencent", *, depth: int = 100_000, **kwargs: Any) -> None:
        super().__init__(vendor, **kwargs)
        self.body = ("[" * depth + "]" * depth).encode()
        if vendor == "tencent":
            self.body = b'{"Response": {"RequestId": "deep", "InstanceSet": ' + self.body + b"}}"
        else:
            self.body = b'{"RequestId": "deep", "Instances": {"Instance": ' + self.body + b"}}"

    def answer(self, conn: socket.socket, request: RawRequest, number: int) -> bool:
        return self.send(conn, 200, "application/json", self.body)


class DeepXMLServer(HostileServer):
    """Issue 14, "Alibaba XML nested 100,000 deep" (xmlcodec._decode): every answer is that XML."""

    def __init__(self, vendor: str = "alibaba", *, depth: int = 100_000, **kwargs: Any) -> None:
        super().__init__(vendor, **kwargs)
        self.body = (b'<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstancesResponse><RequestId>deep</RequestId>'
                     b"<Instances>" + b"<Instance>" * depth + b"</Instance>" * depth
                     + b"</Instances></DescribeInstancesResponse>")

    def answer(self, conn: socket.socket, request: RawRequest, number: int) -> bool:
        return self.send(conn, 200, "text/xml", self.body)


class OversizeServer(HostileServer):
    """Issue 14, "A 200 MB answer (a streamed array of zeros)": ``[0,0,0,…]`` chunked, no Content-Length."""

    def __init__(self, vendor: str = "tencent", *, size: int = 200 * 1024 * 1024, **kwargs: Any) -> None:
        super().__init__(vendor, **kwargs)
        self.size = size

    def answer(self, conn: socket.socket, request: RawRequest, number: int) -> bool:
        conn.sendall(response_head(200, [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")]))
        piece = b"0," * 32768
        sent = 0
        first = True
        while sent < self.size and not self.stopped.is_set():
            data = (b"[" if first else b"") + piece
            first = False
            conn.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            sent += len(data)
        conn.sendall(b"2\r\n0]\r\n0\r\n\r\n")
        return True


class LyingGzipServer(HostileServer):
    """Issue 14, "A lying Content-Encoding: gzip": every answer (pre-flight included) says gzip and is not."""

    def answer(self, conn: socket.socket, request: RawRequest, number: int) -> bool:
        content_type, body = render(self.vendor, request, listing(self.vendor, request, ["web-1", "web-2"]))
        return self.send(conn, 200, content_type, body, [("Content-Encoding", "gzip")])


class GzipBombServer(HostileServer):
    """A decompression bomb: ``inflated`` bytes of zeros in a small, honest gzip (the size cap must hold decoded)."""

    def __init__(self, vendor: str = "tencent", *, inflated: int = 256 * 1024 * 1024, **kwargs: Any) -> None:
        super().__init__(vendor, **kwargs)
        compressor = gzip.compress(b" " * (1024 * 1024), compresslevel=9)
        # a gzip file may hold several members: repeating one member inflates to the sum
        self.body = compressor * (inflated // (1024 * 1024))

    def answer(self, conn: socket.socket, request: RawRequest, number: int) -> bool:
        return self.send(conn, 200, "application/json", self.body, [("Content-Encoding", "gzip")])


LOGIN_PAGE = (b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form method=post action=/login>"
              b"<input name=user><input name=password type=password><button>Sign in</button></form></body></html>")


class LoginPageServer(HostileServer):
    """Issue 14, "An HTML login page served with HTTP 200 the first time each request is sent".

    The first time a request is seen (by its business parameters: signature, nonce, time and
    credentials ignored) it gets a 200 ``text/html`` login page; the same request sent again
    gets a proper listing.
    """

    def __init__(self, vendor: str = "tencent", **kwargs: Any) -> None:
        super().__init__(vendor, **kwargs)
        self.seen: set[tuple[Any, ...]] = set()

    def answer(self, conn: socket.socket, request: RawRequest, number: int) -> bool:
        key = request.business_key()
        with self._lock:
            first = key not in self.seen
            self.seen.add(key)
        if first:
            return self.send(conn, 200, "text/html; charset=utf-8", LOGIN_PAGE)
        return self.proper(conn, request)


class StallServer(HostileServer):
    """Issue 14, "A stalled endpoint (one request accepted and never answered)".

    With ``only=None`` every request is accepted and never answered. With ``only=N`` only the
    N-th request is (the others get a proper listing), which is the case that exited 0. A
    stalled connection is held until the server stops; nothing is ever sent on it.
    """

    def __init__(self, vendor: str = "tencent", *, only: int | None = None, **kwargs: Any) -> None:
        super().__init__(vendor, **kwargs)
        self.only = only

    def answer(self, conn: socket.socket, request: RawRequest, number: int) -> bool:
        if self.only is not None and number != self.only:
            return self.proper(conn, request)
        self.stopped.wait(self.lifetime_s)
        return False


class DripServer(HostileServer):
    """Issue 14, "A dripping endpoint (headers, then one byte every 2 s)".

    Sends the headers of a JSON answer announcing ``length`` bytes, then one byte every
    ``interval_s`` seconds until the client leaves or the server stops. With
    ``drip_headers=True`` the headers themselves are dripped (a stall *before* the headers
    that no per-read timeout catches).
    """

    def __init__(self, vendor: str = "tencent", *, interval_s: float = 2.0, length: int = 100_000,
                 drip_headers: bool = False, **kwargs: Any) -> None:
        super().__init__(vendor, **kwargs)
        self.interval_s = interval_s
        self.length = length
        self.drip_headers = drip_headers

    def _drip(self, conn: socket.socket, data: bytes) -> Iterator[None]:
        for index in range(len(data)):
            conn.sendall(data[index:index + 1])
            yield

    def answer(self, conn: socket.socket, request: RawRequest, number: int) -> bool:
        head = response_head(200, [("Content-Type", "application/json")], length=self.length)
        body = b"[" + b"0," * (self.length // 2)
        if self.drip_headers:
            stream = self._drip(conn, head + body)
        else:
            conn.sendall(head)
            stream = self._drip(conn, body)
        for _ in stream:
            if self.stopped.wait(self.interval_s):
                break
        return False


class OtherHostServer(HostileServer):
    """Issue 19, the host a redirect points at: on 127.0.0.2, it answers a proper listing and counts.

    ``requests`` counts every request it received (and ``received`` keeps them): a client that
    follows a redirect shows up here, with whatever it carried. The tests expect 0.
    """

    def __init__(self, vendor: str = "tencent", *, host: str = OTHER_LOOPBACK, **kwargs: Any) -> None:
        super().__init__(vendor, host=host, **kwargs)


REDIRECT_STATUSES = (301, 302, 303, 307, 308)
REDIRECT_REASONS = {301: "Moved Permanently", 302: "Found", 303: "See Other", 307: "Temporary Redirect",
                    308: "Permanent Redirect"}


class RedirectServer(HostileServer):
    """Issue 19, "the client category follows redirects": answers ``status`` pointing at ``location``.

    ``Location`` is ``location`` with the request's own path and query (a proxy moved elsewhere
    would say so), so a client that follows sends its signed query, and on 307/308 its signed
    body, to that host. With ``spare_walk`` (the default) the suite's own requests of a full
    page (100) get a proper listing: the discovery walk must be read before the SDKs are
    pointed at the target, and every other request (the pre-flight, each SDK request in each
    signing mode) is redirected. Without it, every request is. ``redirected`` keeps the
    requests answered with a redirect.
    """

    def __init__(self, vendor: str = "tencent", *, status: int = 302, location: str = "",
                 spare_walk: bool = True, **kwargs: Any) -> None:
        super().__init__(vendor, **kwargs)
        if status not in REDIRECT_REASONS:
            raise ValueError(f"{status} is not a redirect status ({', '.join(map(str, REDIRECT_STATUSES))})")
        self.status = status
        self.location = location.rstrip("/")
        self.spare_walk = spare_walk
        self.redirected: list[RawRequest] = []

    def _walk(self, request: RawRequest) -> bool:
        size = request.params.get("PageSize") or request.params.get("Limit")
        return self.spare_walk and request.from_suite and size == "100"

    def answer(self, conn: socket.socket, request: RawRequest, number: int) -> bool:
        if self._walk(request):
            return self.proper(conn, request)
        with self._lock:
            self.redirected.append(request)
        body = b"<html><body>Moved</body></html>"
        conn.sendall(response_head(self.status, [("Location", self.location + request.target),
                                                 ("Content-Type", "text/html")],
                                   length=len(body), reason=REDIRECT_REASONS[self.status]) + body)
        return True


SERVERS: dict[str, type[HostileServer]] = {
    "echo": EchoServer, "deep-json": DeepJSONServer, "deep-xml": DeepXMLServer, "oversize": OversizeServer,
    "lying-gzip": LyingGzipServer, "gzip-bomb": GzipBombServer, "login-page": LoginPageServer,
    "stall": StallServer, "drip": DripServer, "redirect": RedirectServer,
}


def main() -> None:  # pragma: no cover - for measuring by hand: python tests/hostile_servers.py echo tencent
    import sys

    name, vendor = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "tencent"
    kwargs: dict[str, Any] = {}
    for arg in sys.argv[3:]:
        key, _, value = arg.partition("=")
        kwargs[key] = int(value) if value.isdigit() else value
    with SERVERS[name](vendor, **kwargs) as server:
        print(server.url, flush=True)
        server.stopped.wait(server.lifetime_s)


if __name__ == "__main__":  # pragma: no cover
    main()
