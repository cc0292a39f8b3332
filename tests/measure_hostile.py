"""Measure ``conformance run`` against each hostile server: exit status, time, peak RSS, leaks.

Not a test (nothing asserts): a tool to see how the current code behaves, before and after
the fixes of issue 14 are plugged in. Usage::

    python tests/measure_hostile.py [--vendor tencent] [--signing tc3] [--timeout 120] [NAME ...]

Each run is ``/usr/bin/time -v timeout T conformance run --endpoint <server> --record ...``;
the report dir, cassettes and console are then scanned for the key id, the secret and every
signature the server received.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from hostile_servers import SERVERS, signature_values  # noqa: E402
from secret_scan import scan  # noqa: E402

KEY_ID = "AKIDhostileKey0123456789"
SECRET = "hostileSecret/0123456789+abcdef"
CASES = {
    "echo": {}, "deep-json": {}, "deep-xml": {}, "oversize": {}, "lying-gzip": {}, "login-page": {},
    "stall": {"only": 5}, "stall-all": {}, "drip": {},
}


def measure(name: str, vendor: str, signing: str | None, limit: int, conformance: str) -> dict[str, object]:
    server_class = SERVERS["stall" if name == "stall-all" else name]
    kwargs = dict(CASES[name])
    if name == "echo":
        kwargs["key_id"] = KEY_ID
    if name == "deep-xml":
        vendor = "alibaba"
    work = Path(tempfile.mkdtemp(prefix=f"h-{name}-"))
    with server_class(vendor, lifetime_s=limit + 30, **kwargs) as server:
        timing = work / "time.txt"  # apart from the console: it repeats the command line, secret included
        command = ["/usr/bin/time", "-v", "-o", str(timing), "timeout", str(limit), conformance, "run", "--vendor", vendor,
                   "--endpoint", server.url, "--key-id", KEY_ID, "--key-secret", SECRET,
                   "--report-dir", str(work / "reports"), "--record", "--cassette-dir", str(work / "cassettes")]
        if signing:
            command += ["--signing", signing]
        started = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True, errors="replace", stdin=subprocess.DEVNULL)
        took = time.monotonic() - started
        received = list(server.received)
    measured = timing.read_text() if timing.is_file() else ""
    timing.unlink(missing_ok=True)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", measured)
    status = re.search(r"Exit status: (\d+)", measured)
    console = done.stdout + done.stderr
    signatures = signature_values(received)
    findings = scan([work], [console], [KEY_ID, SECRET])
    signature_findings = scan([work], [console], signatures)
    leaked = {s for s in signatures if any(f" of {s[:4]}" in f for f in signature_findings)}
    result = {
        "server": name, "vendor": vendor, "exit": int(status.group(1)) if status else done.returncode,
        "seconds": round(took, 1), "rss_mb": round(int(rss.group(1)) / 1024) if rss else None,
        "requests": len(received), "traceback": "Traceback" in console,
        "key_findings": len(findings), "signatures_leaked": f"{len(leaked)}/{len(signatures)}",
        "crashes": len(re.findall(r"RecursionError|DecodingError|Traceback", console)),
    }
    shutil.rmtree(work, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vendor", default="tencent")
    parser.add_argument("--signing")
    parser.add_argument("--timeout", type=int, default=120)
    parser.add_argument("--conformance", default=str(Path(sys.executable).parent / "conformance"))
    parser.add_argument("names", nargs="*", default=list(CASES))
    args = parser.parse_args()
    for name in args.names:
        print(measure(name, args.vendor, args.signing, args.timeout, args.conformance), flush=True)


if __name__ == "__main__":
    main()
