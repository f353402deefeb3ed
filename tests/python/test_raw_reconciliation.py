"""Generator -> loader: every injected quirk row ends where it should, nothing is lost.

For each generated file: rows read = the manifest's rows = loaded + quarantined;
malformed lines, unparseable and future timestamps and placeholder required ids are
quarantined with their reason; duplicates, late rows, placeholder optional ids,
out-of-order rows and outlier durations are loaded (staging and the marts handle them).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest

from pulse.generate import GenerateConfig, generate
from pulse.load import load_path

QUARANTINED = ("malformed", "bad_timestamp", "future_timestamp", "null_required_id")


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, Path]:
    root = tmp_path_factory.mktemp("recon")
    manifest = generate(root / "landing", GenerateConfig(seed=11, days=3, scale=0.2))
    results = load_path(root / "landing", None, lake=root / "lake", load_date=date(2024, 1, 9))
    by_file = {Path(r.path).resolve(): r for r in results}
    return manifest, by_file, root


def files(manifest: dict, root: Path) -> list[tuple[str, dict, Path]]:
    return [
        (table, f, (root / "landing" / f["path"]).resolve())
        for table, spec in manifest["tables"].items()
        for f in spec["files"]
    ]


def test_rows_read_equal_loaded_plus_rejected(landed: tuple[dict, dict, Path]) -> None:
    manifest, by_file, root = landed
    for _, spec, path in files(manifest, root):
        result = by_file[path]
        assert result.status == "loaded", (path, result.message)
        assert result.rows_read == spec["rows"], path
        assert result.rows_read == result.rows_loaded + result.rows_rejected, path
        assert result.rows_rejected == sum(spec["quirks"].get(q, 0) for q in QUARANTINED), path


def test_each_rejection_has_its_reason(landed: tuple[dict, dict, Path]) -> None:
    manifest, _, root = landed
    quarantine = ds.dataset(root / "lake" / "loader" / "load_quarantine", partitioning="hive")
    reasons = quarantine.to_table(columns=["source_file", "reason"]).to_pylist()
    kinds: dict[str, Counter[str]] = {}
    for row in reasons:
        kinds.setdefault(str(Path(row["source_file"]).resolve()), Counter())[
            row["reason"].split(" in ")[0].split(":")[0]
        ] += 1
    for _, spec, path in files(manifest, root):
        got = kinds.get(str(path), Counter())
        quirks = spec["quirks"]
        assert got["future timestamp"] == quirks.get("future_timestamp", 0), path
        missing = sum(n for k, n in got.items() if k.startswith("missing"))
        assert missing == quirks.get("null_required_id", 0), (path, got)
        assert got["unparseable timestamp"] + got["unparseable date"] == quirks.get(
            "bad_timestamp", 0
        ), (path, got)
        assert sum(got.values()) == sum(quirks.get(q, 0) for q in QUARANTINED), (path, got)


def test_late_rows_land_in_their_event_day(landed: tuple[dict, dict, Path]) -> None:
    manifest, _, root = landed
    for table, spec, path in files(manifest, root):
        if not spec["quirks"].get("late"):
            continue
        source, name = table.split(".")
        data = ds.dataset(root / "lake" / source / name, partitioning="hive").to_table(
            filter=pc.field("_source_file") == str(path), columns=["event_date"]
        )
        batch = date.fromisoformat(spec["batch_date"])
        days = [date.fromisoformat(str(d)) for d in data.column("event_date").to_pylist()]
        earlier = sum(1 for d in days if d < batch)
        # flyer batches are UTC days shown at -04:00, so only count what the manifest says
        assert earlier >= spec["quirks"]["late"], (path, earlier)


def test_duplicates_are_loaded_not_dropped(landed: tuple[dict, dict, Path]) -> None:
    manifest, _, root = landed
    table, spec, path = next(
        (t, s, p) for t, s, p in files(manifest, root) if s["quirks"].get("duplicate")
    )
    source, name = table.split(".")
    data = ds.dataset(root / "lake" / source / name, partitioning="hive").to_table(
        filter=pc.field("_source_file") == str(path)
    )
    business = [c for c in data.column_names if not c.startswith("_") and c != "event_date"]
    rows = Counter(tuple(r.values()) for r in data.select(business).to_pylist())
    copies = sum(n - 1 for n in rows.values() if n > 1)
    assert copies >= spec["quirks"]["duplicate"]


def test_loading_again_changes_nothing(landed: tuple[dict, dict, Path]) -> None:
    _, _, root = landed
    before = sorted(p.relative_to(root) for p in (root / "lake").rglob("*.parquet"))
    again = load_path(root / "landing", None, lake=root / "lake", load_date=date(2024, 1, 10))
    assert {r.status for r in again} <= {"skipped"}
    after = sorted(p.relative_to(root) for p in (root / "lake").rglob("*.parquet"))
    assert before == after
