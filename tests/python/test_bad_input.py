"""The bad-input gallery: every kind of broken file, through `pulse load` as a user runs it.

Each case lands one file for a real source of this repository (the contracts are the
repository's own `_<source>__sources.yml`) and runs the real `pulse` command line. It
checks that there is never a stack trace; that a file the loader cannot use fails
with a message naming the file and the problem and leaves nothing in the lake; that
every other file is loaded with its bad records quarantined with a reason; and that
the records in the file equal the loaded plus the quarantined ones, in the audit, in
the raw table and in the quarantine table alike. Pure Python, no Spark.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from pulse.cli import app
from pulse.load import LoadError, TableSpec, read_contracts
from pulse.load.readers import decompress, read_bytes
from pulse.load.validate import EARLIEST_EVENT_TIME, MAX_FIELD_BYTES, Validated, validate

REPO = Path(__file__).resolve().parents[2]

LOAD_DATE = "2024-05-06"
TEN_MB = 10 << 20

NOTES_HEADER = "user_id,timestamp,action_type,page_id,duration_ms,app_version"
PURCHASES_HEADER = "purchaseId,purchaseTime,billingCost,isConfirmed"
DOWNLOADS_HEADER = "event_id,download_date,user_id,app_id,time_spent_min"
FLYERS_HEADER = "timestamp,user_id,event,flyer_id,merchant_id"
SQL_IDS = ("u1'; drop table x --", 'p"1; select 1', "--", "a`b`;--")


def note(i: int, **changes: str) -> str:
    values = {
        "user_id": f"u{i}",
        "timestamp": "2024-05-01 10:00:00",
        "action_type": "edit",
        "page_id": f"p{i}",
        "duration_ms": "1200",
        "app_version": "1.0",
    }
    values.update(changes)
    return ",".join(values.values())


def csv_quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def text(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


@dataclass(frozen=True)
class Case:
    """One file of the gallery and what `pulse load` must make of it."""

    name: str
    content: bytes
    rows_in: int = 0  # records in the file, counted by the test, not the loader
    failure: tuple[str, ...] = ()  # a failed file: these must be in its message
    rejected: tuple[str, ...] = ()  # reasons of the quarantined records, in order
    audit: dict[str, str | None] = field(default_factory=dict)  # schema drift, reported

    @property
    def table(self) -> str:
        for prefix, table in (
            ("user_interactions", "notes_app/user_interactions"),
            ("user_purchases", "marketing/user_purchases"),
            ("users_app_", "play_store/app_downloads"),
            ("flyer_events", "flyers/flyer_events"),
        ):
            if self.name.startswith(prefix):
                return table
        raise ValueError(self.name)


def truncated_gzip() -> bytes:
    data = gzip.compress(text(NOTES_HEADER, *(note(i) for i in range(300))))
    return data[: len(data) // 2]


CASES = [
    Case("user_interactions_empty.csv", b""),
    Case("user_interactions_header_only.csv", text(NOTES_HEADER)),
    Case(
        "user_interactions_missing_required.csv",
        text("timestamp,action_type", "2024-05-01 10:00:00,edit"),
        failure=("missing required column user_id",),
    ),
    Case(
        "user_interactions_missing_optional.csv",
        text("user_id,timestamp,action_type", "u1,2024-05-01 10:00:00,edit"),
        rows_in=1,
        audit={"missing_columns": "page_id,duration_ms,app_version", "extra_columns": None},
    ),
    Case(
        "user_interactions_extra_column.csv",
        text(NOTES_HEADER + ",colour", note(1) + ",red", note(2) + ","),
        rows_in=2,
        audit={"extra_columns": "colour", "missing_columns": None},
    ),
    Case(
        "user_interactions_renamed_column.csv",
        text(NOTES_HEADER.replace("timestamp", "event_ts"), note(1)),
        failure=("missing required column event_timestamp", "'event_ts' (renamed?)"),
    ),
    Case(
        "user_interactions_semicolons.csv",
        text(NOTES_HEADER.replace(",", ";"), note(1).replace(",", ";")),
        failure=("missing required column user_id", "delimited by ';'"),
    ),
    Case(
        "user_interactions_tabs.csv",
        text(NOTES_HEADER.replace(",", "\t"), note(1).replace(",", "\t")),
        failure=("missing required column user_id", "delimited by tabs"),
    ),
    Case(
        "user_interactions_latin1_line.csv",
        text(NOTES_HEADER, note(1), note(2, action_type="édit"), note(3)).replace(
            "é".encode(), "é".encode("latin-1")
        ),
        rows_in=3,
        rejected=("undecodable text (not UTF-8)",),
    ),
    Case(
        "user_interactions_latin1_header.csv",
        text(NOTES_HEADER + ",catégorie", note(1) + ",x").replace(
            "é".encode(), "é".encode("latin-1")
        ),
        failure=("the header line is not UTF-8 text",),
    ),
    Case(
        "user_interactions_binary.csv",
        bytes(range(256)) * 64,
        failure=("missing required column user_id", "not text"),
    ),
    Case(
        "user_interactions_10mb_line.csv",
        text(NOTES_HEADER, note(1), "x" * TEN_MB, note(3)),
        rows_in=3,
        rejected=("wrong column count: expected 6, got 1",),
    ),
    Case(
        "user_interactions_10mb_field.csv",
        text(NOTES_HEADER, note(1), note(2, app_version="9" * TEN_MB)),
        rows_in=2,
        rejected=(f"value too long in app_version: {TEN_MB} bytes (limit {MAX_FIELD_BYTES})",),
    ),
    Case(
        "user_interactions_unbalanced_quote.csv",
        text(NOTES_HEADER, note(1), note(2, page_id='"p2'), note(3)),
        rows_in=2,  # the open quote swallows the next line into record 2
        rejected=("wrong column count: expected 6, got 4 (a quoted field runs over several",),
    ),
    Case(
        "user_interactions_truncated.csv.gz",
        truncated_gzip(),
        failure=("not a complete gzip file",),
    ),
    Case(
        "user_interactions_year_9999.csv",
        text(NOTES_HEADER, note(1), note(2, timestamp="9999-12-31 23:59:59")),
        rows_in=2,
        rejected=("future timestamp in event_timestamp: 9999-12-31 23:59:59",),
    ),
    Case(
        "user_interactions_year_1899.csv",
        text(NOTES_HEADER, note(1), note(2, timestamp="1899-12-31 23:59:59")),
        rows_in=2,
        rejected=("timestamp before 1900-01-01 in event_timestamp: 1899-12-31 23:59:59",),
    ),
    Case(  # loaded: staging flags it `is_outlier`, the marts count and report outliers
        "user_interactions_negative_duration.csv",
        text(NOTES_HEADER, note(1, duration_ms="-5"), note(2, duration_ms="-0")),
        rows_in=2,
    ),
    Case(
        "user_purchases_negative_cost.csv",
        text(
            PURCHASES_HEADER,
            "p1,2024-05-01 10:00:00,10.50,True",
            "p2,2024-05-01 10:00:00,-5.00,True",
            "p3,2024-05-01 10:00:00,0,False",
        ),
        rows_in=3,
        rejected=("below the minimum 0 in billing_cost: -5.00",),
    ),
    Case(
        "users_app_negative_minutes.csv",
        text(DOWNLOADS_HEADER, "0,2024-05-01,7,501,30", "1,2024-05-01,8,502,-30"),
        rows_in=2,
        rejected=("below the minimum 0 in time_spent_min: -30",),
    ),
    Case(
        "user_interactions_sql_ids.csv",
        text(NOTES_HEADER, *(note(i, user_id=csv_quote(v)) for i, v in enumerate(SQL_IDS))),
        rows_in=len(SQL_IDS),
    ),
    Case(
        "users_app_sql_ids.jsonl",
        text(
            *(
                json.dumps(
                    {"event_id": i, "download_date": "2024-05-01", "user_id": v, "app_id": v}
                )
                for i, v in enumerate(SQL_IDS)
            )
        ),
        rows_in=len(SQL_IDS),
    ),
    Case(
        "user_interactions_'; drop table raw.x; --.csv",
        text(NOTES_HEADER, note(1)),
        rows_in=1,
    ),
]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throw-away PULSE_HOME; the contracts are the repository's own."""
    monkeypatch.setenv("PULSE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PULSE_PROJECT_DIR", raising=False)
    return tmp_path / "home"


def pulse_load(path: Path) -> Result:
    result = CliRunner().invoke(app, ["load", "--path", str(path), "--load-date", LOAD_DATE])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def read(directory: Path) -> pa.Table:
    if not directory.exists():
        empty, numbers = pa.array([], pa.string()), pa.array([], pa.int64())
        return pa.table(
            {"_source_file": empty, "source_file": empty, "row_number": numbers, "reason": empty}
        )
    return ds.dataset(directory, format="parquet", partitioning="hive").to_table()


def rows_of(table: pa.Table, column: str, source_file: str) -> pa.Table:
    return table.filter(pc.equal(table.column(column), source_file))


@pytest.mark.parametrize("case", CASES, ids=[c.name.split("_", 2)[-1] for c in CASES])
def test_bad_input_is_reported_or_quarantined_and_nothing_is_lost(
    home: Path, tmp_path: Path, case: Case
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    path = landing / case.name
    path.write_bytes(case.content)
    lake = home / "lake"

    result = pulse_load(path)
    output = " ".join(result.output.split())  # rich may wrap long lines

    audit = rows_of(read(lake / "loader/load_audit"), "source_file", str(path.resolve()))
    raw = rows_of(read(lake / case.table), "_source_file", str(path.resolve()))
    quarantine = read(lake / "loader/load_quarantine")
    quarantined = rows_of(quarantine, "source_file", str(path.resolve()))
    if case.failure:
        assert result.exit_code == 1, result.output
        assert f"failed: {path}: " in output
        for expected in case.failure:
            assert expected in output
        assert audit.num_rows == 0
        assert [p for p in lake.rglob("*") if p.is_file() and p.name != ".load.lock"] == []
        return

    assert result.exit_code == 0, result.output
    (row,) = audit.to_pylist()
    assert row["status"] == "loaded"
    assert row["rows_read"] == case.rows_in
    assert row["rows_read"] == row["rows_loaded"] + row["rows_rejected"]
    assert raw.num_rows == row["rows_loaded"]
    assert quarantined.num_rows == row["rows_rejected"]
    reasons = quarantined.sort_by("row_number").column("reason").to_pylist()
    assert len(reasons) == len(case.rejected)
    for reason, expected in zip(reasons, case.rejected, strict=True):
        assert reason.startswith(expected)
    for key, value in case.audit.items():
        assert row[key] == value
    numbers = quarantined.column("row_number").to_pylist()
    if raw.num_rows:
        numbers += raw.column("_row_number").to_pylist()
    assert sorted(numbers) == list(range(1, case.rows_in + 1))


def test_sql_metacharacters_are_data_not_code(home: Path, tmp_path: Path) -> None:
    """Ids with quotes, semicolons and `--` are kept byte for byte; a hostile file name
    becomes a safe parquet file name."""
    landing = tmp_path / "landing"
    landing.mkdir()
    rows = [note(i, user_id=csv_quote(v), page_id=csv_quote(v)) for i, v in enumerate(SQL_IDS)]
    hostile = landing / "user_interactions_'; drop table raw.x; --.csv"
    hostile.write_bytes(text(NOTES_HEADER, *rows))
    assert pulse_load(landing).exit_code == 0
    raw = read(home / "lake/notes_app/user_interactions").sort_by("_row_number")
    assert raw.column("user_id").to_pylist() == list(SQL_IDS)
    assert raw.column("page_id").to_pylist() == list(SQL_IDS)
    names = {p.name for p in (home / "lake").rglob("*.parquet")}
    assert names and all(set(n) <= set("abcdefghijklmnopqrstuvwxyz0123456789._-") for n in names)


def test_a_removed_required_column_stops_only_that_file(home: Path, tmp_path: Path) -> None:
    """Schema drift in one run of `pulse load` over several sources: the file without a
    required column fails with a clear message and writes nothing; the other files of
    that source and of the other sources load; the new column is loaded and reported."""
    landing = tmp_path / "landing"
    (landing / "notes_app").mkdir(parents=True)
    (landing / "flyers").mkdir()
    dropped = landing / "notes_app" / "user_interactions_1.csv"
    dropped.write_bytes(text("timestamp,action_type,page_id", "2024-05-01 10:00:00,edit,p1"))
    kept = landing / "notes_app" / "user_interactions_2.csv"
    kept.write_bytes(text(NOTES_HEADER, note(1), note(2)))
    flyers = landing / "flyers" / "flyer_events_1.csv"
    flyers.write_bytes(
        text(
            FLYERS_HEADER + ",campaign",
            "2024-05-01T10:00:00-04:00,h1,flyer_open,10,20,spring",
            "2024-05-01T10:00:05-04:00,h1,item_open,10,20,",
        )
    )
    result = pulse_load(landing)
    output = " ".join(result.output.split())
    assert result.exit_code == 1
    assert f"failed: {dropped}: missing required column user_id" in output

    lake = home / "lake"
    audit = {r["file_name"]: r for r in read(lake / "loader/load_audit").to_pylist()}
    assert set(audit) == {"user_interactions_2.csv", "flyer_events_1.csv"}
    assert audit["flyer_events_1.csv"]["extra_columns"] == "campaign"
    assert read(lake / "notes_app/user_interactions").num_rows == 2
    flyer_rows = read(lake / "flyers/flyer_events").sort_by("_row_number")
    assert [json.loads(x) for x in flyer_rows.column("_extra_columns").to_pylist()] == [
        {"campaign": "spring"},
        {"campaign": None},
    ]
    assert not [p for p in lake.rglob("user_interactions_1-*")]

    # the producer fixes the file: the next run loads it and nothing else changes
    dropped.write_bytes(text(NOTES_HEADER, note(3)))
    again = pulse_load(landing)
    assert again.exit_code == 0, again.output
    assert read(lake / "notes_app/user_interactions").num_rows == 3
    assert read(lake / "flyers/flyer_events").num_rows == 2


# --- property-based: random files through the row parser and the validator -----------------

NOTES_COLUMNS = NOTES_HEADER.split(",")
VALUES = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(["", "null", "NaN", " 7 ", "-5", "2024-05-01 10:00:00", "9999-01-01 00:00:00"]),
    st.sampled_from(["1899-12-31 23:59:59", "2024-02-30 10:00:00", "x" * 64, "'; drop table x --"]),
)
HEADERS = st.one_of(
    st.just(NOTES_COLUMNS),
    st.permutations(NOTES_COLUMNS),
    st.lists(st.sampled_from([*NOTES_COLUMNS, "USER_ID", "extra", ""]), max_size=8),
    st.lists(st.text(max_size=6), max_size=4),
)


@pytest.fixture(scope="module")
def notes_spec() -> TableSpec:
    return read_contracts(REPO).select("notes_app.user_interactions")[0]


def check(spec: TableSpec, data: bytes, name: str) -> Validated | None:
    """Parse and validate a file as the loader does; None when it refuses the whole file
    with a LoadError, the one error type the loader documents for bad input."""
    try:
        return validate(read_bytes(decompress(data, name), name), spec, name, datetime.now(UTC))
    except LoadError as err:
        assert name in str(err)  # the message names the file
        return None


def assert_balanced(checked: Validated) -> None:
    assert checked.rows_read == checked.good.num_rows + checked.rejected.num_rows
    numbers = checked.good.column("_row_number").to_pylist()
    numbers += checked.rejected.column("row_number").to_pylist()
    assert sorted(numbers) == list(range(1, checked.rows_read + 1))
    assert all(checked.rejected.column("reason").to_pylist())  # every reject has a reason
    stamps = checked.good.column("_event_ts")
    assert stamps.null_count == 0
    if len(stamps):
        assert pc.min(stamps).as_py() >= EARLIEST_EVENT_TIME


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=HEADERS,
    rows=st.lists(st.lists(VALUES, min_size=0, max_size=8), max_size=12),
    gz=st.booleans(),
    noise=st.binary(max_size=16),
)
def test_random_csv_files_raise_only_load_errors_and_balance(
    notes_spec: TableSpec, header: list[str], rows: list[list[str]], gz: bool, noise: bytes
) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    data = buffer.getvalue().encode() + noise
    name = "user_interactions_random.csv" + (".gz" if gz else "")
    checked = check(notes_spec, gzip.compress(data) if gz else data, name)
    if checked is not None:
        assert_balanced(checked)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(VALUES, min_size=6, max_size=6), max_size=15))
def test_well_formed_csv_round_trips_exactly(notes_spec: TableSpec, rows: list[list[str]]) -> None:
    """An oracle independent of Arrow: what Python's csv module writes, the loader reads
    back record for record; each record is loaded with its exact text or quarantined."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([NOTES_COLUMNS, *rows])
    checked = check(notes_spec, buffer.getvalue().encode(), "user_interactions_rt.csv")
    assert checked is not None
    assert checked.rows_read == len(rows)
    assert_balanced(checked)
    for good in checked.good.to_pylist():
        written = rows[good["_row_number"] - 1]
        assert [good[c.name] for c in notes_spec.columns] == [v or None for v in written]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | VALUES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(
        st.one_of(
            st.dictionaries(st.sampled_from([*NOTES_COLUMNS, "other"]), JSON_VALUES),
            JSON_VALUES,
            st.text(max_size=20),
        ),
        max_size=12,
    )
)
def test_random_json_lines_raise_only_load_errors_and_balance(lines: list[object]) -> None:
    spec = read_contracts(REPO).select("play_store.app_downloads")[0]
    texts = [x if isinstance(x, str) else json.dumps(x) for x in lines]
    data = "\n".join(texts).encode()
    checked = check(spec, data, "users_app_random.jsonl")
    if checked is not None:
        assert_balanced(checked)
        records = sum(1 for t in "\n".join(texts).split("\n") if t.strip())
        assert checked.rows_read == records
