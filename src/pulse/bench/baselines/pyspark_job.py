"""Baseline (a): one monolithic PySpark job (local[*], conf/spark-defaults.conf) over raw.

`run` starts the job in its own Python process (its own JVM, so the Thrift server must be
stopped first: one Spark at a time on this machine) and samples that process tree's
memory. The job builds one SparkSession, then runs the whole computation `runs` times,
timing each run (session start-up is reported apart), and writes the last run's outputs
as parquet for the comparison. `run_thrift` runs the very same statements through a
running Thrift server's session instead (the test suite's smoke run: no second JVM).

    python -m pulse.bench.baselines.pyspark_job --lake LAKE --out DIR --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from pulse.bench.baselines import BaselineRun
from pulse.bench.baselines.queries import (
    SPARK,
    result_queries,
    setup_statements,
    teardown_statements,
)
from pulse.bench.memory import PeakSampler
from pulse.settings import SPARK_DEFAULTS, SPARK_HOME


class BaselineError(RuntimeError):
    """The baseline job failed; the message carries its output."""


def _session(scratch: Path) -> Any:
    """A SparkSession with the project's spark-defaults, and a throw-away catalogue."""
    extra = {
        "spark.sql.catalogImplementation": "in-memory",
        "spark.sql.warehouse.dir": str(scratch / "warehouse"),
        "spark.app.name": "pulse-bench-baseline",
    }
    args = ["--properties-file", str(SPARK_DEFAULTS)]
    for key, value in extra.items():
        args += ["--conf", f"{key}={value}"]
    os.environ["PYSPARK_SUBMIT_ARGS"] = shlex.join([*args, "pyspark-shell"])
    os.environ.setdefault("SPARK_HOME", str(SPARK_HOME))
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def job(spark: Any, lake: Path) -> dict[str, pd.DataFrame]:
    """The whole computation once: raw views, cached events, the four outputs."""
    for statement in setup_statements(lake, SPARK):
        spark.sql(statement)
    outputs = {name: spark.sql(sql).toPandas() for name, sql in result_queries(SPARK).items()}
    for statement in teardown_statements(SPARK):
        spark.sql(statement)
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lake", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    spark = _session(args.out)
    startup = time.perf_counter() - started
    seconds: list[float] = []
    outputs: dict[str, pd.DataFrame] = {}
    try:
        for _ in range(args.runs):
            t0 = time.perf_counter()
            outputs = job(spark, args.lake)
            seconds.append(time.perf_counter() - t0)
    finally:
        spark.stop()
    for name, frame in outputs.items():
        frame.astype(str).to_parquet(args.out / f"{name}.parquet")
    timings = {"seconds": seconds, "startup_seconds": startup}
    (args.out / "timings.json").write_text(json.dumps(timings))
    return 0


def run(lake: Path, runs: int = 3, timeout: float = 7200.0) -> BaselineRun:
    """Run the job in a child process; raise BaselineError with its log when it fails."""
    import pyspark

    with tempfile.TemporaryDirectory(prefix="pulse-bench-pyspark-") as tmp:
        out = Path(tmp)
        cmd = [sys.executable, "-m", "pulse.bench.baselines.pyspark_job"]
        cmd += ["--lake", str(lake), "--out", str(out), "--runs", str(runs)]
        log = out / "job.log"
        with log.open("wb") as handle:
            proc = subprocess.Popen(cmd, stdout=handle, stderr=subprocess.STDOUT)
            with PeakSampler(proc.pid) as sampler:
                try:
                    returncode = proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                    returncode = -9
        if returncode != 0:
            tail = log.read_text(errors="replace")[-4000:]
            raise BaselineError(f"the PySpark baseline failed (exit {returncode}):\n{tail}")
        timings = json.loads((out / "timings.json").read_text())
        result = BaselineRun(engine=f"pyspark {pyspark.__version__} local[*]")
        result.seconds = [float(s) for s in timings["seconds"]]
        result.startup_seconds = float(timings["startup_seconds"])
        result.peak_rss_bytes = sampler.peak
        result.outputs = {
            p.stem: pd.read_parquet(p) for p in out.glob("*.parquet") if p.stem != "timings"
        }
    return result


def run_thrift(lake: Path, port: int, runs: int = 1) -> BaselineRun:
    """The same statements through a running Thrift server (one session, one JVM)."""
    from pyhive import hive

    from pulse.server import HOST

    conn = hive.connect(host=HOST, port=port, username="pulse")
    result = BaselineRun(engine="spark sql via the Thrift server")
    try:
        cursor = conn.cursor()
        for _ in range(runs):
            t0 = time.perf_counter()
            for statement in setup_statements(lake, SPARK):
                cursor.execute(statement)
            outputs = {}
            for name, sql in result_queries(SPARK).items():
                cursor.execute(sql)
                columns = [d[0].split(".")[-1] for d in cursor.description or []]
                outputs[name] = pd.DataFrame(cursor.fetchall(), columns=columns)
            for statement in teardown_statements(SPARK):
                cursor.execute(statement)
            result.seconds.append(time.perf_counter() - t0)
            result.outputs = outputs
    finally:
        conn.close()
    return result


if __name__ == "__main__":
    sys.exit(main())
