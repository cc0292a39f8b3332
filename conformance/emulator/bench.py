"""Throughput and latency of the emulator: ``python -m conformance.emulator.bench`` (``make bench``).

Not a test: it prints figures, and with ``--write docs/figures.md`` (``make bench``)
replaces their sections of that page. For each inventory size the
emulator runs as its own process (``conformance emulator``), exactly as a
user starts it; two client processes, each on one keep-alive connection, send
pre-signed requests back to back, so the figures measure the emulator and not
the client's signing. Scenarios: an unfiltered page of 10, a two-filter query
(status and zone, values drawn from the inventory), and a lookup of one
instance by id.

Two more figures: the start-up time of the fake-cloud fixture (``fake_cloud``,
what a test waits for; the issue's budget is 0.5 s), and the throughput of a
bare ASGI app on the same uvicorn settings answering a fixed body, measured in
the same run with the same requests, so the emulator's share of the cost can be
read as a ratio that does not depend on the machine.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.emulator import DEFAULT_KEY_ID, DEFAULT_KEY_SECRET, inventory
from conformance.figures import write_section
from conformance.vendors import Credentials, Query, adapter
from conformance.vendors.transport import Client

SCENARIOS = ("unfiltered page", "two-filter query", "lookup by id")
TWO_FILTERS = {"alibaba": ("Status", "ZoneId"), "tencent": ("zone", "instance-charge-type")}


def _raw(request) -> bytes:
    target = request.url.raw_path.decode()
    headers = "".join(f"{k}: {v}\r\n" for k, v in request.headers.items() if k.lower() != "content-length")
    body = request.content
    return (f"{request.method} {target} HTTP/1.1\r\n{headers}Content-Length: {len(body)}\r\n\r\n").encode() + body


def build_requests(vendor: str, url: str, items: list[dict], scenario: str, count: int, seed: int) -> list[bytes]:
    a = adapter(vendor)
    region = a.default_region
    client = Client(a, url, region, Credentials(DEFAULT_KEY_ID, DEFAULT_KEY_SECRET))
    rng = random.Random(seed)
    local = [i for i in items if str(a.catalog.item.get("zone", i)).startswith(region + "-")]
    first, second = (a.catalog.filters[name] for name in TWO_FILTERS[vendor])
    pairs = sorted({(v1, v2) for i in local for v1 in first.values(i) for v2 in second.values(i)})
    out = []
    for _ in range(count):
        if scenario == "unfiltered page":
            query = Query(limit=10)
        elif scenario == "two-filter query":
            v1, v2 = rng.choice(pairs)
            query = Query(filters={first.name: [v1], second.name: [v2]}, limit=10)
        else:
            query = Query(ids=[str(a.catalog.item.get("id", rng.choice(local)))])
        out.append(_raw(client.build(query)))
    client.close()
    return out


def _read_response(sock: socket.socket, buffer: bytearray) -> int:
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the emulator closed the connection")
        buffer += chunk
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the emulator closed the connection")
        rest += chunk
    buffer[:] = rest[length:]
    return status


def _worker(host: str, port: int, requests: list[bytes], queue) -> None:
    sock = socket.create_connection((host, port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buffer = bytearray()
    latencies, errors = [], 0
    for raw in requests:
        started = time.perf_counter()
        sock.sendall(raw)
        status = _read_response(sock, buffer)
        latencies.append(time.perf_counter() - started)
        errors += status != 200
    sock.close()
    queue.put((latencies, errors))


def measure(host: str, port: int, requests: list[bytes], clients: int) -> tuple[float, float, float, int]:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    shares = [requests[n::clients] for n in range(clients)]
    processes = [multiprocessing.Process(target=_worker, args=(host, port, share, queue)) for share in shares]
    started = time.perf_counter()
    for p in processes:
        p.start()
    outcomes = [queue.get() for _ in processes]
    elapsed = time.perf_counter() - started
    for p in processes:
        p.join()
    latencies = sorted(x for lat, _ in outcomes for x in lat)
    errors = sum(e for _, e in outcomes)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / elapsed, statistics.median(latencies) * 1000, p99 * 1000, errors


def start_emulator(vendor: str, instances: int) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "conformance", "emulator", "--vendor", vendor,
                                "--instances", str(instances)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("listening on "):
        process.kill()
        raise RuntimeError(f"the emulator did not start: {line!r}")
    return process, line.removeprefix("listening on ")


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The baseline: an ASGI app that reads the request and answers a fixed small JSON body."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    body = b'{"Response":{"TotalCount":0,"InstanceSet":[],"RequestId":"bare"}}'
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def serve_bare() -> int:
    """Serve :func:`bare_app` as ``conformance emulator`` serves the emulator (one line, then until killed)."""
    import uvicorn

    from conformance.emulator.server import bind

    sock = bind("127.0.0.1", 0)
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    uvicorn.Server(uvicorn.Config(bare_app, log_level="warning", access_log=False, lifespan="off")).run(sockets=[sock])
    return 0


def start_bare() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "conformance.emulator.bench", "--serve-bare"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().split()[2]


def fixture_startup(vendor: str, repeat: int = 7) -> tuple[float, float]:
    """Median and worst seconds from ``fake_cloud(vendor)`` called to the block running (default inventory)."""
    from conformance.emulator.fixtures import fake_cloud

    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with fake_cloud(vendor):
            times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.emulator.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--vendor", choices=["alibaba", "tencent"], action="append")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--requests", type=int, default=4000, help="requests per scenario (default 4000)")
    parser.add_argument("--clients", type=int, default=2, help="client processes (default 2)")
    parser.add_argument("--write", type=Path, metavar="PAGE",
                        help="also rewrite the emulator's sections of PAGE (docs/figures.md)")
    parser.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_bare:
        return serve_bare()
    vendors = args.vendor or ["alibaba", "tencent"]
    startup = []
    for vendor in vendors:
        median, worst = fixture_startup(vendor)
        startup.append(f"| {vendor} | {median * 1000:.0f} | {worst * 1000:.0f} |")
        print(f"fixture start-up, {vendor}: median {median * 1000:.0f} ms, worst {worst * 1000:.0f} ms "
              f"(budget 500 ms)", flush=True)
    bare_rate = None
    rows = [f"{args.clients} client processes, {args.requests} requests per scenario. One run.", "",
            "| vendor | instances | scenario | requests/s | p50 ms | p99 ms | errors |",
            "| --- | ---: | --- | ---: | ---: | ---: | ---: |"]
    ratio = ""
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{args.clients} client processes, {args.requests} requests per scenario")
    print(f"{'vendor':8} {'instances':>9}  {'scenario':18} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
    for vendor in vendors:
        for size in args.sizes:
            items = inventory.generate(vendor, size)
            process, url = start_emulator(vendor, size)
            try:
                parts = urlsplit(url)
                host, port = str(parts.hostname), int(parts.port or 80)
                for scenario in SCENARIOS:
                    requests = build_requests(vendor, url, items, scenario, args.requests + 200, seed=size)
                    measure(host, port, requests[:200], 1)  # warm-up
                    rate, p50, p99, errors = measure(host, port, requests[200:], args.clients)
                    print(f"{vendor:8} {size:>9}  {scenario:18} {rate:>8.0f} {p50:>7.2f} {p99:>7.2f} {errors:>6}",
                          flush=True)
                    rows.append(f"| {vendor} | {size:,} | {scenario} | {rate:.0f} | {p50:.2f} | {p99:.2f} | {errors} |")
                    if scenario == SCENARIOS[0] and size == args.sizes[0]:
                        if bare_rate is None:
                            bare_rate = _bare_rate(requests, args.clients)
                        print(f"{'':8} {'':>9}  {'(bare ASGI app)':18} {bare_rate:>8.0f}   the emulator: "
                              f"{rate / bare_rate:.2f}x", flush=True)
                        ratio += (f"\n\nA bare ASGI app on the same server settings answers the same unfiltered "
                                  f"pages at {bare_rate:.0f} requests/s: the {vendor} emulator reaches "
                                  f"{rate / bare_rate:.2f} of it at {size:,} instances.")
            finally:
                process.terminate()
                process.wait(timeout=30)
    if args.write:
        write_section(args.write, "fixture-startup", "\n".join(
            ["| vendor | median ms | worst ms |", "| --- | ---: | ---: |", *startup]))
        write_section(args.write, "emulator", "\n".join(rows) + ratio)
    return 0


def _bare_rate(requests: list[bytes], clients: int) -> float:
    """Requests per second of :func:`bare_app` for the same requests, measured as the emulator is."""
    process, url = start_bare()
    try:
        parts = urlsplit(url)
        host, port = str(parts.hostname), int(parts.port or 80)
        measure(host, port, requests[:200], 1)
        return measure(host, port, requests[200:], clients)[0]
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
