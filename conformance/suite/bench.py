"""How long the whole suite takes: ``python -m conformance.suite.bench`` (``make bench``).

Runs ``conformance run`` (both vendors, all categories, the embedded
emulator) several times as a user would, and prints the median wall time and
the requests each run sent. Not a test: the figures go to the README.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.suite.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("run_args", nargs="*", help="extra arguments for conformance run")
    args = parser.parse_args(argv)
    times, requests, codes = [], [], []
    with tempfile.TemporaryDirectory() as directory:
        for n in range(args.repeat):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "conformance", "run", "--report-dir", directory,
                                   *args.run_args], capture_output=True, text=True)
            times.append(time.perf_counter() - started)
            report = json.load(open(os.path.join(directory, "conformance.json"), encoding="utf-8"))
            requests.append(report["requests"])
            codes.append(done.returncode)
            print(f"run {n + 1}: {times[-1]:.1f} s, {report['requests']} requests, {len(report['results'])} results, "
                  f"exit {done.returncode}", flush=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"median of {args.repeat}: {statistics.median(times):.1f} s (min {min(times):.1f}, max {max(times):.1f}), "
          f"{statistics.median(requests):.0f} requests, exit codes {sorted(set(codes))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
