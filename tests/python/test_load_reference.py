"""`pulse load` on every reference dataset in ../shared/reference-data (never copied here).

One load of the whole reference folder into a temporary lake, with the repository's own
source declarations; the counts are the ones the reference README states.

Documented outcomes besides the inputs:
- files that match no declared pattern (expected outputs, parquet samples, the other
  dummy CSVs, the README) are skipped;
- the flyer project's expected-output CSVs (`*_merchant_flyer_user_day.csv`) match no
  pattern either, so loading the whole folder fails no file;
- the flyer file's 81 exact duplicate rows are all kept in raw (staging deduplicates).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest

from pulse.load import FileResult, load_path

pytestmark = pytest.mark.reference

REPO = Path(__file__).resolve().parents[2]
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference-data"
LOAD_DATE = date(2024, 1, 15)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, FileResult]]:
    if not REFERENCE.is_dir():
        pytest.skip(f"reference data not found at {REFERENCE} (the shared folder beside the repo)")
    lake = tmp_path_factory.mktemp("reference-lake")
    results = load_path(REFERENCE, lake=lake, load_date=LOAD_DATE, project_dir=REPO)
    return lake, {str(r.path.relative_to(REFERENCE)): r for r in results}


def table(lake: Path, source: str, name: str) -> pa.Table:
    return ds.dataset(lake / source / name, format="parquet", partitioning="hive").to_table()


def event_dates(rows: pa.Table) -> list[str]:
    return sorted(str(d) for d in pc.unique(rows.column("event_date")).to_pylist())


def assert_loaded(result: FileResult, rows: int, rejected: int = 0) -> None:
    assert result.status == "loaded", result.message
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (
        rows,
        rows - rejected,
        rejected,
    )


def test_flyer_events(loaded: tuple[Path, dict[str, FileResult]]) -> None:
    lake, results = loaded
    assert_loaded(results["bdo-flyer-events/Data_Engineer_Take_home_dataset.csv"], 20_723)
    rows = table(lake, "flyers", "flyer_events")
    assert rows.num_rows == 20_723
    # local -04:00 times of 2018-10-01 are 2018-10-01 04:01 .. 2018-10-02 03:59 UTC
    assert event_dates(rows) == ["2018-10-01", "2018-10-02"]
    assert pc.min(rows.column("_event_ts")).as_py().isoformat() == "2018-10-01T04:01:06+00:00"
    # optional id placeholders are kept for staging to map to null
    flyer_ids = rows.column("flyer_id")
    merchant_ids = rows.column("merchant_id")
    assert pc.sum(pc.equal(flyer_ids, "null")).as_py() == 175
    assert pc.sum(pc.equal(flyer_ids, "%3Cnull%3G")).as_py() == 167
    assert pc.sum(pc.equal(merchant_ids, "NULL")).as_py() == 165
    assert pc.sum(pc.equal(merchant_ids, "<null>")).as_py() == 1
    # the 81 exact duplicates are kept
    declared = ["event_timestamp", "user_id", "event_type", "flyer_id", "merchant_id"]
    distinct = rows.select(declared).group_by(declared).aggregate([]).num_rows
    assert rows.num_rows - distinct == 81


def test_expected_outputs_are_skipped_and_nothing_fails(
    loaded: tuple[Path, dict[str, FileResult]],
) -> None:
    _, results = loaded
    for name in (
        "bdo-flyer-events/expected/derived_task1_2_merchant_flyer_user_day.csv",
        "bdo-flyer-events/expected/published_task1_2_merchant_flyer_user_day.csv",
    ):
        assert results[name].status == "skipped"
    failed = {n for n, r in results.items() if r.status == "failed"}
    assert not failed


def test_clickstream_and_purchases(loaded: tuple[Path, dict[str, FileResult]]) -> None:
    lake, results = loaded
    for n in (34, 35, 45, 46, 47):
        name = f"capstone-clickstream-attribution/mobile_app_clickstream/mobile_app_clickstream_{n}"
        assert_loaded(results[f"{name}.csv.gz"], 50_000)
    for n in (4, 10, 16, 31, 46):
        name = f"capstone-clickstream-attribution/user_purchases/user_purchases_{n}.csv.gz"
        assert_loaded(results[name], 10_000)
    assert_loaded(results["capstone-clickstream-attribution/dummy/mobile_app_clickstream.csv"], 7)
    assert_loaded(results["capstone-clickstream-attribution/dummy/user_purchases.csv"], 3)
    for other in ("most_popular_channels.csv", "top_marketing_campaigns.csv"):
        assert results[f"capstone-clickstream-attribution/dummy/{other}"].status == "skipped"

    clicks = table(lake, "marketing", "clickstream")
    assert clicks.num_rows == 250_000 + 7
    dates = event_dates(clicks)
    assert dates[0] == "2020-08-03" and dates[-1] == "2020-11-11"
    purchase = clicks.filter(
        pc.and_(
            pc.equal(clicks.column("event_type"), "purchase"),
            pc.ends_with(clicks.column("_source_file"), ".csv.gz"),
        )
    )
    assert purchase.num_rows == 50_000  # CSV-doubled quotes read back as JSON
    assert pc.all(pc.starts_with(purchase.column("attributes"), '{"purchase_id": "')).as_py()
    assert table(lake, "marketing", "user_purchases").num_rows == 50_000 + 3


def test_play_store(loaded: tuple[Path, dict[str, FileResult]]) -> None:
    lake, results = loaded
    assert_loaded(results["playstore-users-app/googleplaystore.csv"], 10_839)
    assert_loaded(results["playstore-users-app/users_app_batch_client_data.csv"], 10_839)
    assert_loaded(results["playstore-users-app/users_app_stream_client_data.csv"], 2_000)
    assert_loaded(results["playstore-users-app/users_app_data_stream_temp1.csv"], 10_828)
    stream = results["playstore-users-app/users_app_stream_client_data.csv"]
    assert stream.message == "missing columns: time_spent_min"

    apps = table(lake, "play_store", "apps")
    assert apps.num_rows == 10_839
    assert event_dates(apps) == [LOAD_DATE.isoformat()]  # a snapshot: the load date
    assert pc.sum(pc.is_null(apps.column("rating"))).as_py() == 1_474

    downloads = table(lake, "play_store", "app_downloads")
    assert downloads.num_rows == 10_839 + 2_000 + 10_828
    batch = downloads.filter(
        pc.ends_with(downloads.column("_source_file"), "batch_client_data.csv")
    )
    dates = event_dates(batch)
    assert (len(dates), dates[0], dates[-1]) == (227, "2021-04-10", "2021-11-22")


def test_audit_reconciles_every_file(loaded: tuple[Path, dict[str, FileResult]]) -> None:
    lake, results = loaded
    audit = ds.dataset(lake / "loader/load_audit", partitioning="hive").to_table()
    done = [r for r in results.values() if r.status == "loaded"]
    assert audit.num_rows == len(done) == 17
    for row in audit.to_pylist():
        assert row["rows_read"] == row["rows_loaded"] + row["rows_rejected"]
    assert sum(audit.column("rows_read").to_pylist()) == 20_723 + 250_007 + 50_003 + 34_506
