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
    for schema in ("staging", "intermediate", "marts"):
        listed = wh.query(f"show tables in {schema}")
        tables += [f"{schema}.{name}" for name in listed["tableName"] if not name.endswith("_tmp")]
    return tables


SCOPED_BUILD: dict[str, object] = {}
WATERMARKS: dict[str, tuple[dict[str, str], tuple[str, str]]] = {}
SINCE_RE = re.compile(r"_metadata\.file_modification_time >= timestamp '([0-9: -]+)'")


def scoped_build_facts(wh: Warehouse) -> dict[str, object]:
    """What the incremental build of fct_events (and the dims its tests refer to) just did:
    the SQL of the fct_events tests, the first day fct_events rebuilt (dbt's log) and
    what the scope filter selects."""
    import json

    target = wh.state.engine_dir(wh.target)
    results = json.loads((target / "target" / "run_results.json").read_text())["results"]
    tests = {r["unique_id"]: (r["status"], r["compiled_code"]) for r in results}
    tests = {k: v for k, v in tests.items() if k.startswith("test.") and "_fct_events_" in k}
    log = (target / "logs" / "dbt.log").read_text(errors="replace")
    rebuilt_from = re.findall(r"fct_events: rebuilding from (\d{4}-\d{2}-\d{2})", log)[-1]
    since = {m.group(1) for _, sql in tests.values() for m in SINCE_RE.finditer(sql)}
    scoped = wh.query(
        "select cast(min(event_date) as string) as first_day, count(*) as n "
        f"from marts.fct_events where _metadata.file_modification_time >= timestamp '{min(since)}'"
        if since
        else "select null as first_day, 0 as n"
    )
    window = wh.query(
        "select cast(min(event_date) as string) as first_day, count(*) as n "
        f"from marts.fct_events where event_date >= date '{rebuilt_from}'"
    )
    total = wh.query("select count(*) as n from marts.fct_events")
    return {
        "tests": tests,
        "since": since,
        "rebuilt_from": rebuilt_from,
        "scoped_first_day": scoped["first_day"][0],
        "scoped_rows": int(scoped["n"][0]),
        "window_first_day": window["first_day"][0],
        "window_rows": int(window["n"][0]),
        "total_rows": int(total["n"][0]),
    }


def watermarks(wh: Warehouse) -> dict[str, tuple[dict[str, str], tuple[str, str]]]:
    """Per incremental model: the newest partition and `_loaded_at` its table properties
    record (macros/helpers/watermark.sql), and the same two maxima scanned from its rows."""
    import json

    target = wh.state.engine_dir(wh.target) / "target" / "manifest.json"
    nodes = json.loads(target.read_text())["nodes"].values()
    found = {}
    for node in nodes:
        config = node.get("config", {})
        if node["resource_type"] != "model" or config.get("materialized") != "incremental":
            continue
        table = f"{node['schema']}.{node['alias']}"
        partition = config["partition_by"]
        partition = partition if isinstance(partition, str) else partition[0]
        props = wh.query(f"show tblproperties {table}")
        recorded = {k: v for k, v in zip(props.iloc[:, 0], props.iloc[:, 1], strict=True)}
        scanned = wh.query(
            f"select cast(max({partition}) as string) as p, cast(max(_loaded_at) as string) as w "
            f"from {table}"
        )
        found[table] = (
            {k: v for k, v in recorded.items() if k.startswith("pulse.")},
            (scanned["p"][0], scanned["w"][0]),
        )
    return found


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
    for i, (day, dirs) in enumerate(days.items()):
        for directory in dirs:
            wh.load(directory, None, load_date=date.fromisoformat(day))
        wh.register()
        if i == len(days) - 1:  # the newest day: fct_events and its (scoped) tests first
            wh.dbt(  # registered above: nothing landed since
                "build",
                "--select",
                "fct_events",
                "dim_actors",
                "dim_dates",
                variables={"lookback_days": 0},
            )
            SCOPED_BUILD.update(scoped_build_facts(wh))
        wh.dbt("run")  # every test runs once, on the full refresh below
    WATERMARKS.update(watermarks(wh))
    tables = model_tables(wh)
    copies = ["create schema if not exists snap"]
    for table in tables:
        copy = "snap." + table.replace(".", "__")
        copies += [
            f"drop table if exists {copy}",
            f"create table {copy} using parquet as select * from {table}",
        ]
    wh.execute(*copies)
    wh.dbt("build", "--full-refresh")  # the raw tables are registered, nothing new landed
    return wh, tables


def differences(wh: Warehouse, tables: list[str]) -> dict[str, int]:
    """Rows in a table and not in its snapshot copy, or the other way round (EXCEPT ALL):
    one query counts both directions of every table."""
    parts = []
    for table in tables:
        copy = "snap." + table.replace(".", "__")
        for left, right in ((copy, table), (table, copy)):
            parts.append(
                f"select '{left} - {right}' as pair, count(*) as n "
                f"from (select * from {left} except all select * from {right})"
            )
    counted = wh.query(" union all ".join(parts))
    return {pair: int(n) for pair, n in zip(counted["pair"], counted["n"], strict=True) if n}


def test_incremental_equals_full_refresh(
    incremental_then_full: tuple[Warehouse, list[str]],
) -> None:
    wh, tables = incremental_then_full
    assert any(t.endswith("fct_events") for t in tables)
    assert not differences(wh, tables)


@pytest.mark.parametrize("after", ["incremental runs", "full refresh"])
def test_recorded_watermarks_equal_the_scanned_maxima(
    incremental_then_full: tuple[Warehouse, list[str]], after: str
) -> None:
    """Each incremental model's table properties hold its newest partition and newest
    `_loaded_at`, exactly as a scan of its rows finds them: accumulated over three daily
    runs (the greater of the old record and the rows a run wrote), and after a full
    refresh."""
    wh, _ = incremental_then_full
    found = WATERMARKS if after == "incremental runs" else watermarks(wh)
    assert len(found) >= 15
    for table, (recorded, (partition, loaded)) in found.items():
        assert partition and loaded, table
        assert recorded == {"pulse.last_partition": partition, "pulse.watermark": loaded}, table


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


def test_incremental_build_tests_only_the_rewritten_partitions(
    incremental_then_full: tuple[Warehouse, list[str]],
) -> None:
    """On the newest day's incremental build of fct_events, every fct_events test read the
    rows of files that build wrote, and those are exactly the partitions it rebuilt."""
    facts = SCOPED_BUILD
    tests = facts["tests"]
    assert isinstance(tests, dict) and len(tests) >= 10
    assert all(status == "pass" for status, _ in tests.values()), tests
    assert all(SINCE_RE.search(sql) for _, sql in tests.values())
    assert len(facts["since"]) == 1  # type: ignore[arg-type]
    assert facts["scoped_first_day"] == facts["window_first_day"]
    assert facts["scoped_rows"] == facts["window_rows"] > 0
    if facts["rebuilt_from"] > "2024-03-01":  # the data's first day: then a strict subset
        assert facts["scoped_rows"] < facts["total_rows"]  # type: ignore[operator]


def test_dbt_test_and_full_refresh_test_every_row(
    incremental_then_full: tuple[Warehouse, list[str]],
) -> None:
    """Scoping is for builds only: `dbt test` (and the full refresh above) read every row."""
    import json

    wh, _ = incremental_then_full
    wh.dbt("test", "--select", "fct_events")
    target = wh.state.engine_dir(wh.target) / "target" / "run_results.json"
    results = json.loads(target.read_text())["results"]
    assert len(results) >= 10
    assert not any(SINCE_RE.search(r["compiled_code"]) for r in results)


def test_publish_swaps_the_serving_views_and_readers_never_see_a_rebuild(
    incremental_then_full: tuple[Warehouse, list[str]],
) -> None:
    """The dashboards read `serving.<mart>` views that `publish` repoints at a fresh copy.
    While two marts are rebuilt (a table dbt drops and recreates, and an incremental one)
    and then published, readers of the views get no error and always the same rows; after
    it, every view equals its mart, and only the newest two versions are kept."""
    import threading

    from pyhive import hive

    from pulse.pipeline import publish

    wh, _ = incremental_then_full
    marts = publish(wh.target, wh.state)
    assert {"active_users_daily", "session_metrics_daily", "data_quality_daily"} <= set(marts)
    watched = ("active_users_daily", "session_metrics_daily")
    expected = {m: int(wh.query(f"select count(*) as n from serving.{m}")["n"][0]) for m in watched}
    seen: list[tuple[str, int]] = []
    errors: list[str] = []
    done = threading.Event()

    def reader() -> None:
        conn = hive.connect(host="127.0.0.1", port=wh.server.port, username="pulse")
        cursor = conn.cursor()
        try:
            while not done.is_set():
                for mart in watched:
                    try:
                        cursor.execute(f"select count(*) from serving.{mart}")
                        seen.append((mart, int(cursor.fetchall()[0][0])))
                    except Exception as err:  # every failure is a finding
                        errors.append(f"{mart}: {str(err)[:300]}")
        finally:
            conn.close()

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        wh.dbt("run", "--select", *watched, "--full-refresh")
        second = publish(wh.target, wh.state)
    finally:
        done.set()
        for thread in threads:
            thread.join(timeout=120)
    assert not errors, errors[:5]
    assert len(seen) >= 4 and all(n == expected[m] for m, n in seen), seen[:20]
    publish(wh.target, wh.state)
    for mart in second:
        view = f"serving.{mart}"
        for left, right in ((view, f"marts.{mart}"), (f"marts.{mart}", view)):
            n = wh.query(
                f"select count(*) as n from (select * from {left} except all select * from {right})"
            )
            assert int(n["n"][0]) == 0, f"{left} - {right}"
    live = wh.query("select version, marts from serving.last_published")
    versions = wh.query("show tables in serving_versions")["tableName"]
    for mart in second:
        kept = sorted(v for v in versions if v.startswith(f"{mart}__v"))
        assert len(kept) == 2 and kept[-1] == f"{mart}__v{live['version'][0]}", kept
    assert int(live["marts"][0]) == len(second)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"backfill_start": "2024-03-02' or '1'='1"}, "var backfill_start must be a date"),
        ({"backfill_start": "2024-03-02", "backfill_end": "now()"}, "var backfill_end must"),
        ({"lookback_days": "3) or (1=1"}, "var lookback_days must be a whole number"),
    ],
)
def test_vars_that_reach_sql_are_validated(
    incremental_then_full: tuple[Warehouse, list[str]], variables: dict[str, object], message: str
) -> None:
    """`pulse dbt -- build --vars ...` is raw dbt: the macros check what they paste."""
    from pulse.dbt import run_dbt

    wh, _ = incremental_then_full
    result = run_dbt(["run", "--select", "fct_events"], wh.target, wh.state, variables, True)
    assert result.returncode != 0
    assert message in result.stdout, result.stdout[-3000:]


def test_a_lake_path_that_would_break_out_of_its_quotes_is_refused(
    incremental_then_full: tuple[Warehouse, list[str]],
) -> None:
    import json

    from pulse.dbt import run_dbt

    wh, _ = incremental_then_full
    args = ["run-operation", "register_raw_tables", "--args", json.dumps({"lake": "/x' ; --"})]
    result = run_dbt(args, wh.target, wh.state, capture=True)
    assert result.returncode != 0
    assert "the lake path may hold only" in result.stdout, result.stdout[-3000:]
