"""The comparisons `pulse check-reliability` relies on can fail: a lost, a duplicated or an
orphan file is reported (fast, pure Python; the check itself is slow and not in the suite)."""

from __future__ import annotations

import shutil
from pathlib import Path

from pulse.load import load_path
from pulse.reliability.lakecheck import LOAD_DATE, compare_lakes, write_big_csv
from pulse.reliability.sparkcheck import _torn, percentile


def test_compare_lakes_sees_lost_duplicated_and_orphan_rows(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write_big_csv(landing / "user_interactions_a.csv", 300, days=3, bad_every=50)
    reference, actual = tmp_path / "reference", tmp_path / "actual"
    load_path(landing, lake=reference, load_date=LOAD_DATE)
    load_path(landing, lake=actual, load_date=LOAD_DATE)
    assert compare_lakes(actual, reference) == (0, 0, [])  # _loaded_at differs, rows do not

    parts = sorted((actual / "notes_app/user_interactions").rglob("*.parquet"))
    shutil.copy(parts[0], parts[0].with_name("copy-000000000000.parquet"))
    lost, duplicated, problems = compare_lakes(actual, reference)
    assert (lost, duplicated) == (0, 100 - 2)  # one day of 300 rows, 2 of them quarantined
    assert any("no audit row owns" in p for p in problems)
    assert any("audit says" in p for p in problems)

    parts[1].unlink()
    lost, duplicated, problems = compare_lakes(actual, reference)
    assert lost > 0 and duplicated > 0


def test_a_torn_read_is_a_count_neither_before_nor_after() -> None:
    before, after = {"d1": 10, "d2": 5}, {"d1": 10, "d2": 8, "d3": 4}
    assert _torn({"d1": 10, "d2": 5}, before, after) == []
    assert _torn({"d1": 10, "d2": 8, "d3": 4}, before, after) == []
    assert _torn({"d1": 10, "d2": 8}, before, after) == []  # d3 not there yet
    assert _torn({"d1": 10, "d3": 4}, before, after) == ["d2: 0 rows (before 5, after 8)"]
    assert _torn({"d1": 10, "d2": 8, "d3": 2}, before, after) == ["d3: 2 rows (before 0, after 4)"]
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
