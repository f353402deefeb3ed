"""Baseline (b): DuckDB computing the core outputs over the same raw parquet lake."""

from __future__ import annotations

import os
import time
from pathlib import Path

from pulse.bench.baselines import BaselineRun
from pulse.bench.baselines.queries import (
    DUCKDB,
    result_queries,
    setup_statements,
    teardown_statements,
)


def run(lake: Path, runs: int = 3, threads: int | None = None) -> BaselineRun:
    """Run the whole job `runs` times in one in-process database; time each run."""
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(":memory:")
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"set threads = {threads or os.cpu_count() or 1}")
    result = BaselineRun(engine=f"duckdb {duckdb.__version__}")
    result.startup_seconds = time.perf_counter() - started
    queries = result_queries(DUCKDB)
    for _ in range(runs):
        t0 = time.perf_counter()
        for statement in setup_statements(lake, DUCKDB):
            con.execute(statement)
        outputs = {name: con.execute(sql).df() for name, sql in queries.items()}
        for statement in teardown_statements(DUCKDB):
            con.execute(statement)
        result.seconds.append(time.perf_counter() - t0)
        result.outputs = outputs
    con.close()
    return result
