"""Full build vs one-day incremental build, on generated data, through a Thrift server.

Generates `--days` days, loads all but the last day, runs a full `dbt run`, then loads
the last day and runs an incremental `dbt run`. Prints a table of wall times and the
window each incremental model rebuilt (from dbt's log), plus per-model times.

    .venv/bin/python scripts/bench_incremental.py --days 30 --scale 1
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "python"))

from warehouse import warehouse

from pulse.generate import GenerateConfig, generate


def per_model_seconds(root: Path) -> dict[str, float]:
    results = json.loads((root / "local" / "target" / "run_results.json").read_text())
    return {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results["results"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    start = date(2024, 1, 1)
    last = start + timedelta(days=args.days - 1)
    with tempfile.TemporaryDirectory(prefix="pulse-bench-") as tmp, warehouse(Path(tmp)) as wh:
        landing = Path(tmp) / "landing"
        manifest = generate(landing, GenerateConfig(days=args.days, scale=args.scale))
        history = [p for p in landing.rglob("batch_date=*") if p.name != f"batch_date={last}"]
        newest = list(landing.rglob(f"batch_date={last}"))
        for directory in history:
            wh.load(directory, None, load_date=last - timedelta(days=1))
        wh.register()
        wh.dbt("seed")
        t0 = time.monotonic()
        wh.dbt("run")
        full = time.monotonic() - t0
        full_models = per_model_seconds(Path(tmp))
        for directory in newest:
            wh.load(directory, None, load_date=last)
        wh.register()
        t0 = time.monotonic()
        out = wh.dbt("run")
        incremental = time.monotonic() - t0
        incremental_models = per_model_seconds(Path(tmp))
    windows = re.findall(r"(\w+): rebuilding from (\d{4}-\d{2}-\d{2})", out)
    print(f"events: {manifest['total_events']:,} over {args.days} days (scale {args.scale})")
    print(f"| run | wall seconds |\n|---|---|\n| full (history) | {full:.1f} |")
    print(f"| one-day incremental | {incremental:.1f} |")
    print(f"| ratio incremental / full | {incremental / full:.2f} |")
    print("\n| incremental model | rebuilt from | newest day |\n|---|---|---|")
    for model, since in windows:
        print(f"| {model} | {since} | {last} |")
    print("\n| model | full s | incremental s |\n|---|---|---|")
    for model, seconds in sorted(full_models.items(), key=lambda kv: -kv[1]):
        print(f"| {model} | {seconds:.1f} | {incremental_models.get(model, 0.0):.1f} |")


if __name__ == "__main__":
    main()
