"""Running dbt against a target, with the environment each engine needs."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from pulse.settings import PROJECT_DIR, SPARK_DEFAULTS, SPARK_HOME, State, engine_conf

TARGETS = ("local", "embedded", "cluster")
# A production build: models, seeds and data tests. dbt's unit tests check the SQL logic
# on fixed inputs, not the data, so they run in CI (the test suite builds with them) and
# not on every daily or backfill run (dbt Labs' recommendation).
BUILD: tuple[str, ...] = ("build", "--exclude-resource-type", "unit_test")


def dbt_env(target: str, state: State) -> dict[str, str]:
    """Environment for a dbt process: profiles, target, lake, and embedded Spark settings."""
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)}")
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROJECT_DIR / "profiles"),
        "DBT_PROJECT_DIR": str(PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PULSE_TARGET": target,
        "PULSE_LAKE": str(state.lake),
        "SPARK_HOME": str(SPARK_HOME),
        "SPARK_CONF_DIR": str(SPARK_DEFAULTS.parent),
    }
    if target == "embedded":
        # dbt's session method starts PySpark in-process; spark-submit reads these.
        base = state.engine_dir("embedded")
        base.mkdir(parents=True, exist_ok=True)
        args = ["--properties-file", str(SPARK_DEFAULTS)]
        for key, value in engine_conf(state, "embedded").items():
            args += ["--conf", f"{key}={value}"]
        env["PYSPARK_SUBMIT_ARGS"] = shlex.join([*args, "pyspark-shell"])
    return env


def dbt_executable() -> str:
    return str(Path(sys.executable).with_name("dbt"))


def run_dbt(
    args: list[str],
    target: str,
    state: State | None = None,
    variables: dict[str, object] | None = None,
    capture: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run `dbt <args>` in the project for a target; never raises on a dbt failure."""
    state = state or State.from_env()
    cmd = [dbt_executable(), *args, "--target", target]
    if variables:
        cmd += ["--vars", json.dumps(variables)]
    cwd = state.engine_dir(target)
    cwd.mkdir(parents=True, exist_ok=True)
    cmd += ["--project-dir", str(PROJECT_DIR), "--target-path", str(cwd / "target")]
    cmd += ["--log-path", str(cwd / "logs")]
    return subprocess.run(
        cmd,
        cwd=cwd,
        env=dbt_env(target, state),
        text=True,
        capture_output=capture,
        check=False,
    )


def register_raw_tables(
    target: str, state: State | None = None
) -> subprocess.CompletedProcess[str]:
    """Create/refresh the external raw tables over the loader's parquet lake."""
    state = state or State.from_env()
    state.lake.mkdir(parents=True, exist_ok=True)
    args = json.dumps({"lake": str(state.lake)})
    return run_dbt(["run-operation", "register_raw_tables", "--args", args], target, state)
