"""`pulse check-cluster`: the cluster proven end to end (slow: tens of minutes).

1. the same generated data built in local mode and in cluster mode: every relation of
   every dbt schema equal row for row (EXCEPT ALL both ways; doubles rounded to 6
   decimals, because the order of a distributed sum moves the last bits);
2. one worker SIGKILLed in the middle of a `dbt build`: the build finishes, equal again;
3. the Thrift server SIGKILLed mid-build, restarted, the build rerun: equal again;
4. 8 concurrent sessions querying marts for 60 s: no session error;
5. after stop, no process of ours is left.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from pulse.cluster.config import HOST, ClusterConfig
from pulse.cluster.manager import Cluster
from pulse.process import alive
from pulse.server import Server
from pulse.settings import State

console = Console(stderr=True)
SKIP_SCHEMAS = frozenset({"default"})
ROUND_DIGITS = 6


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))
        mark = "[green]PASS[/green]" if ok else "[red]FAIL[/red]"
        console.print(f"{mark} {name}: {detail}")


class Session:
    """One PyHive session to a Thrift server."""

    def __init__(self, port: int) -> None:
        from pyhive import hive

        self.conn = hive.connect(host=HOST, port=port, username="pulse")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        cursor = self.conn.cursor()
        cursor.execute(sql)
        return list(cursor.fetchall())

    def execute(self, sql: str) -> None:
        self.conn.cursor().execute(sql)

    def close(self) -> None:
        self.conn.close()


def relations(session: Session) -> list[str]:
    """Every table and view of every schema but `default`, as schema.name."""
    out = []
    for (schema,) in session.rows("show databases"):
        if schema in SKIP_SCHEMAS:
            continue
        for row in session.rows(f"show tables in `{schema}`"):
            if not row[2]:  # isTemporary
                out.append(f"{schema}.{row[1]}")
    return sorted(out)


def snapshot(session: Session, names: list[str], root: Path) -> None:
    """Materialise every relation (tables and views) as parquet under root/<name>."""
    for name in names:
        session.execute(
            f"insert overwrite directory '{root / name}' using parquet select * from {name}"
        )


def comparable(column: str, dtype: str) -> str:
    """A column expression EXCEPT ALL can compare: doubles rounded, complex as text."""
    quoted = f"`{column}`"
    if dtype in ("double", "float") or dtype.startswith("decimal"):
        return f"round({quoted}, {ROUND_DIGITS})"
    if dtype.startswith(("map", "array", "struct")):
        return f"cast({quoted} as string)"
    return quoted


def columns(session: Session, name: str) -> list[tuple[str, str]]:
    out = []
    for row in session.rows(f"describe {name}"):
        col, dtype = row[0], row[1]
        if not col or col.startswith("#"):
            break
        out.append((col, dtype))
    return out


def compare(session: Session, names: list[str], root: Path) -> dict[str, tuple[int, int, int]]:
    """Per relation: (rows, only in snapshot, only live) as multisets.

    The same as `snap EXCEPT ALL live` and `live EXCEPT ALL snap` counted, in one
    aggregate: each distinct row's count in the snapshot minus its count live (nulls
    group together as EXCEPT ALL treats them). EXCEPT ALL itself made the optimizer's
    constraint propagation run the 2 GB driver out of memory on wide staging views.
    """
    session.execute("set spark.sql.constraintPropagation.enabled=false")
    result = {}
    for name in names:
        cols = [comparable(c, t) for c, t in columns(session, name)]
        select = ", ".join(f"{expr} as c{i}" for i, expr in enumerate(cols))
        keys = ", ".join(f"c{i}" for i in range(len(cols)))
        sql = f"""
            select coalesce(sum(greatest(d, 0)), 0), coalesce(sum(greatest(-d, 0)), 0),
                   coalesce(sum(live), 0)
            from (
                select {keys}, sum(s) as d, sum(if(s < 0, 1, 0)) as live
                from (
                    select {select}, 1 as s from parquet.`{root / name}`
                    union all
                    select {select}, -1 as s from {name}
                ) u
                group by {keys}
            ) g"""
        left, right, rows = session.rows(sql)[0]
        result[name] = (int(rows), int(left), int(right))
    return result


def equality(report: Report, name: str, port: int, names: list[str], root: Path) -> None:
    session = Session(port)
    try:
        live = relations(session)
        diff = compare(session, names, root)
    finally:
        session.close()
    missing = sorted(set(names) - set(live))
    bad = {k: v for k, v in diff.items() if v[1] or v[2]}
    rows = sum(v[0] for v in diff.values())
    detail = f"{len(diff)} relations, {rows:,} rows compared"
    if missing:
        detail += f"; missing: {', '.join(missing)}"
    if bad:
        detail += "; differing: " + ", ".join(f"{k} (-{v[1]}/+{v[2]})" for k, v in bad.items())
    report.add(name, not missing and not bad, detail)


def timed_build(target: str, state: State, args: list[str]) -> tuple[int, float]:
    from pulse.dbt import register_raw_tables, run_dbt

    t0 = time.monotonic()
    if register_raw_tables(target, state).returncode != 0:
        return 1, time.monotonic() - t0
    rc = run_dbt(["build", *args], target, state, capture=True).returncode
    return rc, time.monotonic() - t0


def build_with(
    target: str, state: State, args: list[str], after: float, action: Callable[[], str]
) -> tuple[int, float, str]:
    """Run a build in a thread and do `action` `after` seconds into it."""
    out: dict[str, Any] = {}

    def run() -> None:
        out["rc"], out["seconds"] = timed_build(target, state, args)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(after)
    what = action() if thread.is_alive() else "build ended before the action"
    thread.join()
    return int(out["rc"]), float(out["seconds"]), what


def concurrent_sessions(
    port: int, queries: list[str], sessions: int, seconds: float
) -> dict[str, Any]:
    """`sessions` threads open a session, run 3 queries, close it, until time is up."""
    latencies: list[float] = []
    errors: list[str] = []
    opened = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(offset: int) -> None:
        i = offset
        while time.monotonic() < stop_at:
            try:
                session = Session(port)
                with lock:
                    opened[0] += 1
                try:
                    for _ in range(3):
                        t0 = time.monotonic()
                        session.rows(queries[i % len(queries)])
                        with lock:
                            latencies.append(time.monotonic() - t0)
                        i += 1
                finally:
                    session.close()
            except Exception as err:  # every failure is a finding, counted and shown
                with lock:
                    errors.append(f"{type(err).__name__}: {str(err)[:200]}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0

    return {
        "sessions_opened": opened[0],
        "queries": len(latencies),
        "errors": errors,
        "p50_s": round(pct(0.50), 3),
        "p95_s": round(pct(0.95), 3),
        "mean_s": round(statistics.fmean(latencies), 3) if latencies else 0.0,
    }


def our_processes(root: Path) -> list[str]:
    """Processes whose command line names our state directory (ours and only ours)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(root) in cmdline and alive(int(proc.name)):
            found.append(f"{proc.name}: {cmdline[:120]}")
    return found


def mart_queries(port: int) -> list[str]:
    session = Session(port)
    try:
        names = [n for n in relations(session) if ".raw" not in n and "mart" in n.split(".")[0]]
    finally:
        session.close()
    names = names or ["raw.load_audit"]
    queries = []
    for name in names:
        queries.append(f"select count(*) from {name}")
        queries.append(f"select * from {name} limit 50")
    return queries


def build_both(
    report: Report, state: State, cluster: Cluster, local: Server, snap: Path, data: Any
) -> None:
    """Generate and load once; build in local mode and snapshot it; build on the cluster."""
    from pulse.generate import GenerateConfig, generate
    from pulse.load import load_path

    days, scale, seed = data
    t0 = time.monotonic()
    manifest = generate(state.landing, GenerateConfig(seed=seed, days=days, scale=scale))
    results = load_path(state.landing, None, lake=state.lake)
    report.figures["generated_rows"] = manifest.get("total_rows")
    report.figures["loaded_rows"] = sum(r.rows_loaded for r in results)
    report.figures["generate_load_s"] = round(time.monotonic() - t0, 1)

    console.print("local mode: server + dbt build ...")
    local.start()
    rc, secs = timed_build("local", state, ["--full-refresh"])
    report.figures["local_build_s"] = round(secs, 1)
    report.add("local build", rc == 0, f"dbt build exit {rc} in {secs:.0f}s")
    session = Session(local.port)
    try:
        snapshot(session, relations(session), snap)
    finally:
        session.close()
    local.stop()

    console.print("cluster mode: start + dbt build ...")
    t0 = time.monotonic()
    cluster.start()
    report.figures["cluster_start_s"] = round(time.monotonic() - t0, 1)
    rc, secs = timed_build("cluster", state, ["--full-refresh"])
    report.figures["cluster_build_s"] = round(secs, 1)
    report.add("cluster build", rc == 0, f"dbt build exit {rc} in {secs:.0f}s")


def resume_from(report: Report, previous: dict[str, Any]) -> None:
    """Reuse the lake, the local snapshot and the cluster tables of the previous run."""
    for key in ("generated_rows", "loaded_rows", "generate_load_s"):
        if key in previous:
            report.figures[key] = previous[key]
    for key in ("local_build_s", "cluster_build_s"):
        if key in previous:
            report.figures[f"{key} (previous run)"] = previous[key]
    for check in previous.get("checks", []):
        if check["name"] in ("local build", "cluster build"):
            report.add(f"{check['name']} (previous run)", check["ok"], check["detail"])


def run_check(
    days: int, scale: float, seed: int, sessions: int, seconds: float, resume: bool = False
) -> Report:
    base = State.from_env()
    state = State(base.root / "check-cluster")
    report = Report()
    config = ClusterConfig.from_env(state)
    cluster = Cluster(config)
    cluster.stop()  # a previous, interrupted check; then start from nothing
    Server(state, config.thrift_port).stop()
    snap = state.root / "snapshot"
    previous = state.root / "check-cluster.json"
    if resume and not (snap.is_dir() and previous.exists()):
        raise typer.BadParameter("--resume needs a previous run's snapshot; run without it")
    if not resume:
        shutil.rmtree(state.root, ignore_errors=True)
    local = Server(state, config.thrift_port)
    report.figures["state"] = str(state.root)
    t_all = time.monotonic()
    try:
        # (1) local mode, then the same lake on the cluster
        if resume:
            resume_from(report, json.loads(previous.read_text()))
        else:
            build_both(report, state, cluster, local, snap, (days, scale, seed))
        names = sorted(p.name for p in snap.iterdir())
        report.figures["relations"] = len(names)
        t0 = time.monotonic()
        cluster.start()
        report.figures["cluster_start_s"] = round(time.monotonic() - t0, 1)
        equality(report, "1 local = cluster", config.thrift_port, names, snap)

        # (2) a worker dies mid-build
        def kill_worker() -> str:
            pid = cluster.kill_worker(0)
            return f"SIGKILL worker-0 (pid {pid}) and its executor"

        rc, secs, what = build_with("cluster", state, ["--full-refresh"], 90.0, kill_worker)
        report.figures["worker_kill_build_s"] = round(secs, 1)
        report.add("2 worker killed mid-build", rc == 0, f"{what}; dbt build exit {rc}")
        equality(report, "2 marts equal after worker loss", config.thrift_port, names, snap)
        cluster.start_worker(0)

        # (3) the Thrift server dies mid-build
        server = cluster.server_handle()

        def kill_server() -> str:
            pid = server.pid()
            server.kill()
            return f"SIGKILL Thrift server (pid {pid})"

        # The interrupted build must fail fast, not retry every remaining node's connection
        # for minutes (connect_retries x connect_timeout) against a dead server.
        os.environ["PULSE_CONNECT_RETRIES"] = "0"
        try:
            rc, secs, what = build_with("cluster", state, ["--full-refresh"], 90.0, kill_server)
        finally:
            os.environ.pop("PULSE_CONNECT_RETRIES", None)
        report.figures["killed_build_exit"] = rc
        t0 = time.monotonic()
        cluster.start()
        rc2, secs2 = timed_build("cluster", state, [])
        report.figures["rerun_after_server_kill_s"] = round(secs2, 1)
        report.add(
            "3 Thrift server killed, restarted, rerun",
            rc2 == 0,
            f"{what}; interrupted build exit {rc}; restart + rerun (plain dbt build) "
            f"exit {rc2} in {time.monotonic() - t0:.0f}s",
        )
        equality(report, "3 marts equal after server restart", config.thrift_port, names, snap)

        # (4) concurrent sessions
        stats = concurrent_sessions(
            config.thrift_port, mart_queries(config.thrift_port), sessions, seconds
        )
        report.figures["concurrency"] = {k: v for k, v in stats.items() if k != "errors"}
        log = server.log_file.read_text(errors="replace") if server.log_file.exists() else ""
        ncdfe = log.count("NoClassDefFoundError")
        report.add(
            f"4 {sessions} concurrent sessions for {seconds:.0f}s",
            not stats["errors"] and ncdfe == 0 and stats["queries"] > 0,
            f"{stats['sessions_opened']} sessions, {stats['queries']} queries, "
            f"{len(stats['errors'])} errors, p50 {stats['p50_s']}s, p95 {stats['p95_s']}s, "
            f"NoClassDefFoundError in log: {ncdfe}"
            + (f"; first error: {stats['errors'][0]}" if stats["errors"] else ""),
        )
    except Exception as err:
        report.add("unexpected error", False, f"{type(err).__name__}: {err}")
    finally:
        # (5) stop everything and look for leftovers
        local.stop()
        stopped = cluster.stop()
        time.sleep(2.0)
        left = our_processes(state.root)
        report.add(
            "5 no process left after stop",
            not left,
            f"stopped {', '.join(stopped) or 'nothing'}; left: {left or 'none'}",
        )
        report.figures["total_s"] = round(time.monotonic() - t_all, 1)
    (state.root / "check-cluster.json").write_text(
        json.dumps({"checks": [c.__dict__ for c in report.checks], **report.figures}, indent=1)
    )
    return report


def check_cluster_cmd(
    days: int = typer.Option(2, help="Days of generated data."),
    scale: float = typer.Option(0.1, help="Generator scale."),
    seed: int = typer.Option(42, help="Generator seed."),
    sessions: int = typer.Option(8, help="Concurrent sessions in check 4."),
    seconds: float = typer.Option(60.0, help="Duration of check 4."),
    resume: bool = typer.Option(
        False, help="Reuse the previous run's lake, local snapshot and cluster tables."
    ),
) -> None:
    """Prove the cluster: local = cluster, worker and server kills, concurrency, clean stop."""
    report = run_check(days, scale, seed, sessions, seconds, resume)
    table = Table(title="pulse check-cluster")
    table.add_column("check")
    table.add_column("result")
    table.add_column("detail")
    for check in report.checks:
        table.add_row(check.name, "PASS" if check.ok else "FAIL", check.detail)
    out = Console(width=160)
    out.print(table)
    figures = Table(title="figures")
    figures.add_column("figure")
    figures.add_column("value", justify="right")
    for key, value in report.figures.items():
        figures.add_row(key, json.dumps(value) if isinstance(value, dict) else str(value))
    out.print(figures)
    if not all(c.ok for c in report.checks):
        raise typer.Exit(1)
