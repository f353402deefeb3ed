"""`pulse load` on small files written here: quarantine reasons, reconciliation,
idempotency, replace, crash recovery, schema drift, gzip, encodings, watch and the CLI.

The tests declare their own source (`shop`) in a throw-away dbt project, next to the
repository's real `loader` source, so they do not depend on the other sources' yml.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import pulse.load.loader as loader_module
from pulse.load import FileResult, LoadError, TableSpec, load_path, read_contracts, watch
from pulse.load.command import load_cmd
from pulse.load.readers import read_bytes
from pulse.load.timeparse import parse_times, python_strptime
from pulse.load.validate import validate

REPO = Path(__file__).resolve().parents[2]
LOAD_DATE = date(2024, 5, 6)
HEADER = "eventId,user_id,event_time,ref_id,qty,price,paid,note,day"

SHOP_SOURCES = """
version: 2
sources:
  - name: shop
    tables:
      - name: events
        meta:
          loader:
            files: ["events*.csv", "events*.csv.gz", "events*.jsonl"]
            event_time: event_time
        columns:
          - {name: event_id, meta: {type: id, required: true, source_column: eventId}}
          - {name: user_id, meta: {type: id, required: true}}
          - name: event_time
            meta:
              type: timestamp
              required: true
              formats: ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]
          - {name: ref_id, meta: {type: id}}
          - {name: qty, meta: {type: int}}
          - {name: price, meta: {type: decimal}}
          - {name: paid, meta: {type: bool}}
          - {name: note, meta: {type: string}}
          - {name: day, meta: {type: date, formats: ["%Y-%m-%d"]}}
      - name: customers
        meta:
          loader:
            files: ["customers*.csv"]
        columns:
          - {name: customer_id, meta: {type: id, required: true}}
          - {name: name, meta: {type: string}}
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A dbt project holding the `shop` test source and the real `loader` source."""
    root = tmp_path / "project"
    (root / "models/staging/shop").mkdir(parents=True)
    (root / "models/staging/shop/_shop__sources.yml").write_text(SHOP_SOURCES)
    shutil.copytree(REPO / "models/staging/loader", root / "models/staging/loader")
    monkeypatch.setenv("PULSE_PROJECT_DIR", str(root))
    return root


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    return tmp_path / "lake"


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    path = tmp_path / "landing"
    path.mkdir()
    return path


def write_csv(path: Path, *rows: str, header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def load(path: Path, lake: Path, **kwargs: object) -> list[FileResult]:
    kwargs.setdefault("load_date", LOAD_DATE)
    return load_path(path, lake=lake, **kwargs)  # type: ignore[arg-type]


def one(results: list[FileResult]) -> FileResult:
    assert len(results) == 1, results
    return results[0]


def read_table(directory: Path) -> pa.Table:
    if not directory.exists():
        return pa.table({})
    return ds.dataset(directory, format="parquet", partitioning="hive").to_table()


def raw(lake: Path) -> pa.Table:
    return read_table(lake / "shop" / "events")


def quarantine(lake: Path) -> pa.Table:
    return read_table(lake / "loader" / "load_quarantine")


def audit(lake: Path) -> pa.Table:
    return read_table(lake / "loader" / "load_audit")


def snapshot(lake: Path) -> dict[str, str]:
    """Every file of the lake (lock file aside) with a hash of its bytes."""
    return {
        str(p.relative_to(lake)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(lake.rglob("*"))
        if p.is_file() and p.name != ".load.lock"
    }


def assert_reconciled(result: FileResult) -> None:
    assert result.rows_read == result.rows_loaded + result.rows_rejected


def good_row(i: int, **changes: str) -> str:
    values = {
        "eventId": f"e{i}",
        "user_id": f"u{i}",
        "event_time": "2024-05-01 10:00:00",
        "ref_id": f"r{i}",
        "qty": "3",
        "price": "9.99",
        "paid": "True",
        "note": "ok",
        "day": "2024-05-01",
    }
    values.update(changes)
    return ",".join(values.values())


# --- contracts ---------------------------------------------------------------------------


def test_repository_contracts_parse() -> None:
    contracts = read_contracts(REPO)
    names = {t.qualified_name for t in contracts.tables}
    assert {"flyers.flyer_events", "marketing.clickstream", "play_store.apps"} <= names
    assert "load_date" not in contracts.audit_schema.names
    assert contracts.quarantine_schema.field("row_number").type == pa.int64()


def test_unknown_source_and_missing_path_are_clear_errors(
    project: Path, lake: Path, landing: Path
) -> None:
    with pytest.raises(LoadError, match="unknown source 'nope'"):
        load_path(landing, "nope", lake=lake)
    with pytest.raises(LoadError, match="no such file or directory"):
        load_path(landing / "absent", lake=lake)


# --- quarantine reasons --------------------------------------------------------------------


def test_each_reason_lands_in_quarantine_with_its_row_number(
    project: Path, lake: Path, landing: Path
) -> None:
    rows = [
        good_row(1),
        good_row(2, user_id=""),
        good_row(3, user_id="NULL"),
        good_row(4, ref_id="%3Cnull%3G"),  # optional id placeholder: kept
        good_row(5, event_time="yesterday"),
        good_row(6, event_time="9999-01-01 00:00:00"),
        good_row(7, qty="1.5"),
        good_row(8, price="abc"),
        good_row(9, paid="yes"),
        good_row(10) + ",surplus",
        good_row(11, day="2021-02-30"),
        good_row(12, event_time="2023-02-29 10:00:00"),
        good_row(13, user_id="  ", qty="x"),  # first failing column wins
        good_row(14, note='"say ""hi""\nbye"'),  # quoted, doubled quotes, newline
        good_row(15, event_time="2024-03-01T01:30:00+05:00"),
        good_row(16, eventId="<null>"),
        good_row(17, event_time=""),
        good_row(18, qty=" 12 ", price="-0.5", paid="0"),
    ]
    result = one(load(write_csv(landing / "events_1.csv", *rows), lake))
    assert result.status == "loaded"
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (18, 5, 13)
    assert sorted(raw(lake).column("_row_number").to_pylist()) == [1, 4, 14, 15, 18]

    rejected = quarantine(lake).sort_by("row_number").to_pylist()
    assert [(r["row_number"], r["reason"]) for r in rejected] == [
        (2, "missing user_id"),
        (3, "missing user_id"),
        (5, "unparseable timestamp in event_time: yesterday"),
        (6, "future timestamp in event_time: 9999-01-01 00:00:00"),
        (7, "not an integer in qty"),
        (8, "not a decimal in price"),
        (9, "not a boolean in paid"),
        (10, "wrong column count: expected 9, got 10"),
        (11, "unparseable date in day: 2021-02-30"),
        (12, "unparseable timestamp in event_time: 2023-02-29 10:00:00"),
        (13, "missing user_id"),
        (16, "missing event_id"),
        (17, "missing event_time"),
    ]
    by_row = {r["row_number"]: r for r in rejected}
    assert by_row[10]["raw_text"] == good_row(10) + ",surplus"
    assert by_row[7]["raw_text"] == good_row(7, qty="1.5")
    assert {r["source_name"] for r in rejected} == {"shop"}
    assert {r["table_name"] for r in rejected} == {"events"}
    assert {r["source_file"] for r in rejected} == {str((landing / "events_1.csv").resolve())}


def test_quarantine_is_exact(project: Path, lake: Path, landing: Path) -> None:
    rows = [
        good_row(1),
        good_row(2, user_id=""),
        good_row(3, user_id="nan"),
        good_row(4, qty="4e2"),
        good_row(5, paid="TRUE"),
        good_row(6, event_time="2024-05-01 10:00:60"),
    ]
    result = one(load(write_csv(landing / "events_2.csv", *rows), lake))
    assert_reconciled(result)
    rejected = quarantine(lake).sort_by("row_number").to_pylist()
    assert [(r["row_number"], r["reason"]) for r in rejected] == [
        (2, "missing user_id"),
        (3, "missing user_id"),
        (4, "not an integer in qty"),
        (5, "not a boolean in paid"),
        (6, "unparseable timestamp in event_time: 2024-05-01 10:00:60"),
    ]
    assert raw(lake).column("event_id").to_pylist() == ["e1"]


def test_loaded_rows_keep_source_text_and_loader_columns(
    project: Path, lake: Path, landing: Path
) -> None:
    rows = [
        good_row(1, ref_id="%3Cnull%3G", note=""),
        good_row(2, note='"say ""hi""\nbye"', qty=" 12 "),
        good_row(3, event_time="2024-03-01T01:30:00+05:00"),
    ]
    path = write_csv(landing / "events_3.csv", *rows)
    result = one(load(path, lake))
    assert (result.rows_loaded, result.rows_rejected) == (3, 0)

    files = sorted((lake / "shop/events").rglob("*.parquet"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    assert [f.relative_to(lake / "shop/events").as_posix() for f in files] == [
        f"load_date=2024-05-06/event_date=2024-02-29/events_3-{digest}.parquet",
        f"load_date=2024-05-06/event_date=2024-05-01/events_3-{digest}.parquet",
    ]
    schema = pq.ParquetFile(files[0]).schema_arrow
    declared = ["event_id", "user_id", "event_time", "ref_id", "qty", "price", "paid", "note"]
    assert schema.names == [
        *declared,
        "day",
        "_event_ts",
        "_source_file",
        "_row_number",
        "_loaded_at",
        "_extra_columns",
    ]
    assert all(schema.field(n).type == pa.string() for n in [*declared, "day"])
    assert schema.field("_event_ts").type == pa.timestamp("us", tz="UTC")
    assert schema.field("_loaded_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("_row_number").type == pa.int64()

    table = raw(lake).sort_by("_row_number")
    got = table.to_pylist()
    assert got[0]["ref_id"] == "%3Cnull%3G"  # optional placeholder kept for staging
    assert got[0]["note"] is None  # empty field -> null
    assert got[1]["note"] == 'say "hi"\nbye'
    assert got[1]["qty"] == " 12 "  # source text, untouched
    assert got[2]["event_time"] == "2024-03-01T01:30:00+05:00"
    assert got[2]["_event_ts"] == datetime(2024, 2, 29, 20, 30, tzinfo=UTC)
    assert [r["_row_number"] for r in got] == [1, 2, 3]
    assert {r["_source_file"] for r in got} == {str(path.resolve())}
    assert len({r["_loaded_at"] for r in got}) == 1
    assert {r["_extra_columns"] for r in got} == {None}
    assert pc.unique(table.column("load_date").cast(pa.string())).to_pylist() == ["2024-05-06"]


@pytest.mark.parametrize("days", [3, 40])  # a filter per day / one sort for many days
def test_rows_land_in_the_partition_of_their_utc_date(
    project: Path, lake: Path, landing: Path, days: int
) -> None:
    stamps = [date.fromordinal(date(2024, 1, 1).toordinal() + (i * 7) % days) for i in range(120)]
    rows = [good_row(i, event_time=f"{day} 10:00:00") for i, day in enumerate(stamps)]
    one(load(write_csv(landing / "events_n.csv", *rows), lake))
    table = raw(lake)
    assert table.num_rows == 120
    for row in table.to_pylist():
        assert str(row["event_date"]) == row["event_time"][:10]
    for files in (lake / "shop/events").glob("load_date=*/event_date=*"):
        (part,) = files.iterdir()
        numbers = pq.read_table(part).column("_row_number").to_pylist()
        assert numbers == sorted(numbers)  # file order within a partition
    assert len(list((lake / "shop/events").glob("load_date=*/event_date=*"))) == days


def test_audit_row_has_exactly_the_declared_columns(
    project: Path, lake: Path, landing: Path
) -> None:
    path = write_csv(landing / "events_4.csv", good_row(1), good_row(2, qty="x"))
    one(load(path, lake))
    files = list((lake / "loader/load_audit").rglob("*.parquet"))
    assert len(files) == 1
    declared = read_contracts(project).audit_schema
    assert pq.ParquetFile(files[0]).schema_arrow == declared
    row = audit(lake).to_pylist()[0]
    assert row["checksum"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (row["rows_read"], row["rows_loaded"], row["rows_rejected"]) == (2, 1, 1)
    assert row["status"] == "loaded"
    assert row["file_name"] == "events_4.csv"
    assert row["started_at"] <= row["_loaded_at"]
    q_files = list((lake / "loader/load_quarantine").rglob("*.parquet"))
    assert pq.ParquetFile(q_files[0]).schema_arrow == read_contracts(project).quarantine_schema


def test_snapshot_table_lands_on_the_load_date(project: Path, lake: Path, landing: Path) -> None:
    path = write_csv(landing / "customers.csv", "c1,Ann", "NULL,Bob", header="customer_id,name")
    result = one(load(path, lake))
    assert (result.table, result.rows_loaded, result.rows_rejected) == ("customers", 1, 1)
    table = read_table(lake / "shop/customers")
    assert table.column("_event_ts").to_pylist() == [None]
    assert table.column("event_date").cast(pa.string()).to_pylist() == ["2024-05-06"]


# --- encodings and compression ---------------------------------------------------------------


def test_lines_that_are_not_utf8_are_quarantined_and_the_rest_loads(
    project: Path, lake: Path, landing: Path
) -> None:
    body = "\n".join([HEADER, good_row(1), good_row(2, note="café"), good_row(3)]).encode()
    body = body.replace("café".encode(), "caf\xe9".encode("latin-1")) + b"\n"
    path = landing / "events_latin.csv"
    path.write_bytes(body)
    result = one(load(path, lake))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    (row,) = quarantine(lake).to_pylist()
    assert row["row_number"] == 2
    assert row["reason"] == "undecodable text (not UTF-8)"
    assert row["raw_text"] == repr(good_row(2, note="caf\xe9").encode("latin-1"))
    assert sorted(raw(lake).column("_row_number").to_pylist()) == [1, 3]


def test_gzip_loads_like_the_plain_file(project: Path, lake: Path, landing: Path) -> None:
    text = "\n".join([HEADER, good_row(1), good_row(2, qty="bad")]) + "\n"
    (landing / "events_gz.csv.gz").write_bytes(gzip.compress(text.encode()))
    result = one(load(landing / "events_gz.csv.gz", lake))
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("loaded", 1, 1)
    files = list((lake / "shop/events").rglob("*.parquet"))
    assert files[0].name.startswith("events_gz-")


def test_truncated_gzip_fails_the_file_and_writes_nothing(
    project: Path, lake: Path, landing: Path
) -> None:
    text = "\n".join([HEADER, *(good_row(i) for i in range(200))]) + "\n"
    data = gzip.compress(text.encode())
    (landing / "events_cut.csv.gz").write_bytes(data[: len(data) // 2])
    write_csv(landing / "events_ok.csv", good_row(1))
    results = {r.path.name: r for r in load(landing, lake)}
    cut = results["events_cut.csv.gz"]
    assert cut.status == "failed"
    assert "events_cut.csv.gz" in cut.message and "gzip" in cut.message
    assert results["events_ok.csv"].status == "loaded"
    assert all("events_cut" not in name for name in snapshot(lake))


def test_jsonl_lines(project: Path, lake: Path, landing: Path) -> None:
    lines = [
        {"eventId": "e1", "user_id": "u1", "event_time": "2024-05-01 10:00:00", "qty": 2},
        {"eventId": "e2", "user_id": None, "event_time": "2024-05-01 10:00:00"},
        "not json",
        [1, 2],
    ]
    text = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    (landing / "events_5.jsonl").write_text(text)
    result = one(load(landing / "events_5.jsonl", lake))
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 1, 3)
    reasons = [r["reason"] for r in quarantine(lake).sort_by("row_number").to_pylist()]
    assert reasons[0] == "missing user_id"
    assert reasons[1].startswith("invalid JSON")
    assert reasons[2] == "not a JSON object"
    assert raw(lake).column("qty").to_pylist() == ["2"]


# --- empty files and schema drift --------------------------------------------------------------


@pytest.mark.parametrize("content", ["", "\n", HEADER, HEADER + "\n"])
def test_empty_and_header_only_files_get_an_audit_row(
    project: Path, lake: Path, landing: Path, content: str
) -> None:
    path = landing / "events_empty.csv"
    path.write_text(content)
    result = one(load(path, lake))
    assert (result.status, result.rows_read, result.rows_loaded) == ("loaded", 0, 0)
    (row,) = audit(lake).to_pylist()
    assert (row["rows_read"], row["rows_loaded"], row["rows_rejected"]) == (0, 0, 0)
    assert not (lake / "shop").exists()
    assert one(load(path, lake)).message == "already loaded"


def test_schema_drift(project: Path, lake: Path, landing: Path) -> None:
    # extra columns kept as JSON, optional columns absent, headers matched ignoring case
    header = "EVENTID,user_id,event_time,qty,Colour,size"
    write_csv(
        landing / "events_drift.csv",
        'e1,u1,2024-05-01 10:00:00,1,"r""ed\t",',
        "e2,u2,2024-05-01 10:00:00,2,blue,XL",
        header=header,
    )
    # a required column absent: the file fails, the others load
    write_csv(landing / "events_no_user.csv", "e1,2024-05-01 10:00:00", header="eventId,event_time")
    results = {r.path.name: r for r in load(landing, lake)}
    failed = results["events_no_user.csv"]
    assert failed.status == "failed"
    assert failed.message == (f"{landing / 'events_no_user.csv'}: missing required column user_id")
    drift = results["events_drift.csv"]
    assert (drift.status, drift.rows_loaded) == ("loaded", 2)

    rows = raw(lake).sort_by("_row_number").to_pylist()
    assert [json.loads(r["_extra_columns"]) for r in rows] == [
        {"Colour": 'r"ed\t', "size": None},
        {"Colour": "blue", "size": "XL"},
    ]
    assert [r["event_id"] for r in rows] == ["e1", "e2"]
    assert {r["price"] for r in rows} == {None}
    (row,) = audit(lake).to_pylist()
    assert row["extra_columns"] == "Colour,size"
    assert row["missing_columns"] == "ref_id,price,paid,note,day"
    assert not list(lake.rglob("events_no_user*"))


def test_header_oddities(project: Path, lake: Path, landing: Path) -> None:
    # a trailing comma and a repeated undeclared name are kept apart, not fatal
    write_csv(
        landing / "events_k.csv",
        "e1,u1,2024-05-01 10:00:00,a,b,",
        header="eventId,user_id,event_time,x,x,",
    )
    # a declared column given twice is ambiguous: the file fails
    write_csv(
        landing / "events_l.csv",
        "e1,u1,u2,2024-05-01 10:00:00",
        header="eventId,User_Id,USER_ID,event_time",
    )
    results = {r.path.name: r for r in load(landing, lake)}
    assert results["events_k.csv"].status == "loaded"
    assert results["events_l.csv"].status == "failed"
    assert "the header has column 'user_id' more than once" in results["events_l.csv"].message
    (row,) = raw(lake).to_pylist()
    assert json.loads(row["_extra_columns"]) == {"x": "a", "x#2": "b", "_c5": None}
    assert audit(lake).column("extra_columns").to_pylist() == ["x,x#2,_c5"]


# --- idempotency, replace, crash -----------------------------------------------------------


def test_loading_twice_changes_nothing(project: Path, lake: Path, landing: Path) -> None:
    write_csv(landing / "events_a.csv", good_row(1), good_row(2, qty="x"))
    write_csv(landing / "events_b.csv", good_row(3))
    first = load(landing, lake)
    assert [r.status for r in first] == ["loaded", "loaded"]
    before = snapshot(lake)
    second = load(landing, lake, load_date=date(2024, 5, 7))
    assert [(r.status, r.message) for r in second] == [("skipped", "already loaded")] * 2
    assert snapshot(lake) == before


def test_parsing_ahead_in_worker_processes_loads_what_one_file_at_a_time_loads(
    project: Path, tmp_path: Path, landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker processes parse the next files while one file is written: same results
    and the same rows, rejects and audit as parsing each file in turn."""
    for i in range(6):
        write_csv(landing / f"events_p{i}.csv", good_row(i), good_row(10 + i, qty="x"))
    (landing / "events_bad.csv.gz").write_bytes(b"not gzip")
    (landing / "archive").mkdir()
    shutil.copy(landing / "events_p0.csv", landing / "archive" / "events_p0.csv")

    def loaded(lake: Path) -> tuple[list[tuple[str, int, int]], list[list[dict[str, object]]]]:
        results = load(landing, lake)
        tables = [raw(lake), quarantine(lake), audit(lake)]
        rows = [
            sorted(
                (
                    {k: v for k, v in r.items() if k not in {"_loaded_at", "started_at"}}
                    for r in t.to_pylist()
                ),
                key=repr,
            )
            for t in tables
        ]
        return [(r.status, r.rows_loaded, r.rows_rejected) for r in results], rows

    monkeypatch.setattr(loader_module, "_PARSERS", 2)
    ahead = loaded(tmp_path / "ahead")
    monkeypatch.setattr(loader_module, "_PARSERS", 1)
    in_turn = loaded(tmp_path / "in_turn")
    assert ahead == in_turn
    assert sorted(status for status, _, _ in ahead[0]) == ["failed"] + ["loaded"] * 6 + ["skipped"]


def _worker_dies(path: Path, spec: TableSpec) -> None:
    os._exit(3)  # as if the OOM killer took the worker process


def test_a_parse_worker_that_dies_does_not_fail_the_batch(
    project: Path, lake: Path, landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(9):  # more than the parse-ahead window: later submits meet a broken pool
        write_csv(landing / f"events_w{i}.csv", good_row(i))
    monkeypatch.setattr(loader_module, "_PARSERS", 2)
    monkeypatch.setattr(loader_module, "parse_file", _worker_dies)
    results = load(landing, lake)
    assert [r.status for r in results] == ["loaded"] * 9
    assert raw(lake).num_rows == 9


def test_changed_file_needs_replace_and_replaces_without_duplicates(
    project: Path, lake: Path, landing: Path
) -> None:
    path = write_csv(landing / "events_c.csv", good_row(1), good_row(2, qty="x"))
    one(load(path, lake))
    write_csv(path, good_row(1), good_row(3), good_row(4), good_row(5, paid="maybe"))

    refused = one(load(path, lake))
    assert refused.status == "failed"
    assert refused.message == f"{path}: changed since it was loaded; use --replace"
    assert raw(lake).num_rows == 1

    replaced = one(load(path, lake, replace=True, load_date=date(2024, 5, 8)))
    assert (replaced.status, replaced.rows_loaded, replaced.rows_rejected) == ("replaced", 3, 1)
    assert sorted(raw(lake).column("event_id").to_pylist()) == ["e1", "e3", "e4"]
    assert quarantine(lake).column("row_number").to_pylist() == [4]
    (row,) = audit(lake).to_pylist()
    assert (row["status"], row["checksum"]) == (
        "replaced",
        hashlib.sha256(path.read_bytes()).hexdigest(),
    )
    assert not list((lake / "loader").glob("*/load_date=2024-05-06"))  # emptied partitions go


def test_same_name_and_content_elsewhere_is_not_loaded_twice(
    project: Path, lake: Path, landing: Path
) -> None:
    path = write_csv(landing / "events_d.csv", good_row(1))
    (landing / "archive").mkdir()
    shutil.copy(path, landing / "archive" / "events_d.csv")
    results = load(landing, lake)
    assert sorted(r.status for r in results) == ["loaded", "skipped"]
    assert raw(lake).num_rows == 1


def test_crash_before_the_audit_row_is_recovered_without_duplicates(
    project: Path, lake: Path, landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [good_row(i, event_time=f"2024-05-0{1 + i % 3} 10:00:00") for i in range(30)]
    path = write_csv(landing / "events_e.csv", *rows, good_row(99, qty="x"))
    with monkeypatch.context() as patch:
        patch.setattr(loader_module, "audit_table", _crash)
        with pytest.raises(RuntimeError, match="power cut"):
            load(path, lake)
    assert raw(lake).num_rows == 30  # data and quarantine written, audit row not
    assert quarantine(lake).num_rows == 1
    assert audit(lake).num_rows == 0
    partition = next((lake / "shop/events").glob("load_date=*/event_date=*"))
    part = f"events_e-{hashlib.sha256(path.read_bytes()).hexdigest()[:12]}.parquet"
    (partition / f".{part}.999.tmp").write_bytes(b"half a file")  # a write cut short

    result = one(load(path, lake, load_date=date(2024, 5, 9)))  # another day, even
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("loaded", 30, 1)
    table = raw(lake)
    assert table.num_rows == 30
    assert sorted(table.column("_row_number").to_pylist()) == list(range(1, 31))
    assert quarantine(lake).num_rows == 1
    assert audit(lake).num_rows == 1
    assert {str(d) for d in pc.unique(table.column("load_date")).to_pylist()} == {"2024-05-09"}
    assert not list(lake.rglob("*.tmp"))


def test_crash_then_change_leaves_no_orphans(
    project: Path, lake: Path, landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(landing / "events_m.csv", good_row(1), good_row(2), good_row(3, qty="x"))
    with monkeypatch.context() as patch:
        patch.setattr(loader_module, "audit_table", _crash)
        with pytest.raises(RuntimeError):
            load(path, lake)
    write_csv(path, good_row(4))  # the file changed before the re-run
    write_csv(landing / "events_m_2.csv", good_row(5))  # a neighbour with a similar stem
    results = load(landing, lake)
    assert [r.status for r in results] == ["loaded", "loaded"]
    assert sorted(raw(lake).column("event_id").to_pylist()) == ["e4", "e5"]
    assert quarantine(lake).num_rows == 0


def test_a_write_cut_short_is_cleaned_up_by_the_next_file_of_its_name_in_the_batch(
    project: Path, lake: Path, landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    days = [f"2024-05-0{d} 10:00:00" for d in (1, 2, 3)]
    for folder in ("a", "b"):
        (landing / folder).mkdir()
    first = write_csv(
        landing / "a" / "events_w.csv", *(good_row(i, event_time=t) for i, t in enumerate(days))
    )
    write_csv(landing / "b" / "events_w.csv", good_row(7), good_row(8))
    doomed = f"events_w-{hashlib.sha256(first.read_bytes()).hexdigest()[:12]}.parquet"
    write = loader_module.write_parquet

    def disk_full_on_day_1(table: pa.Table, path: Path, **kwargs: object) -> None:
        if path.name == doomed and "event_date=2024-05-01" in str(path):
            raise OSError(28, "No space left on device")
        write(table, path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(loader_module, "write_parquet", disk_full_on_day_1)
    results = load(landing, lake)
    assert [r.status for r in results] == ["failed", "loaded"]
    assert "cannot write to the lake" in results[0].message
    # the days of `a` that were written are leftovers of the stem `events_w`, which the
    # load of `b` (same stem, one batch) removes: only b's rows are in the raw table
    assert sorted(raw(lake).column("event_id").to_pylist()) == ["e7", "e8"]
    assert audit(lake).num_rows == 1


def test_files_a_load_does_not_write_are_not_leftovers(
    project: Path, lake: Path, landing: Path
) -> None:
    partition = lake / "shop/events/load_date=2024-05-06/event_date=2024-05-01"
    partition.mkdir(parents=True)
    strays = [partition / "events_s", partition / "events_s-not-a-checksum.parquet"]
    for stray in strays:
        stray.write_bytes(b"not ours")
    orphan = partition / "events_s-0123456789ab.parquet"  # named as a load of events_s
    orphan.write_bytes(b"an unfinished load")
    assert one(load(write_csv(landing / "events_s.csv", good_row(1)), lake)).status == "loaded"
    assert all(stray.exists() for stray in strays)
    assert not orphan.exists()


def test_one_loader_keeps_track_of_its_files_across_batches(
    project: Path, lake: Path, landing: Path
) -> None:
    contracts = read_contracts(project)
    loader = loader_module.Loader(contracts, loader_module.Lake(lake))
    tables = contracts.select(None)
    for folder in ("a", "b"):
        (landing / folder).mkdir()
    first = write_csv(landing / "a" / "events_k.csv", good_row(1), good_row(2, qty="x"))
    loader.load_files([first], tables, load_date=LOAD_DATE)
    write_csv(first, good_row(3))
    second = write_csv(landing / "b" / "events_k.csv", good_row(4), good_row(5))
    results = loader.load_files([first, second], tables, load_date=LOAD_DATE, replace=True)
    assert [r.status for r in results] == ["replaced", "loaded"]
    assert sorted(raw(lake).column("event_id").to_pylist()) == ["e3", "e4", "e5"]
    assert quarantine(lake).num_rows == 0
    assert audit(lake).num_rows == 2


def _crash(*args: object, **kwargs: object) -> pa.Table:
    raise RuntimeError("power cut")


# --- matching, watch, command line ---------------------------------------------------------------


def test_unmatched_files_are_skipped_and_source_filters(
    project: Path, lake: Path, landing: Path
) -> None:
    write_csv(landing / "events_f.csv", good_row(1))
    (landing / "notes.txt").write_text("hello")
    (landing / ".hidden.csv").write_text("x")
    results = {r.path.name: r for r in load(landing, lake, source="shop.customers")}
    assert set(results) == {"events_f.csv", "notes.txt"}
    assert {r.status for r in results.values()} == {"skipped"}
    results = {r.path.name: r for r in load(landing, lake, source="shop")}
    assert results["events_f.csv"].status == "loaded"
    assert results["notes.txt"].message == "matches no declared table"


def test_watch_loads_new_files_batch_by_batch(project: Path, lake: Path, landing: Path) -> None:
    write_csv(landing / "events_w1.csv", good_row(1))
    batches: list[list[str]] = []

    def on_batch(number: int, results: list[FileResult]) -> None:
        batches.append(sorted(f"{r.path.name}:{r.status}" for r in results))
        if number == 1:
            write_csv(landing / "events_w2.csv", good_row(2))

    results = watch(
        landing, "shop", interval=0, max_batches=3, lake=lake, settle=0, on_batch=on_batch
    )
    assert batches == [["events_w1.csv:loaded"], ["events_w2.csv:loaded"]]
    assert [r.status for r in results] == ["loaded", "loaded"]
    assert raw(lake).num_rows == 2


def cli() -> typer.Typer:
    app = typer.Typer()
    app.command("load")(load_cmd)

    @app.command("version")
    def version() -> None:  # a second command keeps `load` a subcommand
        pass

    return app


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PULSE_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_command_loads_reports_and_exits_1_on_failure(
    project: Path, home: Path, tmp_path: Path
) -> None:
    landing = home / "landing" / "shop"
    landing.mkdir(parents=True)
    write_csv(landing / "events_g.csv", good_row(1), good_row(2, qty="x"))
    runner = CliRunner()
    ok = runner.invoke(cli(), ["load", "--source", "shop", "--load-date", "2024-05-06"])
    assert ok.exit_code == 0, ok.output
    assert "events_g.csv" in ok.output and "rows/s" in ok.output
    assert raw(home / "lake").num_rows == 1

    write_csv(landing / "events_h.csv", "e1,2024-05-01 10:00:00", header="eventId,event_time")
    bad = runner.invoke(cli(), ["load", "--source", "shop"])
    assert bad.exit_code == 1
    assert "missing required column user_id" in bad.output
    assert "Traceback" not in bad.output

    wrong = runner.invoke(cli(), ["load", "--load-date", "yesterday"])
    assert wrong.exit_code == 1 and "--load-date" in wrong.output
    missing = runner.invoke(cli(), ["load", "--path", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "no such file or directory" in missing.output


def test_command_watch_stops_after_max_batches(project: Path, home: Path) -> None:
    landing = home / "landing" / "shop"
    landing.mkdir(parents=True)
    settled = write_csv(landing / "events_i.csv", good_row(1))
    os.utime(settled, (time.time() - 60, time.time() - 60))
    write_csv(landing / "events_j.csv", good_row(2))  # just written: left for a later poll
    args = ["load", "--source", "shop", "--watch", "--interval", "0", "--max-batches", "2"]
    result = CliRunner().invoke(cli(), args)
    assert result.exit_code == 0, result.output
    assert "batch 1" in result.output
    assert raw(home / "lake").column("event_id").to_pylist() == ["e1"]


# --- time parsing and the row parser ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fmt"),
    [
        ("2/19/18 2:05", "%m/%d/%y %H:%M"),
        ("2/30/18 2:05", "%m/%d/%y %H:%M"),
        (" 1/1/18 0:00", "%m/%d/%y %H:%M"),
        ("2018-10-01T13:54:59-04:00", "%Y-%m-%dT%H:%M:%S%z"),
        ("2018-10-01T13:54:59-0400", "%Y-%m-%dT%H:%M:%S%z"),
        ("2018-10-01T13:54:59-04", "%Y-%m-%dT%H:%M:%S%z"),
        ("2018-10-01T13:54:59Z", "%Y-%m-%dT%H:%M:%S%z"),
        ("2018-02-29T13:54:59+00:00", "%Y-%m-%dT%H:%M:%S%z"),
        ("2018-10-01T23:59:60-04:00", "%Y-%m-%dT%H:%M:%S%z"),
        ("2020-12-31 23:59:60", "%Y-%m-%d %H:%M:%S"),
        ("2020-04-31 10:00:00", "%Y-%m-%d %H:%M:%S"),
        ("2020-8-3 11:32:40", "%Y-%m-%d %H:%M:%S"),
        ("2020-08-03 11:32:40.5", "%Y-%m-%d %H:%M:%S.%f"),
        ("January 7, 2018", "%B %d, %Y"),
    ],
)
def test_vectorised_strptime_agrees_with_python(value: str, fmt: str) -> None:
    (micros,) = parse_times(pa.array([value]), [fmt]).cast(pa.int64()).to_pylist()
    assert micros == python_strptime(value, [fmt])


FIELDS = st.one_of(
    st.text(alphabet='",\n\r a1é\x00', max_size=4),
    st.sampled_from(["null", "NULL", "2024-05-01 10:00:00", "9999-01-01 00:00:00", "1.5", "True"]),
)


@pytest.fixture(scope="module")
def events_spec(tmp_path_factory: pytest.TempPathFactory) -> TableSpec:
    root = tmp_path_factory.mktemp("shop-project")
    (root / "models/staging/shop").mkdir(parents=True)
    (root / "models/staging/shop/_shop__sources.yml").write_text(SHOP_SOURCES)
    shutil.copytree(REPO / "models/staging/loader", root / "models/staging/loader")
    return read_contracts(root).select("shop.events")[0]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.one_of(
            st.lists(FIELDS, min_size=0, max_size=11).map(",".join),
            st.text(max_size=40),
        ),
        max_size=25,
    ),
    junk=st.binary(max_size=30),
)
def test_row_parser_never_loses_a_record(
    events_spec: TableSpec, rows: list[str], junk: bytes
) -> None:
    body = ("\n".join([HEADER, *rows]) + "\n").encode() + junk
    parsed = read_bytes(body, "events.csv")
    checked = validate(parsed, events_spec, "events.csv", datetime.now(UTC))
    assert checked.rows_read == checked.good.num_rows + checked.rejected.num_rows
    numbers = checked.good.column("_row_number").to_pylist()
    numbers += checked.rejected.column("row_number").to_pylist()
    assert sorted(numbers) == list(range(1, checked.rows_read + 1))
