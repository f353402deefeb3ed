"""One bench run: generate, load, full and incremental dbt builds, marts, then baselines."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from pulse.bench import compare
from pulse.bench.baselines import BaselineRun, duckdb_job, pyspark_job
from pulse.bench.memory import PeakSampler
from pulse.bench.outputs import MART_QUERIES
from pulse.bench.report import BaselineSummary, BenchResult, BuildTiming
from pulse.dbt import BUILD, register_raw_tables, run_dbt
from pulse.server import HOST, Server
from pulse.settings import State


class BenchError(RuntimeError):
    """A step of the bench failed; the message says which."""


@dataclass(frozen=True)
class Scale:
    name: str
    days: int
    scale: float
    histories: tuple[int, ...]
    baseline_runs: int
    events_per_day: int | None = None
    incremental_runs: int = 1  # one-day incremental builds measured after each history
    # dbt selectors of the builds; empty: the whole project. With a selection, only the
    # tests whose every parent is selected run (--indirect-selection cautious).
    select: tuple[str, ...] = ()

    def build_args(self) -> list[str]:
        if not self.select:
            return list(BUILD)
        return [*BUILD, "--select", *self.select, "--indirect-selection", "cautious"]


SCALES: dict[str, Scale] = {
    # Tiny: the test suite's smoke run (2 days built, then a third day incrementally), of
    # the marts the baselines are compared with and everything upstream of them.
    "smoke": Scale(
        "smoke",
        days=3,
        scale=0.05,
        histories=(2,),
        baseline_runs=1,
        select=(
            "+active_users_daily",
            "+fct_sessions",
            "+top_campaigns_by_revenue",
            "+channel_rank_by_campaign",
        ),
    ),
    # `pulse run`'s default volume (~23k events a day): 30 days, then 3 one-day increments.
    "default": Scale(
        "default", days=33, scale=1.0, histories=(30,), baseline_runs=3, incremental_runs=3
    ),
    # ~10M events over a year: a full build of 30, 90 and 365 days, each followed by a
    # one-day incremental build (the 366th day comes last).
    "large": Scale(
        "large",
        days=366,
        scale=1.0,
        histories=(30, 90, 365),
        baseline_runs=3,
        events_per_day=27_400,
    ),
    # A year of thin days (~1.2k events each): how the one-day incremental grows with
    # history alone, apart from volume (per-partition and per-file costs).
    "history": Scale("history", days=366, scale=0.05, histories=(30, 365), baseline_runs=1),
}
EVENT_TABLES = (
    ("ad_platform", "ad_events"),
    ("app_store", "store_events"),
    ("flyers", "flyer_events"),
    ("notes_app", "user_interactions"),
    ("marketing", "clickstream"),
    ("play_store", "app_downloads"),
)


@dataclass(frozen=True)
class Engine:
    """The Thrift server the bench builds on; `managed` when the bench starts/stops it."""

    state: State
    port: int
    managed: bool

    @property
    def server(self) -> Server:
        return Server(self.state, self.port)

    def query(self, sql: str) -> pd.DataFrame:
        from pyhive import hive

        conn = hive.connect(host=HOST, port=self.port, username="pulse")
        try:
            cursor = conn.cursor()
            cursor.execute(sql)
            columns = [d[0].split(".")[-1] for d in cursor.description or []]
            return pd.DataFrame(cursor.fetchall(), columns=columns)
        finally:
            conn.close()

    def execute(self, sql: str) -> None:
        """A statement with no result set (PyHive cannot fetch from a DDL's cursor)."""
        from pyhive import hive

        conn = hive.connect(host=HOST, port=self.port, username="pulse")
        try:
            conn.cursor().execute(sql)
        finally:
            conn.close()

    def start(self) -> None:
        if self.managed:
            self.server.start()

    def stop(self) -> None:
        if self.managed:
            self.server.stop()

    def reset(self) -> None:
        """No tables and no raw or landed files: every run starts from nothing."""
        for name in self.query("show databases").iloc[:, 0]:
            if name != "default":
                self.execute(f"drop database if exists `{name}` cascade")
        shutil.rmtree(self.state.lake, ignore_errors=True)
        shutil.rmtree(self.state.landing, ignore_errors=True)


def node_seconds(state: State) -> dict[str, float]:
    """`kind.name` -> execution seconds, from the last dbt command's run_results.json."""
    path = state.engine_dir("local") / "target" / "run_results.json"
    results = json.loads(path.read_text())["results"]
    out: dict[str, float] = {}
    for r in results:
        parts = r["unique_id"].split(".")
        out[f"{parts[0]}.{parts[-1]}"] = float(r.get("execution_time") or 0.0)
    return out


def dbt_timed(state: State, args: list[str]) -> BuildTiming:
    t0 = time.perf_counter()
    result = run_dbt(args, "local", state, capture=True)
    seconds = time.perf_counter() - t0
    if result.returncode != 0:
        raise BenchError(f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}")
    return BuildTiming(f"dbt {' '.join(args)}", seconds, node_seconds(state))


def batches_by_day(landing: Path) -> list[list[Path]]:
    """The generator's `batch_date=` directories, grouped by day, oldest first."""
    days: dict[date, list[Path]] = {}
    for directory in landing.rglob("batch_date=*"):
        days.setdefault(date.fromisoformat(directory.name.split("=", 1)[1]), []).append(directory)
    return [sorted(days[d]) for d in sorted(days)]


def layout(state: State, days: int) -> dict[str, float]:
    """Files per day and file sizes: the raw lake's event tables and the biggest fact."""
    raw = [p for s, t in EVENT_TABLES for p in (state.lake / s / t).rglob("*.parquet")]
    out: dict[str, float] = {}
    if raw:
        out["raw parquet files per day (6 event tables)"] = len(raw) / days
        out["raw parquet MB per file"] = sum(p.stat().st_size for p in raw) / len(raw) / 1e6
    warehouse = state.engine_dir("server") / "warehouse"
    for table in ("fct_events", "fct_sessions", "active_users_daily"):
        files = [p for p in warehouse.glob(f"marts.db/{table}/*/*") if p.suffix != ".crc"]
        files = [p for p in files if not p.name.startswith((".", "_"))]
        partitions = {p.parent for p in files}
        if files:
            out[f"{table} files per partition"] = len(files) / len(partitions)
            out[f"{table} MB per file"] = sum(p.stat().st_size for p in files) / len(files) / 1e6
    return out


def summarise(run: BaselineRun, compared: int) -> BaselineSummary:
    return BaselineSummary(
        run.engine, run.seconds, run.startup_seconds, run.peak_rss_bytes, compared
    )


def run_bench(
    scale: Scale,
    engine: Engine,
    pyspark_via_thrift: bool = False,
    log: Callable[[str], None] = print,
    also_run: bool = False,
    result: BenchResult | None = None,
    checkpoint: Callable[[BenchResult], None] = lambda _: None,
) -> BenchResult:
    """The whole bench at one scale, filling `result` as it goes (so a failure keeps what
    was measured); raises BenchMismatch, after both baselines ran, if one computed
    something else than the marts."""
    from pulse.generate import GenerateConfig, generate
    from pulse.load.contracts import read_contracts
    from pulse.load.lake import Lake
    from pulse.load.loader import Loader, default_project_dir, discover

    state = engine.state
    result = result or BenchResult(scale.name, scale.days)
    result.machine = {
        "cores": str(os.cpu_count()),
        "load average at start": f"{os.getloadavg()[0]:.1f}",
        "dbt threads": os.environ.get("PULSE_THREADS", "4"),
    }
    engine.start()
    engine.reset()

    log(f"generating {scale.days} days (scale {scale.scale})")
    config = GenerateConfig(
        seed=42, days=scale.days, scale=scale.scale, events_per_day=scale.events_per_day
    )
    t0 = time.perf_counter()
    manifest = generate(state.landing, config)
    result.generate_seconds = time.perf_counter() - t0
    result.events = int(manifest["total_events"])
    result.rows_generated = int(manifest["total_rows"])
    days = batches_by_day(state.landing)
    contracts = read_contracts(default_project_dir())
    tables = contracts.select(None)

    def loaded_rows(loader: Loader, files: list[Path]) -> int:
        rows = 0
        for r in loader.load_files(files, tables):
            if r.status == "failed":
                raise BenchError(f"load failed: {r.path}: {r.message}")
            rows += r.rows_loaded
        return rows

    log("bulk load of every landed file into a scratch lake")
    scratch = state.root / "bulk-load-lake"
    shutil.rmtree(scratch, ignore_errors=True)
    t0 = time.perf_counter()
    result.rows_bulk_loaded = loaded_rows(Loader(contracts, Lake(scratch)), discover(state.landing))
    result.bulk_load_seconds = time.perf_counter() - t0
    shutil.rmtree(scratch, ignore_errors=True)
    loader = Loader(contracts, Lake(state.lake))  # one audit index for every day, as `watch`

    def load(batch: list[list[Path]]) -> None:
        t0 = time.perf_counter()
        files = [f for directories in batch for d in directories for f in discover(d)]
        result.rows_loaded += loaded_rows(loader, files)
        result.load_seconds += time.perf_counter() - t0

    def register() -> None:
        if register_raw_tables("local", state).returncode != 0:
            raise BenchError("registering the raw tables failed")

    pid = engine.server.pid()
    sampler = PeakSampler(pid) if pid else None
    if sampler:
        sampler.__enter__()
    try:
        loaded = 0
        for history in scale.histories:
            log(f"loading days {loaded + 1}..{history}")
            load(days[loaded:history])
            register()
            log(f"full build of {history} days")
            result.full_builds[history] = dbt_timed(state, [*scale.build_args(), "--full-refresh"])
            result.full_build = result.full_builds[history]
            loaded = history
            for run in range(scale.incremental_runs):
                log(f"one-day incremental build after {loaded} days ({run + 1})")
                load(days[loaded : loaded + 1])
                register()
                timing = dbt_timed(state, scale.build_args())
                result.incrementals.setdefault(history, []).append(timing)
                loaded += 1
            checkpoint(result)
        marts = {name: engine.query(sql) for name, sql in MART_QUERIES.items()}
    finally:
        if sampler:
            sampler.__exit__(None, None, None)
            result.server_peak_rss_bytes = sampler.peak
    result.layout = layout(state, scale.days)
    checkpoint(result)

    if pyspark_via_thrift:
        log("baseline (a): the Spark SQL job through the running Thrift server")
        spark_run = pyspark_job.run_thrift(state.lake, engine.port, scale.baseline_runs)
        result.notes.append(
            "baseline (a) ran its statements through the Thrift server's session "
            "(no second JVM), not as a separate PySpark process"
        )
    else:
        engine.stop()  # one Spark at a time on this machine
        log(f"baseline (a): monolithic PySpark job, {scale.baseline_runs} runs")
        spark_run = pyspark_job.run(state.lake, scale.baseline_runs)
    mismatches: list[str] = []

    def checked(run: BaselineRun) -> int:
        try:
            return compare.check(run.engine, marts, run.outputs)
        except compare.BenchMismatch as err:
            mismatches.append(str(err))
            result.notes.append(f"{run.engine}: OUTPUTS DIFFER FROM THE MARTS (see the error)")
            return 0

    result.baselines["pyspark"] = summarise(spark_run, checked(spark_run))
    checkpoint(result)
    log(f"baseline (b): DuckDB, {scale.baseline_runs} runs")
    duck_run = duckdb_job.run(state.lake, scale.baseline_runs)
    result.baselines["duckdb"] = summarise(duck_run, checked(duck_run))
    checkpoint(result)
    if also_run:
        engine.start()
        log("full `dbt run` (models only, no tests) over every day")
        result.full_run = dbt_timed(state, ["run", "--full-refresh"])
        engine.stop()
        result.notes.append(
            f"`dbt run --full-refresh` ran over all {loaded} loaded days, after the baselines "
            f"(the last full build covered {scale.histories[-1]} days)"
        )
    result.machine["load average at end"] = f"{os.getloadavg()[0]:.1f}"
    if mismatches:
        raise compare.BenchMismatch("\n".join(mismatches))
    return result
