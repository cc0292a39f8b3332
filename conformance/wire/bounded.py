"""Reading an untrusted endpoint's answer within bounds of time, size and depth.

Users point the suite at vendors, mocks and whatever URL they type (issue 14).
Whatever that endpoint answers, reading it must end by a deadline, hold at most
a fixed number of bytes, and never recurse as deep as the answer nests. Each
bound that is hit becomes an :class:`AnswerRefused` with a sentence a report
can show as the requirement's result, never a traceback.

This module imports nothing from the rest of ``conformance`` so that it can be
plugged into the client and the parsers wherever they end up.

Why each piece is built the way it is:

* httpx's timeouts are per operation (each ``recv`` gets the full read
  timeout), so a server dripping one byte every two seconds is waited on
  forever. :func:`send_bounded` keeps an overall deadline with a watchdog
  thread that shuts the socket down when the deadline passes, and also gives
  every read a timeout no larger than the time left.
* The content encoding is undone here, not by httpx, so that the size cap
  applies to *decoded* bytes while decoding (a 50 kB gzip that inflates to
  50 GB stops at the cap) and so that a lying ``Content-Encoding`` is a
  refusal, not an ``httpx.DecodingError`` escaping as a crash.
* JSON and XML nesting is measured without recursion before anything
  recursive (``json.loads``, ``ElementTree`` walkers, jsonschema) sees it.
"""

from __future__ import annotations

import heapq
import itertools
import json
import os
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable
from typing import Any, Literal
from xml.etree import ElementTree

import httpx

__all__ = ["AnswerRefused", "DEFAULT_DEADLINE_S", "DEFAULT_MAX_BYTES", "DEFAULT_MAX_DEPTH", "bounded_client",
           "check_xml_depth", "describe_size", "loads_json", "send_bounded"]

#: The largest answer read, after decoding. A DescribeInstances page of 100 instances is ~200 kB;
#: 32 MB leaves two orders of magnitude of room and keeps a run far under its memory bound.
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
#: The deepest nesting accepted in JSON or XML. Answers of these APIs are about 6 deep (the error
#: documents 2); 64 is ten times that, and far under Python's recursion limit for every walker
#: that later recurses over the document (pretty-printing, schema validation, XML decoding).
DEFAULT_MAX_DEPTH = 64
#: A default overall deadline for one request: connect, headers and body together.
DEFAULT_DEADLINE_S = 30.0

RefusalKind = Literal["too-large", "too-deep", "undecodable", "deadline"]

#: Encodings this module decodes itself (so the size cap holds on decoded bytes).
ACCEPTED_ENCODINGS = "gzip, deflate"
_CHUNK = 64 * 1024


class AnswerRefused(Exception):
    """The answer was not read or not parsed because it broke a bound.

    ``reason`` is a sentence for the report ("the answer was over the 32 MB limit");
    ``kind`` is one of ``too-large``, ``too-deep``, ``undecodable``, ``deadline`` so that
    callers can decide (a deadline is like a timeout: inconclusive; the others are the
    endpoint's answer and can be judged).
    """

    def __init__(self, kind: RefusalKind, reason: str) -> None:
        super().__init__(reason)
        self.kind: RefusalKind = kind
        self.reason: str = reason


def describe_size(size: int) -> str:
    """``1536`` -> ``"1.5 kB"``, ``200 * 2**20`` -> ``"200 MB"``: sizes as a person reads them (binary units)."""
    for unit, scale in (("MB", 1024 * 1024), ("kB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value >= 10 or value.is_integer() else f"{value:.1f} {unit}"
    return f"{size} bytes"


# ---------------------------------------------------------------- decoding


class _Decoder:
    """One content-coding undone incrementally, never producing more than asked for per call."""

    def __init__(self, name: str) -> None:
        self.name = name
        if name == "gzip" or name == "x-gzip":
            self._z: Any = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif name == "deflate":
            self._z = None  # zlib-wrapped or raw: decided on the first bytes, as browsers do
        else:
            raise AnswerRefused("undecodable", f"the answer's Content-Encoding {name!r} is not one the suite asked for "
                                               f"({ACCEPTED_ENCODINGS})")
        self._pending = b""
        self._fed = False

    def _start_deflate(self, data: bytes) -> None:
        # RFC 9110 deflate is zlib-wrapped; some servers send raw deflate. A zlib header has
        # (CMF*256 + FLG) % 31 == 0 and CM == 8.
        wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
        self._z = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def decode(self, data: bytes, limit: int) -> bytes:
        """Decode ``data`` (plus what was held back), returning at most ``limit + 1`` bytes.

        Returning one byte more than the limit is how the caller learns the cap is broken
        without ever inflating a bomb further than that.
        """
        self._fed = self._fed or bool(data)
        if self._z is None:
            if len(self._pending) + len(data) < 2:
                self._pending += data
                return b""
            data, self._pending = self._pending + data, b""
            self._start_deflate(data)
        try:
            out = self._z.decompress(data, limit + 1)
            while len(out) <= limit:
                if self._z.unconsumed_tail:
                    # max_length stopped it early with input left over: drain within the limit
                    out += self._z.decompress(self._z.unconsumed_tail, limit + 1 - len(out))
                elif self._z.eof and self._z.unused_data.strip(b"\0"):
                    rest = self._z.unused_data
                    if self.name == "deflate" or rest[:2] != b"\x1f\x8b"[:len(rest[:2])]:
                        raise AnswerRefused("undecodable",
                                            f"the answer has bytes after the end of its {self.name} stream")
                    # RFC 1952: a gzip file may hold several members, decoded one after the other
                    self._z = zlib.decompressobj(zlib.MAX_WBITS | 16)
                    out += self._z.decompress(rest, limit + 1 - len(out))
                else:
                    break
        except zlib.error as exc:
            raise AnswerRefused("undecodable", f"the answer says Content-Encoding: {self.name} but is not "
                                               f"{self.name} ({exc})") from None
        return out

    def finish(self) -> None:
        if not self._fed:  # an empty body is empty in any coding (a 204, an empty error)
            return
        if self._z is None:
            if self._pending:
                raise AnswerRefused("undecodable", f"the answer says Content-Encoding: {self.name} but is not "
                                                   f"{self.name} (too short)")
            return
        if not self._z.eof:
            raise AnswerRefused("undecodable", f"the answer says Content-Encoding: {self.name} but its "
                                               f"{self.name} stream is truncated or is not {self.name}")


def _decoders(response: httpx.Response) -> list[_Decoder]:
    names: list[str] = []
    for header in response.headers.get_list("content-encoding"):
        names += [n.strip().lower() for n in header.split(",") if n.strip()]
    # Codings are listed in the order they were applied: undo them last first.
    return [_Decoder(n) for n in reversed(names) if n != "identity"]


# ---------------------------------------------------------------- transport

#: The request extension through which :func:`send_bounded` tells a :func:`bounded_client`'s
#: transport how many raw bytes it may read.
RAW_LIMIT_EXTENSION = "conformance.max_raw_bytes"


class _CappedStream:
    """An httpcore response stream that refuses to yield more than ``limit`` raw bytes."""

    def __init__(self, stream: Any, limit: int) -> None:
        self._stream = stream
        self._limit = limit

    def __iter__(self) -> Any:
        seen = 0
        for chunk in self._stream:
            seen += len(chunk)
            if seen > self._limit:
                raise AnswerRefused("too-large", f"the answer was over the {describe_size(self._limit)} limit "
                                                 f"(reading stopped at {describe_size(self._limit)})")
            yield chunk

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class _CappedPool:
    """Wraps httpcore's connection pool so that the size cap holds *below* anything patching httpx.

    vcrpy (``--record``) replaces ``httpx.HTTPTransport.handle_request`` with a version that
    reads the whole body before httpx returns, so a cap applied while streaming in
    :func:`send_bounded` would come after 200 MB were already in memory. The pool is under
    that patch: a cap here is applied while vcrpy reads.
    """

    def __init__(self, pool: Any) -> None:
        self._pool = pool

    def handle_request(self, request: Any) -> Any:
        response = self._pool.handle_request(request)
        limit = request.extensions.get(RAW_LIMIT_EXTENSION)
        if isinstance(limit, int):
            announced = next((v for k, v in response.headers if k.lower() == b"content-length"), b"")
            if announced.strip().isdigit() and int(announced) > limit:
                _CappedStream(response.stream, limit).close()
                raise AnswerRefused("too-large", f"the answer was {describe_size(int(announced))} (Content-Length), "
                                                 f"over the {describe_size(limit)} limit")
            response.stream = _CappedStream(response.stream, limit)
        return response

    def close(self) -> None:
        self._pool.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


def bounded_client(**kwargs: Any) -> httpx.Client:
    """An ``httpx.Client`` (``kwargs`` as for it) whose transport enforces :func:`send_bounded`'s size cap itself.

    Use it for every request to the endpoint: with a plain client the cap holds too, except
    under vcrpy recording (see :class:`_CappedPool`). Reaches into ``HTTPTransport._pool``,
    httpx's one private attribute used here; if a future httpx renames it the client is
    returned unwrapped and :func:`send_bounded` still caps whatever is not recorded.

    It never follows a redirect, whatever ``follow_redirects`` says: a request goes to the host
    the user named and nowhere else (issue 19), and a 3xx is the answer.
    """
    kwargs["follow_redirects"] = False
    transport_options: dict[str, Any] = {k: kwargs.pop(k) for k in ("verify", "cert", "http1", "http2", "limits", "proxy")
                         if k in kwargs}
    if "trust_env" in kwargs:
        transport_options["trust_env"] = kwargs["trust_env"]
    transport = httpx.HTTPTransport(**transport_options)
    if hasattr(transport, "_pool"):
        transport._pool = _CappedPool(transport._pool)  # type: ignore[assignment]  # noqa: SLF001 - see above
    return httpx.Client(transport=transport, **kwargs)


# ---------------------------------------------------------------- sending


class _Alarms:
    """One thread that calls each request's alarm when its deadline passes.

    A ``threading.Timer`` per request cost a thread start (and the switches it brings) for each
    of the hundreds of requests of a run, nearly all of which finish long before their deadline.
    Cancelled alarms stay in the heap until their time, and are then dropped unheard.
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._heap: list[list[Any]] = []
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None
        self._order = itertools.count()

    def add(self, delay_s: float, alarm: Callable[[], None]) -> list[Any]:
        """Call ``alarm`` (on the alarms' thread) after ``delay_s``; the entry returned cancels it."""
        entry = [time.monotonic() + max(delay_s, 0.0), next(self._order), alarm]
        with self._ready:
            heapq.heappush(self._heap, entry)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="conformance-deadlines", daemon=True)
                self._thread.start()
            self._ready.notify()
        return entry

    def cancel(self, entry: list[Any]) -> None:
        with self._ready:
            entry[2] = None

    def _run(self) -> None:
        with self._ready:
            while True:
                while self._heap and self._heap[0][2] is None:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._ready.wait()
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._ready.wait(wait)
                    continue
                entry = heapq.heappop(self._heap)
                alarm, entry[2] = entry[2], None
                self._ready.release()
                try:
                    alarm()
                except Exception:  # noqa: BLE001, S110 - an alarm only shuts sockets down; the next must still ring
                    pass
                finally:
                    self._ready.acquire()


_ALARMS = _Alarms()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_ALARMS._reset)  # noqa: SLF001 - a forked child has no alarms' thread


class _Watchdog:
    """Shuts the request's socket down once the deadline passes, whatever httpx is blocked in.

    A blocked ``recv`` does not return when another thread ``close()``\\ s its socket, but does
    on ``shutdown()``: httpx then sees the connection end and raises, and the caller, seeing
    ``fired``, reports the deadline instead.
    """

    def __init__(self, deadline_s: float) -> None:
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._deadline_s = deadline_s
        self._alarm: list[Any] | None = None

    def start(self) -> None:
        self._alarm = _ALARMS.add(self._deadline_s, self._fire)

    def watch(self, network_stream: Any) -> None:
        sock = network_stream.get_extra_info("socket") if network_stream is not None else None
        if isinstance(sock, socket.socket):
            with self._lock:
                self._sockets.append(sock)
                fired = self.fired
            if fired:  # the deadline passed while connecting
                self._shutdown(sock)

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's trace hook: learn the socket as soon as the connection is made."""
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            self.watch(info.get("return_value"))

    @staticmethod
    def _shutdown(sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            self._shutdown(sock)

    def cancel(self) -> None:
        if self._alarm is not None:
            _ALARMS.cancel(self._alarm)


def _spent(exc: httpx.TransportError, deadline: float) -> bool:
    """Whether ``exc`` is the deadline running out rather than a connection problem worth retrying.

    A timeout whose per-read limit was cut to the time left ends a hair before the deadline,
    hence the margin.
    """
    margin = 0.25 if isinstance(exc, httpx.TimeoutException) else 0.0
    return time.monotonic() >= deadline - margin


#: What a response's stream is once its body has been read (see :func:`send_bounded`).
_READ = httpx.ByteStream(b"")


def send_bounded(http: httpx.Client, request: httpx.Request, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 deadline_s: float = DEFAULT_DEADLINE_S) -> tuple[httpx.Response, bytes]:
    """Send ``request`` and read its answer within ``deadline_s`` seconds and ``max_bytes`` decoded bytes.

    Returns the (closed, streamed) response for its status and headers, and the decoded
    body. ``response.content`` is deliberately not filled: callers use the bytes returned,
    which are the only ones known to be bounded.

    Raises :class:`AnswerRefused` when the deadline passes (``deadline``), when the answer
    is larger than ``max_bytes`` (``too-large``: from ``Content-Length`` before reading, or
    while reading, after decoding), or when its content coding is a lie (``undecodable``).
    Connection problems before the deadline are raised as the ``httpx.TransportError``
    they are, so that callers keep retrying them.

    No redirect is followed, whatever ``http`` was built with: the endpoint is not trusted, and
    following would send the signed request to a host the user did not name (issue 19). A 3xx is
    returned as the answer.

    The request's ``Accept-Encoding`` is set to the codings decoded here, and its timeout
    extension to the time left, so that no single read can outlive the deadline even if the
    watchdog cannot see the socket (a connection reused from the pool is only seen once its
    headers have arrived; until then the per-read timeout bounds a stall).
    """
    started = time.monotonic()
    deadline = started + deadline_s
    watchdog = _Watchdog(deadline_s)
    request.headers["Accept-Encoding"] = ACCEPTED_ENCODINGS
    timeout = dict(request.extensions.get("timeout") or http.timeout.as_dict())
    for key in ("connect", "read", "write", "pool"):
        current = timeout.get(key)
        timeout[key] = deadline_s if current is None else min(current, deadline_s)
    request.extensions = {**request.extensions, "timeout": timeout, "trace": watchdog.trace,
                          RAW_LIMIT_EXTENSION: max_bytes}

    def over_deadline() -> AnswerRefused:
        return AnswerRefused("deadline", f"the endpoint did not finish answering within the {round(deadline_s, 1):g} s "
                                         f"deadline for one request")

    watchdog.start()
    response: httpx.Response | None = None
    try:
        try:
            response = http.send(request, stream=True, follow_redirects=False)
        except httpx.TransportError as exc:
            if watchdog.fired or _spent(exc, deadline):
                raise over_deadline() from None
            raise
        watchdog.watch(response.extensions.get("network_stream"))
        if watchdog.fired:
            raise over_deadline()
        announced = response.headers.get("content-length", "")
        decoders = _decoders(response)
        if announced.strip().isdigit() and not decoders and int(announced) > max_bytes:
            raise AnswerRefused("too-large", f"the answer was {describe_size(int(announced))} (Content-Length), over "
                                             f"the {describe_size(max_bytes)} limit")
        body = bytearray()
        try:
            for raw in response.iter_raw(_CHUNK):
                if time.monotonic() >= deadline:
                    raise over_deadline()
                chunk = raw
                for decoder in decoders:
                    chunk = decoder.decode(chunk, max_bytes - len(body))
                body += chunk
                if len(body) > max_bytes:
                    raise AnswerRefused("too-large", f"the answer was over the {describe_size(max_bytes)} limit "
                                                     f"(reading stopped at {describe_size(max_bytes)})")
            for decoder in decoders:
                decoder.finish()
        except httpx.TransportError as exc:
            if watchdog.fired or _spent(exc, deadline):
                raise over_deadline() from None
            raise
        except httpx.StreamError as exc:  # e.g. StreamClosed when the watchdog ended it mid-body
            if watchdog.fired:
                raise over_deadline() from None
            raise AnswerRefused("undecodable", f"the answer could not be read: {type(exc).__name__}: {exc}") from None
        if watchdog.fired:
            raise over_deadline()
        return response, bytes(body)
    finally:
        watchdog.cancel()
        if response is not None:
            try:
                response.close()
            except Exception:  # noqa: BLE001 - closing a connection the watchdog shut down
                pass
            # httpx binds a response and its stream to each other, a reference cycle: a recorder
            # below (vcrpy) keeps the whole answer in it until the garbage collector comes by.
            # The body has been read or refused by now; cutting the cycle frees it at once.
            response.stream = _READ


# ---------------------------------------------------------------- JSON

# A whole JSON string (escapes included, unrolled so the regex engine never backtracks deeply),
# or a single bracket. Everything else is skipped by finditer.
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_OPENERS = frozenset("[{")


_JSON_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_INNERMOST_PAIR = re.compile(r"\[\]|\{\}")


def _certainly_shallow(text: str, max_depth: int) -> bool:
    """True when ``text`` nests no deeper than ``max_depth``, decided by passes of ``re`` in C.

    Strings are dropped, then the brackets alone lose their innermost pairs once per pass: a
    well-nested answer of depth d is empty after d passes. Anything else (deeper, or brackets
    that do not pair up) is left to the exact scan, which also finds the offset to report.
    """
    if "\\" in text:
        outside = _JSON_STRINGS.sub("", text)
    else:  # no escapes: the strings are exactly every other run between quotes (str.split, in C)
        outside = "".join(text.split('"')[::2])
    brackets = _NOT_BRACKETS.sub("", outside)
    if re.search(r"[\[{]{%d}" % (max_depth + 1), brackets):
        return False  # a hostile answer's run of openers: no pass would empty it
    for _ in range(max_depth):
        if not brackets:
            return True
        reduced = _INNERMOST_PAIR.sub("", brackets)
        if reduced == brackets:
            return False
        brackets = reduced
    return not brackets


def json_depth_exceeds(text: str, max_depth: int) -> int | None:
    """The offset where ``text`` first nests deeper than ``max_depth``, or ``None``.

    Iterative: brackets inside strings are skipped, nothing else is parsed. Malformed input
    is not judged here (``json.loads`` does that afterwards, on input now known to be shallow).
    Every answer is checked, so the common case (a shallow answer) takes a fast path first.
    """
    if _certainly_shallow(text, max_depth):
        return None
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in _OPENERS:
            depth += 1
            if depth > max_depth:
                return match.start()
        elif token in ("]", "}"):
            depth -= 1
    return None


def loads_json(text: str | bytes, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """``json.loads`` for untrusted text: nesting deeper than ``max_depth`` is refused first.

    Raises :class:`AnswerRefused` (``too-deep``) for deep nesting and (``undecodable``) for
    bytes that are not UTF-8; invalid JSON raises ``json.JSONDecodeError`` (a ``ValueError``)
    as ``json.loads`` does, since "not valid JSON" is a verdict the checks already give.
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise AnswerRefused("undecodable", f"the answer is not UTF-8 (byte {exc.start}: {exc.reason})") from None
    offset = json_depth_exceeds(text, max_depth)
    if offset is not None:
        raise AnswerRefused("too-deep", f"the answer nests deeper than {max_depth} levels (at character {offset})")
    try:
        return json.loads(text)
    except RecursionError:  # only if max_depth was set above what this interpreter can recurse
        raise AnswerRefused("too-deep", f"the answer nests too deep to decode (limit {max_depth})") from None


# ---------------------------------------------------------------- XML

_FORBIDDEN_XML = (b"<!DOCTYPE", b"<!ENTITY")


def check_xml_depth(body: bytes, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
    """Refuse XML nesting deeper than ``max_depth``, and any DTD, without recursion.

    An answer of these APIs never carries a DOCTYPE, and refusing one outright gives more
    than ``defusedxml`` would (no entity expansion, no external entity, no billion laughs),
    with no extra dependency: ``conformance/xmlcodec.py`` parses with plain ``ElementTree``
    and relies on expat, so this is a strict superset of what it guarantees today.

    The document is fed to ``XMLPullParser`` in chunks and each element is dropped once
    closed, so memory stays proportional to the depth, which is capped. Malformed XML raises
    ``xml.etree.ElementTree.ParseError`` as ``ElementTree.fromstring`` would ("not valid
    XML" is a verdict the checks already give).
    """
    for marker in _FORBIDDEN_XML:
        if marker in body:
            raise AnswerRefused("undecodable", f"the answer's XML declares a DTD or entities ({marker.decode()}), "
                                               "which these APIs never send; it was not parsed")
    parser: Any = ElementTree.XMLPullParser(events=("start", "end"))
    depth = 0
    for offset in range(0, max(len(body), 1), _CHUNK):
        parser.feed(body[offset:offset + _CHUNK])
        for event, element in parser.read_events():
            if event == "start":
                depth += 1
                if depth > max_depth:
                    raise AnswerRefused("too-deep", f"the answer's XML nests deeper than {max_depth} elements")
            else:
                depth -= 1
                element.clear()
    parser.close()
    for _event, _element in parser.read_events():
        pass
