"""Throughput of the synthetic generator: events written per second.

    .venv/bin/python scripts/bench_generate.py                  # ~8M events, 7 days
    .venv/bin/python scripts/bench_generate.py --days 365 --events-per-day 27400  # ~10M

Writes into a temporary directory (deleted afterwards) unless --out is given, and
prints rows, bytes, seconds and events/s (event tables only; the two snapshots are
excluded from the event count). On a shared machine the wall-clock rate depends on the
other load, so the CPU time of the run and the load average are printed too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from pulse.generate import SOURCES, GenerateConfig, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=50.0)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--events-per-day", type=int, default=None)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--gzip", action="store_true")
    parser.add_argument(
        "--source", action="append", choices=SOURCES, help="repeatable; default: all"
    )
    parser.add_argument("--out", type=Path, default=None, help="keep the files here")
    args = parser.parse_args(argv)

    config = GenerateConfig(
        seed=args.seed,
        days=args.days,
        scale=args.scale,
        events_per_day=args.events_per_day,
        gzip=args.gzip,
        sources=tuple(args.source) if args.source else SOURCES,
    )
    out = args.out or Path(tempfile.mkdtemp(prefix="pulse-bench-"))
    try:
        load_before = os.getloadavg()[0]
        started, cpu_started = time.perf_counter(), time.process_time()
        manifest = generate(out, config, workers=args.workers)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        nbytes = sum(f["bytes"] for t in manifest["tables"].values() for f in t["files"])
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    events = manifest["total_events"]
    print(f"sources: {', '.join(config.sources)}; days {config.days}; scale {config.scale}")
    for key, table in manifest["tables"].items():
        print(f"  {key:30s} {table['rows']:>12,} rows")
    rows = manifest["total_rows"]
    print(f"rows {rows:,} (events {events:,}), {nbytes / 1e6:,.0f} MB in {elapsed:.2f} s")
    print(f"cpu {cpu:.2f} s over all threads; load average before the run {load_before:.1f}")
    wall_rate, cpu_rate = events / elapsed, events / cpu
    print(f"throughput: {wall_rate:,.0f} events/s (wall); {cpu_rate:,.0f} events per cpu-second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
