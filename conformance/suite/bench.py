"""How long the whole suite takes: ``python -m conformance.suite.bench`` (``make bench``).

Runs ``conformance run`` several times as a user would, and prints the median
wall time, the requests each run sent (discovery and checks apart) and the
verdict. With ``--scale`` it does so for each vendor against the embedded
emulator at each of ``--sizes`` instances; otherwise once, with the given run
arguments (both vendors by default). Not a test: with ``--write docs/figures.md`` the
figures replace their section of that page (``make bench`` does so).
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
from pathlib import Path
from typing import Any

from conformance.figures import write_section

VERDICTS = {0: "pass", 1: "FAIL", 2: "usage", 3: "undecided"}


def measure(run_args: list[str], repeat: int, label: str = "run") -> dict[str, Any]:
    """``conformance run RUN_ARGS``, ``repeat`` times: median wall time, requests, verdicts."""
    times, reports, codes = [], [], []
    with tempfile.TemporaryDirectory() as directory:
        for n in range(repeat):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "conformance", "run", "--report-dir", directory, *run_args],
                                  capture_output=True, text=True)
            times.append(time.perf_counter() - started)
            with open(os.path.join(directory, "conformance.json"), encoding="utf-8") as handle:
                reports.append(json.load(handle))
            codes.append(done.returncode)
            report = reports[-1]
            print(f"{label} {n + 1}: {times[-1]:.1f} s, {report['requests']} requests "
                  f"({report.get('requests_discovery', '?')} discovery, {report.get('requests_checks', '?')} checks), "
                  f"{len(report['results'])} results, exit {done.returncode}", flush=True)
    last = reports[-1]
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
            "requests": last["requests"], "discovery": last.get("requests_discovery"),
            "checks": last.get("requests_checks"), "codes": sorted(set(codes))}


def scale_table(rows: list[tuple[str, int, dict[str, Any]]], repeat: int) -> str:
    """The ``--scale`` figures as the Markdown table of ``docs/figures.md``."""
    lines = [f"Medians of {repeat} runs.", "",
             "| vendor | instances | wall s | requests | discovery | checks | verdict |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for vendor, size, f in rows:
        verdict = "/".join(VERDICTS.get(c, str(c)) for c in f["codes"])
        lines.append(f"| {vendor} | {size:,} | {f['median_s']:.1f} | {f['requests']} | {f['discovery']} | "
                     f"{f['checks']} | {verdict} |")
    return "\n".join(lines)


def run_sentence(figures: dict[str, Any], repeat: int) -> str:
    """One run's figures as the sentence of ``docs/figures.md``."""
    codes = figures["codes"]
    exits = f"exit {codes[0]} every time" if len(codes) == 1 else "exit statuses " + ", ".join(map(str, codes))
    return (f"Median **{figures['median_s']:.1f} s** of {repeat} runs (min {figures['min_s']:.1f} s, max "
            f"{figures['max_s']:.1f} s), **{figures['requests']} requests** ({figures['discovery']} discovery, "
            f"{figures['checks']} checks), {exits}.")


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.suite.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", action="store_true",
                        help="each vendor against the embedded emulator at each of --sizes instances")
    parser.add_argument("--sizes", default="150,2000,10000", help="inventory sizes for --scale (default 150,2000,10000)")
    parser.add_argument("--vendors", default="alibaba,tencent", help="vendors for --scale")
    parser.add_argument("--write", type=Path, metavar="PAGE",
                        help="also rewrite this run's section of PAGE (docs/figures.md)")
    parser.add_argument("run_args", nargs="*", help="extra arguments for conformance run")
    args = parser.parse_args(argv)
    if not args.scale:
        figures = measure(args.run_args, args.repeat)
        print(f"machine: {machine()}")
        print(f"median of {args.repeat}: {figures['median_s']:.1f} s (min {figures['min_s']:.1f}, max "
              f"{figures['max_s']:.1f}), {figures['requests']} requests ({figures['discovery']} discovery, "
              f"{figures['checks']} checks), exit codes {figures['codes']}")
        if args.write:
            write_section(args.write, "replay" if "--replay" in args.run_args else "default-run",
                          run_sentence(figures, args.repeat))
        return 0
    rows = []
    for vendor in args.vendors.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            figures = measure(["--vendor", vendor, "--instances", str(size), *args.run_args], args.repeat,
                              label=f"{vendor} {size}")
            rows.append((vendor, size, figures))
    print(f"machine: {machine()}; medians of {args.repeat} runs, the embedded emulator (its start included)")
    print(f"{'vendor':8} {'instances':>9} {'wall s':>7} {'requests':>8} {'discovery':>9} {'checks':>6}  verdict")
    for vendor, size, f in rows:
        verdict = "/".join(VERDICTS.get(c, str(c)) for c in f["codes"])
        print(f"{vendor:8} {size:>9} {f['median_s']:>7.1f} {f['requests']:>8} {f['discovery']:>9} {f['checks']:>6}  "
              f"{verdict}")
    if args.write:
        write_section(args.write, "suite-scale", scale_table(rows, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
