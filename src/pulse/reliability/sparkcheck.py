"""Faults and re-runs through the Spark Thrift server, compared with an uninterrupted run.

1. Generate a few days, load all but the last, `dbt seed` + `dbt run` (state S1); stop
   the server and copy its warehouse and metastore aside (snapshot S1). Load the last day.
2. Reference: restart, incremental `dbt run`; copy every mart to parquet outside the
   warehouse (`reliability_ref.*`).
3. Crash: restore S1, start the same incremental run, SIGKILL the server once the run
   reaches `fct_events`; restart it and run again: the marts must equal the reference.
4. Run once more (it rewrites the lookback partitions with insert_overwrite) while 8
   BI-like clients query the marts for 60 s: queries, errors, p50/p95 and torn reads (a
   day whose row count differs from the reference). The marts must not change.
5. Backfill the last days twice: the marts must not change.

Marts are compared with EXCEPT ALL in both directions (rows lost, rows duplicated).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pulse.dbt import dbt_env, dbt_executable, register_raw_tables
from pulse.generate import GenerateConfig, generate
from pulse.load import load_path
from pulse.reliability.lakecheck import Outcome
from pulse.server import HOST, Server
from pulse.settings import PROJECT_DIR, State

TARGET = "local"
# The builds run the models of `dbt build` without its tests: tests only read, and on the
# shared 2-core machine they take well over half of a build's time.
BUILD = "run"
START = date(2024, 3, 1)
# per-day row counts a dashboard would see, to spot a half-written day
DAILY = {
    "fct_events": "event_date",
    "fct_sessions": "session_date",
    "active_users_daily": "activity_date",
    "fct_flyer_views": "view_date",
    "fct_app_downloads": "event_date",
}
BI_QUERIES = (
    "select * from marts.top_campaigns_by_revenue order by 1 limit 10",
    "select * from marts.active_users_daily order by activity_date desc limit 50",
    "select * from marts.flyer_time_by_merchant_daily limit 100",
    "select count(*) from marts.fct_purchase_attribution",
    "select * from marts.session_metrics_daily limit 100",
)


class CheckError(RuntimeError):
    """A step of the check could not run (not a finding: the check itself failed)."""


@dataclass
class ReaderStats:
    queries: int = 0
    errors: int = 0
    torn: int = 0
    latencies: list[float] = field(default_factory=list)
    error_kinds: dict[str, int] = field(default_factory=dict)
    torn_examples: list[str] = field(default_factory=list)
    build_seconds: float = 0.0


def connect(port: int) -> Any:
    from pyhive import hive

    return hive.connect(host=HOST, port=port, username="pulse-check")


class Engine:
    """A throw-away warehouse on its own state dir and Thrift port."""

    def __init__(self, root: Path, port: int, log: Callable[[str], None]) -> None:
        self.state = State(root)
        self.server = Server(self.state, port)
        self.log = log
        self.reference = root / "reference-marts"
        self.snapshot = root / "snapshot-s1"

    # -- server, dbt, SQL -------------------------------------------------------------------

    def start(self) -> None:
        t0 = time.monotonic()
        self.server.start(timeout=600)
        self.log(f"server up in {time.monotonic() - t0:.0f}s")

    def stop(self) -> None:
        self.server.stop()

    def dbt_command(self, *args: str, variables: dict[str, str] | None = None) -> list[str]:
        import json

        cwd = self.state.engine_dir(TARGET)
        cmd = [dbt_executable(), *args, "--target", TARGET]
        if variables:
            cmd += ["--vars", json.dumps(variables)]
        cmd += ["--project-dir", str(PROJECT_DIR), "--target-path", str(cwd / "target")]
        return [*cmd, "--log-path", str(cwd / "logs")]

    def dbt_env(self) -> dict[str, str]:
        env = dbt_env(TARGET, self.state)
        env["PULSE_THRIFT_PORT"] = str(self.server.port)
        env["DBT_USE_COLORS"] = "false"
        return env

    def dbt(self, *args: str, variables: dict[str, str] | None = None) -> float:
        t0 = time.monotonic()
        self.state.engine_dir(TARGET).mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            self.dbt_command(*args, variables=variables),
            cwd=self.state.engine_dir(TARGET),
            env=self.dbt_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise CheckError(f"dbt {' '.join(args)} failed:\n{result.stdout[-4000:]}")
        seconds = time.monotonic() - t0
        self.log(f"dbt {' '.join(args)}: {seconds:.0f}s")
        return seconds

    def register(self) -> None:
        os.environ["PULSE_THRIFT_PORT"] = str(self.server.port)
        if register_raw_tables(TARGET, self.state).returncode != 0:
            raise CheckError("registering the raw tables failed")

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        conn = connect(self.server.port)
        try:
            cursor = conn.cursor()
            cursor.execute(sql)
            return list(cursor.fetchall())
        finally:
            conn.close()

    def execute(self, sql: str) -> None:
        """A statement without a result set (DDL): PyHive cannot fetch from those."""
        conn = connect(self.server.port)
        try:
            conn.cursor().execute(sql)
        finally:
            conn.close()

    def marts(self) -> list[str]:
        rows = self.query("show tables in marts")
        return sorted(str(r[1]) for r in rows if not str(r[1]).endswith("_tmp") and not r[2])

    # -- snapshots of the warehouse ----------------------------------------------------------

    def save_snapshot(self) -> None:
        self.stop()
        shutil.rmtree(self.snapshot, ignore_errors=True)
        home = self.server.home
        for name in ("warehouse", "metastore_db"):
            shutil.copytree(home / name, self.snapshot / name, symlinks=True)

    def restore_snapshot(self) -> None:
        self.stop()
        home = self.server.home
        for name in ("warehouse", "metastore_db"):
            shutil.rmtree(home / name, ignore_errors=True)
            shutil.copytree(self.snapshot / name, home / name, symlinks=True)

    # -- the reference marts -------------------------------------------------------------

    def save_reference(self) -> list[str]:
        marts = self.marts()
        shutil.rmtree(self.reference, ignore_errors=True)
        self.execute("create schema if not exists reliability_ref")
        for mart in marts:
            location = self.reference / mart
            self.execute(f"drop table if exists reliability_ref.{mart}")
            self.execute(
                f"create table reliability_ref.{mart} using parquet location '{location}' "
                f"as select * from marts.{mart}"
            )
        return marts

    def attach_reference(self, marts: list[str]) -> None:
        """After a restore the metastore has forgotten the reference: attach its files."""
        self.execute("create schema if not exists reliability_ref")
        for mart in marts:
            self.execute(f"drop table if exists reliability_ref.{mart}")
            self.execute(
                f"create table reliability_ref.{mart} using parquet "
                f"location '{self.reference / mart}'"
            )

    def diff(self, marts: list[str]) -> tuple[int, int, list[str]]:
        """(rows lost, rows extra) of the marts against the reference, by EXCEPT ALL."""
        lost = extra = 0
        problems = []
        current = set(self.marts())
        for mart in marts:
            if mart not in current:
                problems.append(f"{mart}: missing")
                continue
            ref, now = f"reliability_ref.{mart}", f"marts.{mart}"
            missing = self.count(f"select * from {ref} except all select * from {now}")
            more = self.count(f"select * from {now} except all select * from {ref}")
            lost, extra = lost + missing, extra + more
            if missing or more:
                problems.append(f"{mart}: {missing} lost, {more} extra")
        return lost, extra, problems

    def count(self, sql: str) -> int:
        return int(self.query(f"select count(*) from ({sql}) as q")[0][0])

    def daily_counts(self) -> dict[str, dict[str, int]]:
        counts = {}
        for mart, column in DAILY.items():
            rows = self.query(
                f"select cast({column} as string), count(*) from marts.{mart} group by 1"
            )
            counts[mart] = {str(day): int(n) for day, n in rows}
        return counts


def run_spark_checks(
    root: Path,
    port: int,
    log: Callable[[str], None],
    *,
    days: int = 3,
    scale: float = 0.05,
    readers: int = 8,
    seconds: float = 60.0,
) -> tuple[list[Outcome], ReaderStats]:
    engine = Engine(root, port, log)
    outcomes: list[Outcome] = []
    landing = root / "landing"
    generate(landing, GenerateConfig(seed=11, days=days, scale=scale, start_date=START))
    last = START + timedelta(days=days - 1)
    batches = sorted(landing.glob("*/*/batch_date=*"))
    try:
        for batch in batches:
            if not batch.name.endswith(str(last)):
                load_path(batch, lake=engine.state.lake, load_date=_batch_day(batch))
        engine.start()
        engine.register()
        engine.dbt("seed")
        engine.dbt(BUILD)  # S1
        engine.save_snapshot()
        for batch in batches:
            if batch.name.endswith(str(last)):
                load_path(batch, lake=engine.state.lake, load_date=last)

        # reference: the uninterrupted incremental build
        engine.start()
        engine.register()
        engine.dbt(BUILD)
        marts = engine.save_reference()
        after = engine.daily_counts()
        log(f"reference: {len(marts)} marts")

        # crash: SIGKILL the server in the middle of the incremental build of S1 + last day
        engine.restore_snapshot()
        engine.start()
        engine.attach_reference(marts)
        outcomes.append(crash_during_build(engine, marts))

        # readers while the same build runs again (it rewrites the lookback partitions)
        stats = read_during_build(engine, readers, seconds, after, after)
        lost, extra, problems = engine.diff(marts)
        outcomes.append(
            Outcome(
                f"dbt {BUILD} twice, with {readers} BI readers querying for {seconds:.0f}s",
                f"{stats.queries} queries, {stats.errors} errors, {stats.torn} torn reads; "
                + ("marts unchanged" if not problems else "; ".join(problems)),
                lost,
                extra,
                not problems,
            )
        )

        for label in ("backfill twice (1st)", "backfill twice (2nd)"):
            variables = {
                "backfill_start": str(START + timedelta(days=1)),
                "backfill_end": str(last),
            }
            engine.dbt(BUILD, variables=variables)
            lost, extra, problems = engine.diff(marts)
            outcomes.append(
                Outcome(
                    label,
                    "marts unchanged" if not problems else "; ".join(problems),
                    lost,
                    extra,
                    not problems,
                )
            )
    finally:
        engine.stop()
    return outcomes, stats


def _batch_day(batch: Path) -> date:
    return date.fromisoformat(batch.name.split("=", 1)[1])


def crash_during_build(engine: Engine, marts: list[str], model: str = "fct_events") -> Outcome:
    engine.register()
    log_path = engine.state.root / "crash-build.log"
    with log_path.open("w") as out:
        proc = subprocess.Popen(
            engine.dbt_command(BUILD),
            cwd=engine.state.engine_dir(TARGET),
            env=engine.dbt_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 1800
    started = f"model marts.{model}"
    while time.monotonic() < deadline and proc.poll() is None:
        text = log_path.read_text(errors="replace")
        if started in text and "START" in text.split(started)[0].splitlines()[-1]:
            break
        time.sleep(0.5)
    if proc.poll() is not None:
        return Outcome("Thrift server SIGKILL mid-build", "build ended first", 0, 0, False)
    time.sleep(3.0)  # let the insert_overwrite of the model get under way
    text = log_path.read_text(errors="replace")
    done_before = len(re.findall(r"\[(?:OK|PASS|WARN|INSERT|SUCCESS)", text))
    engine.server.kill()
    engine.log(f"server killed during {model} ({done_before} nodes done)")
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    failed_code = proc.returncode
    engine.start()
    engine.register()
    engine.dbt(BUILD)
    lost, extra, problems = engine.diff(marts)
    return Outcome(
        f"Thrift server SIGKILL mid incremental dbt {BUILD}, restart, {BUILD} again",
        f"killed while building {model} (dbt exit {failed_code}); after the re-run "
        + ("marts equal the uninterrupted run" if not problems else "; ".join(problems)),
        lost,
        extra,
        not problems and failed_code != 0,
        evidence=f"{done_before} nodes had finished before the kill",
    )


def read_during_build(
    engine: Engine,
    readers: int,
    seconds: float,
    before: dict[str, dict[str, int]],
    after: dict[str, dict[str, int]],
) -> ReaderStats:
    engine.register()
    stats = ReaderStats()
    lock = threading.Lock()
    stop = threading.Event()
    queries = [*BI_QUERIES, *(f"daily:{m}" for m in DAILY)]

    def reader(n: int) -> None:
        conn = None
        i = n
        while not stop.is_set():
            sql = queries[i % len(queries)]
            i += 1
            t0 = time.monotonic()
            try:
                if conn is None:
                    conn = connect(engine.server.port)
                cursor = conn.cursor()
                if sql.startswith("daily:"):
                    mart = sql.split(":", 1)[1]
                    cursor.execute(
                        f"select cast({DAILY[mart]} as string), count(*) from marts.{mart} "
                        "group by 1"
                    )
                    seen = {str(d): int(c) for d, c in cursor.fetchall()}
                    torn = _torn(seen, before[mart], after[mart])
                else:
                    cursor.execute(sql)
                    cursor.fetchall()
                    torn = []
                elapsed = time.monotonic() - t0
                with lock:
                    stats.queries += 1
                    stats.latencies.append(elapsed)
                    if torn:
                        stats.torn += 1
                        if len(stats.torn_examples) < 5:
                            stats.torn_examples.append(f"{sql[6:]}: {', '.join(torn)}")
            except Exception as err:  # a BI tool sees the error and retries
                kind = type(err).__name__ + ": " + _first_line(err)
                with lock:
                    stats.queries += 1
                    stats.errors += 1
                    stats.error_kinds[kind] = stats.error_kinds.get(kind, 0) + 1
                if conn is not None:
                    with contextlib.suppress(Exception):
                        conn.close()
                conn = None
                time.sleep(0.2)
        if conn is not None:
            conn.close()

    failures: list[BaseException] = []

    def build() -> None:
        try:
            stats.build_seconds = engine.dbt(BUILD)
        except BaseException as err:  # reported by the caller
            failures.append(err)

    threads = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(readers)]
    builder = threading.Thread(target=build)
    for thread in threads:
        thread.start()
    builder.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=300)
    builder.join()
    if failures:
        raise CheckError(f"the build under readers failed: {failures[0]}")
    return stats


def _torn(seen: dict[str, int], before: dict[str, int], after: dict[str, int]) -> list[str]:
    """Days a reader saw with a count that is neither the old nor the new one."""
    torn = []
    for day in sorted(set(before) | set(after)):
        got = seen.get(day, 0)
        if got not in (before.get(day, 0), after.get(day, 0)):
            torn.append(
                f"{day}: {got} rows (before {before.get(day, 0)}, after {after.get(day, 0)})"
            )
    return torn


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return (text[0] if text else "")[:160]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]
