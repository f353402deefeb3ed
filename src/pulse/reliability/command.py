"""`pulse check-reliability`: inject faults, re-run, read concurrently; print the table.

Slow (tens of minutes on a busy 2-core machine) and therefore not in the test suite.
Works in `$PULSE_HOME/reliability-check` with its own Thrift server on PULSE_THRIFT_PORT
(stopped at the end), and writes report.json and report.md there.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from dataclasses import asdict
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from pulse.reliability import lakecheck
from pulse.reliability.lakecheck import Outcome
from pulse.reliability.secrets import scan_files, state_files
from pulse.server import DEFAULT_PORT
from pulse.settings import State

console = Console()
_READER_KEYS = ("readers", "seconds", "queries", "errors", "torn_reads", "p50_ms", "p95_ms")

SPARK_OPTION = typer.Option(True, "--spark/--no-spark", help="Run the Thrift-server checks.")
LAKE_OPTION = typer.Option(True, "--lake/--no-lake", help="Run the loader and watcher checks.")
READERS_OPTION = typer.Option(8, min=1, help="Concurrent BI readers during the build.")
SECONDS_OPTION = typer.Option(60.0, min=1.0, help="How long the readers query.")
DAYS_OPTION = typer.Option(3, min=2, help="Days of generated data.")
SCALE_OPTION = typer.Option(0.05, min=0.001, help="Generator scale.")
PORT_OPTION = typer.Option(DEFAULT_PORT, help="Thrift port on 127.0.0.1 for the check's server.")


def check_reliability_cmd(
    spark: bool = SPARK_OPTION,
    lake: bool = LAKE_OPTION,
    readers: int = READERS_OPTION,
    seconds: float = SECONDS_OPTION,
    days: int = DAYS_OPTION,
    scale: float = SCALE_OPTION,
    port: int = PORT_OPTION,
) -> None:
    """Kill the loader, the watcher and the Thrift server mid-flight, re-run everything,
    query the marts with concurrent readers: nothing may be lost or duplicated."""
    root = State.from_env().root / "reliability-check"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    canary = "pulse-canary-" + secrets.token_hex(8)
    os.environ["PULSE_CLUSTER_TOKEN"] = canary  # must never reach a log or the docs
    started = time.monotonic()
    outcomes: list[Outcome] = []
    readers_report: dict[str, object] = {}

    def log(message: str) -> None:
        console.print(f"[dim]{time.monotonic() - started:6.0f}s[/dim] {message}")

    lake_checks = (
        ("load twice", lakecheck.loader_rerun),
        ("loader killed", lakecheck.loader_killed_mid_file),
        ("watcher killed between batches", lambda w: lakecheck.watcher_killed(w, False)),
        ("watcher killed mid-batch", lambda w: lakecheck.watcher_killed(w, True)),
    )
    for name, check in lake_checks if lake else ():
        work = root / name.replace(" ", "-")
        work.mkdir()
        outcomes.append(check(work))
        log(f"{name}: {'ok' if outcomes[-1].ok else 'FAILED'}")

    if spark:
        from pulse.reliability.sparkcheck import CheckError, percentile, run_spark_checks

        try:
            found, stats = run_spark_checks(
                root / "warehouse",
                port,
                log,
                days=days,
                scale=scale,
                readers=readers,
                seconds=seconds,
            )
        except CheckError as err:
            console.print(f"[red]error:[/red] {err}", soft_wrap=True)
            raise typer.Exit(2) from err
        outcomes += found
        readers_report = {
            "readers": readers,
            "seconds": seconds,
            "queries": stats.queries,
            "errors": stats.errors,
            "torn_reads": stats.torn,
            "p50_ms": round(percentile(stats.latencies, 50) * 1000),
            "p95_ms": round(percentile(stats.latencies, 95) * 1000),
            "build_seconds": round(stats.build_seconds),
            "error_kinds": stats.error_kinds,
            "torn_examples": stats.torn_examples,
        }

    if spark:  # the dbt and server logs and the dbt target dir of the Spark checks
        logs = [*state_files(root / "warehouse"), *(root / "warehouse").glob("*.log")]
        leaked = [str(p) for p in logs if canary in _text(p)]
        findings = [str(f) for f in scan_files(logs)]
        outcomes.append(
            Outcome(
                "secrets in logs and the state dir",
                f"{len(logs)} log and docs files scanned: {len(findings)} secret-looking strings, "
                f"the canary token in {len(leaked)}",
                0,
                0,
                not findings and not leaked,
            )
        )
    _print(outcomes, readers_report)
    report = {"outcomes": [asdict(o) for o in outcomes], "readers": readers_report}
    (root / "report.json").write_text(json.dumps(report, indent=2))
    console.print(f"report: {root / 'report.json'} ({time.monotonic() - started:.0f}s)")
    if not all(o.ok for o in outcomes):
        raise typer.Exit(1)


def _print(outcomes: list[Outcome], readers: dict[str, object]) -> None:
    table = Table(title="reliability: faults, re-runs, readers")
    for column in ("check", "outcome", "rows lost", "rows duplicated", "result"):
        table.add_column(column, overflow="fold")
    for o in outcomes:
        verdict = "[green]ok[/green]" if o.ok else "[red]FAILED[/red]"
        outcome = o.outcome + (f" ({o.evidence})" if o.evidence else "")
        table.add_row(o.scenario, outcome, str(o.lost), str(o.duplicated), verdict)
    console.print(table)
    if readers:
        summary = Table(title="concurrent readers")
        for key in _READER_KEYS:
            summary.add_column(key, justify="right")
        summary.add_row(*(str(readers[k]) for k in _READER_KEYS))
        console.print(summary)
        for kind, n in dict(readers.get("error_kinds") or {}).items():  # type: ignore[call-overload]
            console.print(f"  error x{n}: {kind}", soft_wrap=True)
        for example in list(readers.get("torn_examples") or []):  # type: ignore[call-overload]
            console.print(f"  torn: {example}", soft_wrap=True)


def _text(path: Path) -> str:
    try:
        if path.stat().st_size > 50 << 20:
            return ""
        return path.read_text(errors="replace")
    except OSError:
        return ""
