"""Crash the loader and the micro-batch watcher with SIGKILL, run again, and compare the
raw lake with one loaded without interruption: same rows, balanced audit, no leftovers.

Pure Python (no Spark): the loader runs as a `pulse load` subprocess on its own
PULSE_HOME; the reference lake is loaded in-process from the same files.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from pulse.load import load_path

LOAD_DATE = date(2024, 5, 6)
_VOLATILE = {"_loaded_at", "started_at"}  # wall-clock times of a load
NOTES_HEADER = "user_id,timestamp,action_type,page_id,duration_ms,app_version"


@dataclass
class Outcome:
    """One fault or re-run and what it did to the data."""

    scenario: str
    outcome: str
    lost: int
    duplicated: int
    ok: bool
    evidence: str = ""


def pulse_executable() -> str:
    return str(Path(sys.executable).with_name("pulse"))


def write_big_csv(path: Path, rows: int, days: int, bad_every: int = 997) -> Path:
    """A notes-app file spread over `days` event dates (one parquet file per date), with
    a bad row now and then so the quarantine is written too."""
    path.parent.mkdir(parents=True, exist_ok=True)
    start = date(2024, 1, 1)
    with path.open("w") as out:
        out.write(NOTES_HEADER + "\n")
        for i in range(rows):
            day = start + timedelta(days=i % days)
            duration = "x" if i % bad_every == 0 else str(i % 5000)
            out.write(
                f"u{i % 9973},{day} 10:{i % 60:02d}:00,edit,p{i % 101},{duration},1.{i % 7}\n"
            )
    return path


def lake_rows(lake: Path) -> dict[str, pa.Table]:
    """Every table of the lake as (row text, copies), load times left out."""
    tables: dict[str, pa.Table] = {}
    for directory in sorted(p for p in lake.glob("*/*") if p.is_dir()):
        table = ds.dataset(directory, format="parquet", partitioning="hive").to_table()
        names = sorted(n for n in table.column_names if n not in _VOLATILE)
        texts = [pc.fill_null(table.column(n).cast(pa.string()), "\x00null") for n in names]
        key = pc.binary_join_element_wise(*texts, "\x1f") if texts else pa.array([], pa.string())
        counted = pa.table({"row": key}).group_by("row").aggregate([("row", "count")])
        tables[f"{directory.parent.name}.{directory.name}"] = counted
    return tables


def compare_lakes(actual: Path, reference: Path) -> tuple[int, int, list[str]]:
    """(rows lost, rows duplicated or extra, problems) of `actual` against `reference`."""
    got, want = lake_rows(actual), lake_rows(reference)
    lost = dup = 0
    problems: list[str] = []
    empty = pa.table({"row": pa.array([], pa.string()), "row_count": pa.array([], pa.int64())})
    for table in sorted(set(got) | set(want)):
        g = got.get(table, empty).rename_columns(["row", "got"])
        w = want.get(table, empty).rename_columns(["row", "want"])
        both = g.join(w, "row", join_type="full outer")
        diff = pc.subtract(pc.fill_null(both["got"], 0), pc.fill_null(both["want"], 0))
        extra = pc.sum(pc.max_element_wise(diff, 0)).as_py() or 0
        missing = pc.sum(pc.max_element_wise(pc.negate(diff), 0)).as_py() or 0
        lost, dup = lost + missing, dup + extra
        if missing or extra:
            problems.append(f"{table}: {missing} missing, {extra} extra")
    problems += audit_problems(actual)
    return lost, dup, problems


def audit_problems(lake: Path) -> list[str]:
    """The audit balances and accounts for every file in the lake; no temporary files."""
    problems: list[str] = []
    audit_dir = lake / "loader" / "load_audit"
    audit = ds.dataset(audit_dir, format="parquet", partitioning="hive").to_table().to_pylist()
    owned = {Path(p).name for p in ds.dataset(audit_dir, format="parquet").files}
    for row in audit:
        if row["rows_read"] != row["rows_loaded"] + row["rows_rejected"]:
            problems.append(f"audit of {row['file_name']} does not balance")
    for table in {(r["source_name"], r["table_name"]) for r in audit}:
        loaded = sum(
            r["rows_loaded"] for r in audit if (r["source_name"], r["table_name"]) == table
        )
        directory = lake.joinpath(*table)
        n = ds.dataset(directory, format="parquet").count_rows() if directory.exists() else 0
        if n != loaded:
            problems.append(f"{'.'.join(table)}: {n} rows in the lake, audit says {loaded}")
    rejected = sum(r["rows_rejected"] for r in audit)
    quarantine_dir = lake / "loader" / "load_quarantine"
    q = ds.dataset(quarantine_dir, format="parquet").count_rows() if quarantine_dir.exists() else 0
    if q != rejected:
        problems.append(f"quarantine holds {q} rows, audit says {rejected}")
    for path in lake.rglob("*"):
        if path.is_file() and path.name.endswith(".tmp"):
            problems.append(f"temporary file left: {path.relative_to(lake)}")
        elif path.suffix == ".parquet" and path.name not in owned:
            problems.append(f"file no audit row owns: {path.relative_to(lake)}")
    return problems


def kill_when(
    proc: subprocess.Popen[bytes], ready: Callable[[], bool], timeout: float = 300.0
) -> bool:
    """SIGKILL `proc` as soon as `ready()`; False if it ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if ready():
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return False


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "PULSE_HOME": str(home)}


def _files(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()] if directory.exists() else []


def _audit_count(lake: Path) -> int:
    return len(list((lake / "loader" / "load_audit").glob("load_date=*/*.parquet")))


def loader_killed_mid_file(work: Path, rows: int = 600_000) -> Outcome:
    """SIGKILL `pulse load` while it writes a file's partitions; run it again."""
    big = write_big_csv(work / "landing" / "user_interactions_big.csv", rows, days=60)
    home, reference = work / "killed", work / "reference"
    load_path(big, lake=reference / "lake", load_date=LOAD_DATE)
    lake = home / "lake"
    raw = lake / "notes_app" / "user_interactions"
    command = [pulse_executable(), "load", "--path", str(big), "--load-date", str(LOAD_DATE)]
    proc = subprocess.Popen(
        command, env=_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    killed = kill_when(proc, lambda: len(_files(raw)) >= 3)
    at_kill = f"{len(_files(raw))} partition files written, {_audit_count(lake)} audit rows"
    rerun = subprocess.run(command, env=_env(home), capture_output=True, text=True, check=False)
    lost, dup, problems = compare_lakes(lake, reference / "lake")
    ok = killed and rerun.returncode == 0 and not problems
    outcome = "killed mid-file; the re-run removed the partial load and loaded it once"
    if not killed:
        outcome = "the loader finished before the kill (no fault injected)"
    return Outcome("loader SIGKILL mid-file, re-run", outcome, lost, dup, ok, at_kill)


def watcher_killed(work: Path, mid_batch: bool) -> Outcome:
    """SIGKILL `pulse load --watch` between two batches (or inside one); restart it."""
    landing, home, reference = work / "landing", work / "killed", work / "reference"
    landing.mkdir(parents=True)
    lake = home / "lake"
    old = time.time() - 60  # the watcher loads files that have settled

    def land(name: str, rows: int, days: int) -> Path:
        path = write_big_csv(work / "incoming" / name, rows, days)
        target = landing / name
        path.rename(target)
        os.utime(target, (old, old))
        return target

    command = [pulse_executable(), "load", "--watch", "--interval", "0.2", "--path", str(landing)]
    command += ["--load-date", str(LOAD_DATE)]
    proc = subprocess.Popen(
        command, env=_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    land("user_interactions_w1.csv", 2_000, 3)
    _wait(lambda: _audit_count(lake) >= 1)
    land("user_interactions_w2.csv", 2_000, 3)
    _wait(lambda: _audit_count(lake) >= 2)
    if mid_batch:
        raw = lake / "notes_app" / "user_interactions"
        before = len(_files(raw))
        land("user_interactions_w3.csv", 600_000, 60)
        killed = kill_when(proc, lambda: len(_files(raw)) >= before + 3)
    else:
        time.sleep(0.5)  # between two polls
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        killed = True
        land("user_interactions_w3.csv", 2_000, 3)
    at_kill = f"{_audit_count(lake)} of 3 files audited at the kill"
    subprocess.run(
        [*command, "--max-batches", "2"], env=_env(home), capture_output=True, check=False
    )
    load_path(landing, lake=reference / "lake", load_date=LOAD_DATE)
    lost, dup, problems = compare_lakes(lake, reference / "lake")
    files_loaded = _audit_count(lake)
    ok = killed and not problems and files_loaded == 3
    where = "inside a batch (mid-file)" if mid_batch else "between batches"
    outcome = f"killed {where}; the restarted watcher loaded the rest once ({files_loaded}/3 files)"
    if not killed:
        outcome = "the watcher finished the batch before the kill (no fault injected)"
    return Outcome(f"watcher SIGKILL {where}, restart", outcome, lost, dup, ok, at_kill)


def loader_rerun(work: Path) -> Outcome:
    """Load the same landing twice: the second run skips every file, the lake is unchanged."""
    big = write_big_csv(work / "landing" / "user_interactions_again.csv", 50_000, 10)
    lake = work / "lake"
    load_path(big.parent, lake=lake, load_date=LOAD_DATE)
    before = _snapshot(lake)
    second = load_path(big.parent, lake=lake, load_date=LOAD_DATE + timedelta(days=1))
    after = _snapshot(lake)
    changed = sum(1 for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    ok = changed == 0 and all(r.status == "skipped" for r in second) and not audit_problems(lake)
    outcome = (
        f"second load: {', '.join(sorted({r.status for r in second}))}; {changed} files changed"
    )
    return Outcome("load twice", outcome, 0, 0 if ok else changed, ok)


def _snapshot(lake: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(lake)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in lake.rglob("*")
        if p.is_file() and p.name != ".load.lock"
    }


def _wait(done: Callable[[], bool], timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the watcher did not load the file in time")
        time.sleep(0.05)
