"""The main job: server, sample data, load, dbt build, docs, summary."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pulse.dbt import BUILD, TARGETS, register_raw_tables, run_dbt
from pulse.server import Server
from pulse.settings import State

DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits, nothing around


class PipelineError(RuntimeError):
    """A step of the pipeline failed; the message says which and why."""


@dataclass
class RunReport:
    steps: list[tuple[str, float]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    docs: Path | None = None
    published: list[str] = field(default_factory=list)


def validate_date(value: str, name: str) -> str:
    """Dates that reach SQL from the command line must be real ISO dates, nothing else."""
    if not DATE_RE.fullmatch(value):
        raise PipelineError(f"{name} must be a date like 2024-01-31, got {value!r}")
    try:
        date.fromisoformat(value)
    except ValueError as err:
        raise PipelineError(f"{name} is not a valid date: {value!r}") from err
    return value


def validate_target(target: str) -> str:
    """A target from the command line must be one the profile declares."""
    if target not in TARGETS:
        raise PipelineError(f"--target must be one of {', '.join(TARGETS)}, got {target!r}")
    return target


def dbt_step(
    args: list[str], target: str, state: State, variables: dict[str, object] | None = None
) -> None:
    result = run_dbt(args, target, state, variables)
    if result.returncode != 0:
        raise PipelineError(f"dbt {' '.join(args)} failed (exit {result.returncode})")


def failing_tests(state: State, target: str) -> list[str]:
    """Names of failed or erroring nodes in the last dbt run_results.json."""
    path = state.engine_dir(target) / "target" / "run_results.json"
    if not path.exists():
        return []
    results = json.loads(path.read_text())["results"]
    return [
        f"{r['unique_id']}: {r['status']}"
        for r in results
        if r["status"] in ("fail", "error", "runtime error")
    ]


def operation_output(target: str, state: State, operation: str, marker: str) -> Any:
    """The JSON a dbt run-operation logs after `marker`; PipelineError if it logged none."""
    result = run_dbt(["run-operation", operation], target, state, capture=True)
    for line in result.stdout.splitlines():
        if result.returncode == 0 and f"{marker} " in line:
            return json.loads(line.split(f"{marker} ", 1)[1])
    raise PipelineError(f"dbt run-operation {operation} failed:\n{result.stdout[-3000:]}")


def summary(target: str, state: State) -> dict[str, Any]:
    return dict(operation_output(target, state, "pulse_summary", "PULSE_SUMMARY"))


def publish(target: str, state: State) -> list[str]:
    """Copy the marts the exposures read into new versions and repoint the `serving`
    views at them (macros/operations/publish_serving.sql); returns the marts published.
    Callers run it only after a build with no failure: that is the dashboards' gate."""
    return list(operation_output(target, state, "publish_serving", "PULSE_PUBLISHED")["marts"])


def ensure_server(target: str, state: State) -> None:
    validate_target(target)
    if target == "local":
        Server(state).start()


def build(target: str, state: State, full_refresh: bool = False) -> RunReport:
    """Register raw tables, then `dbt build` (seeds, models, tests)."""
    validate_target(target)
    report = RunReport()
    t0 = time.monotonic()
    if register_raw_tables(target, state).returncode != 0:
        raise PipelineError("registering the raw tables failed")
    report.steps.append(("register raw tables", time.monotonic() - t0))
    t0 = time.monotonic()
    args = [*BUILD, *(["--full-refresh"] if full_refresh else [])]
    result = run_dbt(args, target, state)
    report.steps.append(("dbt build", time.monotonic() - t0))
    report.failures = failing_tests(state, target)
    if result.returncode != 0 and not report.failures:
        raise PipelineError(f"dbt build failed (exit {result.returncode})")
    if not report.failures:  # a failing test keeps the dashboards on the last good publish
        t0 = time.monotonic()
        report.published = publish(target, state)
        report.steps.append(("publish serving views", time.monotonic() - t0))
    return report


def backfill(target: str, state: State, start: str, end: str) -> None:
    """Rebuild [start, end] of every incremental model (and the tables downstream)."""
    validate_target(target)
    start = validate_date(start, "--start")
    end = validate_date(end, "--end")
    if start > end:
        raise PipelineError(f"--start {start} is after --end {end}")
    ensure_server(target, state)
    if register_raw_tables(target, state).returncode != 0:
        raise PipelineError("registering the raw tables failed")
    dbt_step(list(BUILD), target, state, {"backfill_start": start, "backfill_end": end})
    publish(target, state)


def docs_generate(target: str, state: State) -> Path:
    dbt_step(["docs", "generate"], target, state)
    return state.engine_dir(target) / "target" / "index.html"
