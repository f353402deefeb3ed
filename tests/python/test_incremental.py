"""The invariant: day-by-day incremental builds equal one full refresh, row for row.

A generated dataset (with duplicates, late events and bad rows) lands in K day-batches;
`dbt build` runs after each. Then every model table is copied aside, `dbt build
--full-refresh` runs over the same raw data, and each copy is compared with its rebuilt
table by EXCEPT ALL in both directions.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from warehouse import Warehouse

pytestmark = pytest.mark.spark

BATCH_RE = re.compile(r"batch_date=(\d{4}-\d{2}-\d{2})")


def batches(landing: Path) -> dict[str, list[Path]]:
    """Batch directories per batch date, in date order."""
    found: dict[str, list[Path]] = {}
    for path in sorted(landing.rglob("batch_date=*")):
        match = BATCH_RE.search(path.name)
        if path.is_dir() and match:
            found.setdefault(match.group(1), []).append(path)
    return dict(sorted(found.items()))


def model_tables(wh: Warehouse) -> list[str]:
    tables = []
    for schema in ("intermediate", "marts"):
        listed = wh.query(f"show tables in {schema}")
        tables += [f"{schema}.{name}" for name in listed["tableName"] if not name.endswith("_tmp")]
    return tables


@pytest.fixture(scope="module")
def incremental_then_full(
    thrift_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Warehouse, list[str]]:
    from pulse.generate import GenerateConfig, generate

    wh = thrift_warehouse
    landing = tmp_path_factory.mktemp("landing")
    generate(landing, GenerateConfig(seed=7, days=3, scale=0.05, start_date=date(2024, 3, 1)))
    days = batches(landing)
    assert len(days) >= 3, days
    wh.dbt("seed")
    for day, dirs in days.items():
        for directory in dirs:
            wh.load(directory, None, load_date=date.fromisoformat(day))
        wh.register()
        wh.dbt("run")  # tests run once, on the full refresh below
    tables = model_tables(wh)
    wh.execute("create schema if not exists snap")
    for table in tables:
        copy = "snap." + table.replace(".", "__")
        wh.execute(f"drop table if exists {copy}")
        wh.execute(f"create table {copy} using parquet as select * from {table}")
    wh.build("--full-refresh")
    return wh, tables


def differences(wh: Warehouse, tables: list[str]) -> dict[str, int]:
    """Rows in a table and not in its snapshot copy, or the other way round (EXCEPT ALL)."""
    found = {}
    for table in tables:
        copy = "snap." + table.replace(".", "__")
        for left, right in ((copy, table), (table, copy)):
            n = wh.query(
                f"select count(*) as n from (select * from {left} except all select * from {right})"
            )
            if int(n["n"][0]):
                found[f"{left} - {right}"] = int(n["n"][0])
    return found


def test_incremental_equals_full_refresh(
    incremental_then_full: tuple[Warehouse, list[str]],
) -> None:
    wh, tables = incremental_then_full
    assert any(t.endswith("fct_events") for t in tables)
    assert not differences(wh, tables)


def test_backfill_changes_nothing(incremental_then_full: tuple[Warehouse, list[str]]) -> None:
    """`pulse backfill` of two middle days rebuilds them to the same rows, and touches no
    other day (the tables still equal the incremental runs' copies)."""
    from pulse.pipeline import backfill

    wh, tables = incremental_then_full
    backfill(wh.target, wh.state, "2024-03-02", "2024-03-03")
    log = (wh.state.engine_dir(wh.target) / "logs" / "dbt.log").read_text(errors="replace")
    assert "fct_events: backfilling 2024-03-02 to 2024-03-03" in log
    assert not differences(wh, tables)


def test_late_events_were_loaded_late(incremental_then_full: tuple[Warehouse, list[str]]) -> None:
    """The generated data has late events, so the invariant above covered them."""
    wh, _ = incremental_then_full
    late = wh.query("select sum(events) as n from marts.late_events_audit where days_late > 0")
    assert int(late["n"][0] or 0) > 0
