"""`pulse generate`: determinism, the raw-table contracts, the manifest and every quirk.

Each quirk is checked in isolation against a clean run with the same seed: quirks draw
from their own random streams, so a run with one quirk differs from the clean run only
by that quirk's rows.
"""

from __future__ import annotations

import ast
import csv
import fnmatch
import gzip
import io
import itertools
import json
import math
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml  # type: ignore[import-untyped]
from typer.testing import CliRunner

from pulse.generate import GenerateConfig, QuirkRates, generate
from pulse.generate.command import generate_cmd

PROJECT = Path(__file__).resolve().parents[2]
NULL_TOKENS = {"null", "NULL", "<null>", "%3Cnull%3G", ""}
SMALL = GenerateConfig(seed=11, days=3, scale=0.05, start_date=date(2024, 3, 30))
CLEAN = replace(SMALL, quirks=QuirkRates.none())
Rows = list[list[str]]


# --- helpers -----------------------------------------------------------------------


@cache
def contracts() -> dict[str, dict[str, Any]]:
    """Per `source.table`: file globs, header, and column metas from the sources ymls."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((PROJECT / "models" / "staging").glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source.get("tables", []):
                loader = (table.get("meta") or {}).get("loader")
                if not loader:
                    continue
                columns = table["columns"]
                metas = [c.get("meta") or {} for c in columns]
                found[f"{source['name']}.{table['name']}"] = {
                    "files": loader["files"],
                    "header": [
                        m.get("source_column", c["name"])
                        for c, m in zip(columns, metas, strict=True)
                    ],
                    "metas": {
                        m.get("source_column", c["name"]): m
                        for c, m in zip(columns, metas, strict=True)
                    },
                    "event_time": loader.get("event_time"),
                }
    return found


def file_text(path: Path) -> str:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return data.decode("utf-8")


def read(path: Path) -> tuple[list[str], Rows]:
    records = list(csv.reader(io.StringIO(file_text(path), newline="")))
    return records[0], records[1:]


def data_lines(path: Path) -> list[str]:
    return file_text(path).splitlines()[1:]


@cache
def run(config: GenerateConfig, root: Path) -> dict[str, Any]:
    return generate(root, config)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("generate")


def generated(out: Path, config: GenerateConfig, name: str) -> tuple[Path, dict[str, Any]]:
    root = out / name
    return root, run(config, root)


def files(root: Path, manifest: dict[str, Any]) -> list[tuple[str, dict[str, Any], Path]]:
    return [
        (key, entry, root / entry["path"])
        for key, table in manifest["tables"].items()
        for entry in table["files"]
    ]


def time_column(key: str) -> tuple[int, list[str]] | None:
    """Index and strptime formats of a table's event-time column."""
    contract = contracts()[key]
    if contract["event_time"] is None:
        return None
    for i, header in enumerate(contract["header"]):
        meta = contract["metas"][header]
        if meta.get("type") == "timestamp":
            return i, meta["formats"]
    raise AssertionError(f"{key}: no timestamp column")


def parse_time(value: str, formats: list[str]) -> datetime | None:
    for fmt in formats:
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
    return None


def columns_with(key: str, **meta: Any) -> list[int]:
    contract = contracts()[key]
    return [
        i
        for i, h in enumerate(contract["header"])
        if all(contract["metas"][h].get(k) == v for k, v in meta.items())
    ]


# --- determinism -------------------------------------------------------------------


def test_same_seed_same_bytes_whatever_the_workers(tmp_path: Path) -> None:
    generate(tmp_path / "a", SMALL, workers=1)
    generate(tmp_path / "b", SMALL, workers=3)
    generate(tmp_path / "c", replace(SMALL, seed=12))
    a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert a == b and len(a) == 3 * 7 + 2 + 1
    for rel in a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    differing = [
        rel
        for rel in a
        if (tmp_path / "a" / rel).read_bytes() != (tmp_path / "c" / rel).read_bytes()
    ]
    assert len(differing) == len(a)  # another seed changes every file


def test_gzip_holds_the_same_text(out: Path, tmp_path: Path) -> None:
    root, manifest = generated(out, SMALL, "small")
    zipped = generate(tmp_path, replace(SMALL, gzip=True))
    for (key, entry, path), (_, zentry, zpath) in zip(
        files(root, manifest), files(tmp_path, zipped), strict=True
    ):
        assert zentry["path"] == entry["path"] + ".gz"
        assert file_text(zpath) == file_text(path), key


# --- contracts and manifest --------------------------------------------------------


def test_every_table_of_the_contracts_is_generated(out: Path) -> None:
    _, manifest = generated(out, SMALL, "small")
    assert set(manifest["tables"]) == set(contracts())


def test_files_match_globs_layout_and_headers(out: Path) -> None:
    root, manifest = generated(out, SMALL, "small")
    batches = manifest["batches"]
    assert batches == ["2024-03-30", "2024-03-31", "2024-04-01"]
    for key, entry, path in files(root, manifest):
        contract = contracts()[key]
        source, table = key.split(".")
        assert path.parent == root / source / table / f"batch_date={entry['batch_date']}"
        assert any(fnmatch.fnmatch(path.name, glob) for glob in contract["files"]), (
            path.name,
            contract["files"],
        )
        assert file_text(path).split("\n", 1)[0] == ",".join(contract["header"])
    for key, table in manifest["tables"].items():
        expected = 1 if table["snapshot"] else len(batches)
        assert len(table["files"]) == expected, key
    assert (root / "manifest.json").read_text() == json.dumps(manifest, indent=2) + "\n"


def test_manifest_rows_equal_line_and_record_counts(out: Path) -> None:
    root, manifest = generated(out, SMALL, "small")
    total = 0
    for key, entry, path in files(root, manifest):
        _, rows = read(path)
        assert len(data_lines(path)) == len(rows) == entry["rows"], key
        q = entry["quirks"]
        assert (
            entry["rows"] == entry["base_rows"] + q.get("late", 0) + q["duplicate"] + q["malformed"]
        )
        total += entry["rows"]
    assert manifest["total_rows"] == total
    assert manifest["parameters"]["seed"] == SMALL.seed


def test_default_run_size() -> None:
    v = GenerateConfig().effective_volumes
    per_day = v.approx_events_per_day()
    assert 100_000 <= 7 * per_day <= 300_000


# --- clean data --------------------------------------------------------------------


def test_clean_run_has_no_quirks(out: Path) -> None:
    root, manifest = generated(out, CLEAN, "clean")
    for key, entry, path in files(root, manifest):
        assert all(v == 0 for v in entry["quirks"].values()), (key, entry["quirks"])
        header, rows = read(path)
        assert all(len(r) == len(header) for r in rows), key
        lines = data_lines(path)
        assert len(set(lines)) == len(lines), f"{key}: accidental duplicate rows"
        for i in columns_with(key, type="id", required=True):
            assert not any(r[i] in NULL_TOKENS for r in rows), (key, header[i])
        found = time_column(key)
        if found is None:
            continue
        i, formats = found
        times = [parse_time(r[i], formats) for r in rows]
        assert all(t is not None for t in times), f"{key}: unparseable {formats}"
        assert {t.date().isoformat() for t in times if t} <= {entry["batch_date"]}, key
        assert times == sorted(times), f"{key}: not in time order"  # type: ignore[type-var]


def test_timestamps_look_like_the_reference(out: Path) -> None:
    root, manifest = generated(out, CLEAN, "clean")
    rows = {key: table_rows(root, manifest, key) for key in manifest["tables"]}
    ad_times = {r[1] for r in rows["ad_platform.ad_events"]}
    assert all(t.startswith(("3/30/24 ", "3/31/24 ", "4/1/24 ")) for t in ad_times)
    assert any(t.split(" ")[1].startswith("9:") for t in ad_times)  # no zero padding
    flyer_time = rows["flyers.flyer_events"][0][0]
    assert len(flyer_time) == 25 and flyer_time[10] == "T" and flyer_time.endswith("-04:00")
    assert len(rows["notes_app.user_interactions"][0][1]) == 19
    assert {r[1] for r in rows["play_store.app_downloads"]} == {
        "2024-03-30",
        "2024-03-31",
        "2024-04-01",
    }


# --- quirks ------------------------------------------------------------------------


def only(kind: str, rate: float) -> GenerateConfig:
    return replace(SMALL, quirks=replace(QuirkRates.none(), **{kind: rate}))


def lines_by_file(root: Path, manifest: dict[str, Any]) -> dict[str, list[str]]:
    return {entry["path"]: data_lines(path) for _, entry, path in files(root, manifest)}


def expected(rate: float, base: int) -> int:
    return min(base, math.ceil(round(rate * base, 9))) if rate > 0 and base else 0


@pytest.mark.parametrize(
    "kind",
    [
        "null_required_id",
        "bad_timestamp",
        "future_timestamp",
        "duration_outlier",
        "null_optional_id",
    ],
)
def test_value_quirk_changes_exactly_its_rows(out: Path, kind: str) -> None:
    rate = 0.02
    croot, clean = generated(out, CLEAN, "clean")
    root, manifest = generated(out, only(kind, rate), kind)
    clean_lines = lines_by_file(croot, clean)
    seen = 0
    for key, entry, path in files(root, manifest):
        before = clean_lines[entry["path"]]
        after = data_lines(path)
        assert len(after) == len(before)
        changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
        count = entry["quirks"].get(kind)
        if count is None:
            assert not changed, f"{key} cannot carry {kind}"
            continue
        assert len(changed) == count, key
        if kind != "null_optional_id":
            assert count == expected(rate, entry["base_rows"]), key
        seen += count
        found = time_column(key)
        for b, a in changed:
            old, new = next(csv.reader([b])), next(csv.reader([a]))
            diff = [i for i, (x, y) in enumerate(zip(old, new, strict=True)) if x != y]
            assert len(diff) == 1
            i = diff[0]
            value = new[i]
            if kind == "null_required_id":
                assert i in columns_with(key, type="id", required=True) and value in NULL_TOKENS
            elif kind == "null_optional_id":
                assert i in columns_with(key, type="id") and i not in columns_with(
                    key, required=True
                )
                assert value in NULL_TOKENS and old[i] not in NULL_TOKENS
            elif kind == "bad_timestamp":
                assert found and i == found[0] and parse_time(value, found[1]) is None
            elif kind == "future_timestamp":
                parsed = parse_time(value, found[1]) if found else None
                assert parsed is not None and parsed.year >= 2068
            else:
                assert header_of(key)[i] == "duration_ms"
                assert int(value) < 0 or int(value) > 7_200_000
    assert seen > 0


def header_of(key: str) -> list[str]:
    return contracts()[key]["header"]


def test_duplicates_are_exact_copies(out: Path) -> None:
    croot, clean = generated(out, CLEAN, "clean")
    root, manifest = generated(out, only("duplicate", 0.02), "duplicate")
    clean_lines = lines_by_file(croot, clean)
    for key, entry, path in files(root, manifest):
        after = Counter(data_lines(path))
        extra = after - Counter(clean_lines[entry["path"]])
        assert (
            sum(extra.values())
            == entry["quirks"]["duplicate"]
            == expected(0.02, entry["base_rows"])
        ), key
        assert all(after[line] == 2 for line in extra), key


def test_malformed_lines_have_the_wrong_field_count(out: Path) -> None:
    croot, clean = generated(out, CLEAN, "clean")
    root, manifest = generated(out, only("malformed", 0.02), "malformed")
    clean_lines = lines_by_file(croot, clean)
    for key, entry, path in files(root, manifest):
        header, rows = read(path)
        bad = [r for r in rows if len(r) != len(header)]
        assert len(bad) == entry["quirks"]["malformed"] == expected(0.02, entry["base_rows"]), key
        kept = [line for line in data_lines(path) if len(next(csv.reader([line]))) == len(header)]
        assert kept == clean_lines[entry["path"]], key


def test_out_of_order_moves_rows_only(out: Path) -> None:
    croot, clean = generated(out, CLEAN, "clean")
    root, manifest = generated(out, only("out_of_order", 0.02), "out_of_order")
    clean_lines = lines_by_file(croot, clean)
    for key, entry, path in files(root, manifest):
        after = data_lines(path)
        before = clean_lines[entry["path"]]
        assert Counter(after) == Counter(before), key
        count = entry["quirks"].get("out_of_order")
        if count is None:
            assert after == before
            continue
        assert count == expected(0.02, entry["base_rows"]), key
        found = time_column(key)
        if found and key != "play_store.app_downloads":  # one date per file: order invisible
            times = [parse_time(r[found[0]], found[1]) or datetime.min for r in read(path)[1]]
            descents = sum(1 for x, y in itertools.pairwise(times) if y < x)
            assert 1 <= descents <= 2 * count, key


def test_late_rows_land_in_a_later_batch(out: Path) -> None:
    croot, clean = generated(out, CLEAN, "clean")
    root, manifest = generated(out, only("late", 0.05), "late")
    for key, table in manifest["tables"].items():
        clean_table = clean["tables"][key]
        all_after = Counter(line for e in table["files"] for line in data_lines(root / e["path"]))
        all_before = Counter(
            line for e in clean_table["files"] for line in data_lines(croot / e["path"])
        )
        assert all_after == all_before, key  # late rows move, nothing else changes
        found = time_column(key)
        late_total = 0
        for i, entry in enumerate(table["files"]):
            count = entry["quirks"].get("late", 0)
            if table["snapshot"]:
                assert "late" not in entry["quirks"]
                continue
            assert found is not None
            dates = Counter(
                parse_time(r[found[0]], found[1]).date().isoformat()  # type: ignore[union-attr]
                for r in read(root / entry["path"])[1]
            )
            earlier = {d: n for d, n in dates.items() if d < entry["batch_date"]}
            assert earlier == entry["late_from"], key
            assert sum(earlier.values()) == count
            for d in earlier:
                assert (
                    1 <= (date.fromisoformat(entry["batch_date"]) - date.fromisoformat(d)).days <= 2
                )
            if i == 0:
                assert count == 0
            late_total += count
        if not table["snapshot"]:
            sent = sum(expected(0.05, e["base_rows"]) for e in clean_table["files"][:-1])
            assert 0 < late_total == sent, key


def test_zero_rates_mean_no_quirk_rows(out: Path) -> None:
    _, manifest = generated(out, CLEAN, "clean")
    for table in manifest["tables"].values():
        assert table["quirks"] and not any(table["quirks"].values())


def test_quirks_together_are_counted_exactly(out: Path) -> None:
    rates = replace(
        QuirkRates(),
        duplicate=0.01,
        late=0.02,
        out_of_order=0.01,
        malformed=0.01,
        null_required_id=0.01,
        bad_timestamp=0.01,
        future_timestamp=0.01,
        duration_outlier=0.01,
    )
    root, manifest = generated(out, replace(SMALL, quirks=rates), "all")
    for key, entry, path in files(root, manifest):
        q = entry["quirks"]
        header, rows = read(path)
        lines = data_lines(path)
        good = [r for r in rows if len(r) == len(header)]
        assert len(rows) - len(good) == q["malformed"], key
        assert len(lines) - len(set(lines)) == q["duplicate"], key
        required = columns_with(key, type="id", required=True)
        if required:
            nulls = sum(1 for r in good if any(r[i] in NULL_TOKENS for i in required))
            assert nulls == q["null_required_id"], key
        found = time_column(key)
        if found:
            times = [parse_time(r[found[0]], found[1]) for r in good]
            assert sum(t is None for t in times) == q["bad_timestamp"], key
            assert sum(1 for t in times if t and t.year >= 2068) == q["future_timestamp"], key
            early = sum(1 for t in times if t and t.date().isoformat() < entry["batch_date"])
            assert early == q.get("late", 0), key
        if "duration_ms" in header:
            i = header.index("duration_ms")
            outliers = sum(1 for r in good if not 0 <= int(r[i]) <= 7_200_000)
            assert outliers == q["duration_outlier"], key
        for kind in (
            "duplicate",
            "malformed",
            "null_required_id",
            "bad_timestamp",
            "future_timestamp",
        ):
            if kind in q:
                want = expected(getattr(rates, kind), entry["base_rows"])
                # A tiny file can run out of rows: a row gets at most one quirk.
                assert q[kind] == want if entry["base_rows"] >= 50 else q[kind] <= want, (key, kind)


# --- realism of each source ---------------------------------------------------------


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("week")
    return root, generate(root, GenerateConfig(seed=5, days=4, scale=0.3))


def table_rows(root: Path, manifest: dict[str, Any], key: str) -> Rows:
    out: Rows = []
    for entry in manifest["tables"][key]["files"]:
        header, rows = read(root / entry["path"])
        out += [r for r in rows if len(r) == len(header)]
    return out


def test_device_streams_follow_the_reference_mix(week: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = week
    ads = table_rows(root, manifest, "ad_platform.ad_events")
    mix = Counter(r[3] for r in ads)
    share = {k: v / len(ads) for k, v in mix.items()}
    assert abs(share["logs"] - 0.48) < 0.03 and abs(share["click"] - 0.019) < 0.01
    assert all(r[2] == "" for r in ads if r[3] == "logs")
    assert {r[4] for r in ads} == {"Nigeria", "India", "United States", "China"}
    assert {r[5] for r in ads} == {f"Brand {c}" for c in "ABCDE"}
    countries: dict[str, set[str]] = {}
    for r in ads:
        countries.setdefault(r[0], set()).add(r[4])
    assert 0 < sum(1 for c in countries.values() if len(c) > 1) < 0.1 * len(countries)
    per_device = Counter(r[0] for r in ads)
    top = sum(n for _, n in per_device.most_common(len(per_device) // 10))
    assert top > 0.3 * len(ads)  # heavy-tailed activity
    store = table_rows(root, manifest, "app_store.store_events")
    assert {r[3] for r in store} == {"logs", "app_view", "open", "download"}


def test_flyers_shape(week: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = week
    rows = table_rows(root, manifest, "flyers.flyer_events")
    mix = Counter(r[2] for r in rows)
    assert abs(mix["flyer_open"] / len(rows) - 0.72) < 0.03
    assert all(len(r[1]) == 64 for r in rows if r[1] not in NULL_TOKENS)
    for r in rows:
        if r[2] in ("shopping_list_open", "list_flyers"):
            assert r[3] in NULL_TOKENS and r[4] in NULL_TOKENS
    junk = sum(1 for r in rows if r[2] == "item_open" and r[3] in ("null", "%3Cnull%3G"))
    native = manifest["tables"]["flyers.flyer_events"]["quirks"]["item_open_placeholder"]
    assert junk >= native > 0
    owners: dict[str, set[str]] = {}
    for r in rows:
        if r[3].isdigit() and r[4].isdigit():
            owners.setdefault(r[3], set()).add(r[4])
    multi = sum(len(m) > 1 for m in owners.values())
    assert multi < 0.1 * len(owners)


def test_notes_sessions_and_metadata(week: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = week
    rows = table_rows(root, manifest, "notes_app.user_interactions")
    by_user: dict[str, list[datetime]] = {}
    for r in rows:
        t = parse_time(r[1], ["%Y-%m-%d %H:%M:%S"])
        if t and t.year < 2068:
            by_user.setdefault(r[0], []).append(t)
    gaps = [
        (b - a).total_seconds()
        for ts in by_user.values()
        for a, b in zip(sorted(ts), sorted(ts)[1:], strict=False)
    ]
    inside = sum(g < 1800 for g in gaps) / len(gaps)
    assert 0.5 < inside < 0.95  # sessions: mostly short gaps, some long ones
    assert all(
        r[0].startswith("u") and len(r[0]) in (7, 8) for r in rows if r[0] not in NULL_TOKENS
    )
    meta = table_rows(root, manifest, "notes_app.user_metadata")
    ids = Counter(r[0] for r in meta)
    assert any(n > 1 for n in ids.values())  # drawn with replacement
    assert {r[3] for r in meta} <= {
        "iPhone",
        "iPad",
        "Android Phone",
        "Android Tablet",
        "Windows",
        "Mac",
    }


def test_clickstream_sessions_and_purchases(week: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = week
    clicks = table_rows(root, manifest, "marketing.clickstream")
    purchases = table_rows(root, manifest, "marketing.user_purchases")
    campaigns: Counter[int] = Counter()
    channels: Counter[str] = Counter()
    purchase_events = {}
    for r in clicks:
        if r[2] == "app_open":
            attrs = ast.literal_eval(r[4])
            assert set(attrs) == {"campaign_id", "channel_id"} and isinstance(
                attrs["campaign_id"], int
            )
            assert r[4].startswith("{'campaign_id': ")
            campaigns[attrs["campaign_id"]] += 1
            channels[attrs["channel_id"]] += 1
        elif r[2] == "purchase":
            purchase_events[json.loads(r[4])["purchase_id"]] = r[3]
        else:
            assert r[4] == ""
    assert len(campaigns) == 25 and set(channels) == {
        "Google Ads", "Facebook Ads", "Yandex Ads", "Twitter Ads", "VK Ads",
    }  # fmt: skip
    counts = sorted(campaigns.values())
    assert counts[-1] > 2 * counts[0]  # skewed mix
    matched = [p for p in purchases if p[0] in purchase_events]
    assert len(matched) > 0.9 * len(purchases)
    normal = "%Y-%m-%d %H:%M:%S"

    def plain(text: str) -> bool:  # not a bad or future timestamp quirk
        parsed = parse_time(text, [normal])
        return parsed is not None and parsed.year < 2068

    same_time = [
        purchase_events[p[0]] == p[1]
        for p in matched
        if plain(p[1]) and plain(purchase_events[p[0]])
    ]
    assert all(same_time) and len(same_time) > 0.9 * len(matched)
    costs = [float(p[2]) for p in purchases]
    assert all(
        10.0 <= c <= 999.99 and len(p[2].split(".")[1]) == 2
        for c, p in zip(costs, purchases, strict=True)
    )
    confirmed = sum(p[3] == "True" for p in purchases) / len(purchases)
    assert {p[3] for p in purchases} == {"True", "False"} and 0.35 < confirmed < 0.65
    raw = file_text(root / manifest["tables"]["marketing.clickstream"]["files"][0]["path"])
    assert '"{""purchase_id"": ""' in raw and "\"{'campaign_id': " in raw


def test_play_store_catalogue_and_downloads(week: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = week
    apps = table_rows(root, manifest, "play_store.apps")
    names = sorted({a[0] for a in apps})
    rank = {name: i for i, name in enumerate(names)}
    assert any(a[4] == "Varies with device" for a in apps) and any(a[4].endswith("M") for a in apps)
    assert all(a[5].endswith("+") for a in apps) and any("," in a[5] for a in apps)
    assert all(a[7] == "0" or a[7].startswith("$") for a in apps)
    assert all(datetime.strptime(a[10], "%B %d, %Y") for a in apps)
    assert len(apps) > len(names)  # some apps listed twice (Kaggle-style)
    downloads = table_rows(root, manifest, "play_store.app_downloads")
    assert all(int(d[16]) == 500 + rank[d[3]] for d in downloads if d[16] not in NULL_TOKENS)
    keys = Counter((d[2], d[3], d[1]) for d in downloads)
    dup_rows = manifest["tables"]["play_store.app_downloads"]["quirks"]["duplicate"]
    assert sum(n - 1 for n in keys.values()) <= dup_rows + manifest["tables"][
        "play_store.app_downloads"
    ]["quirks"].get("null_required_id", 0)
    assert all(30 <= int(d[20]) <= 249 and 18 <= int(d[18]) <= 64 for d in downloads)
    by_category = Counter(d[4] for d in downloads)
    assert by_category.most_common(1)[0][1] > 3 * min(by_category.values())


# --- command -----------------------------------------------------------------------


def test_command_writes_prints_and_cleans(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command("generate")(generate_cmd)

    @app.callback()
    def main() -> None:
        """A stand-in for the pulse CLI."""

    target = tmp_path / "landing"
    stale = target / "stale.csv"
    stale.parent.mkdir()
    stale.write_text("x\n")
    runner = CliRunner()
    refused = runner.invoke(
        app, ["generate", "--out", str(target), "--days", "1", "--scale", "0.02", "--clean"]
    )
    assert refused.exit_code == 2 and stale.exists()  # no manifest there: not ours to wipe
    stale.unlink()
    args = [
        "generate",
        "--out",
        str(target),
        "--days",
        "2",
        "--scale",
        "0.02",
        "--start-date",
        "2024-05-01",
    ]
    first = runner.invoke(app, [*args, "--gzip", "--no-quirks"])
    assert first.exit_code == 0, first.output
    assert "events/s" in first.output and "ad_platform.ad_events" in first.output
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["batches"] == ["2024-05-01", "2024-05-02"]
    assert all(
        f["path"].endswith(".csv.gz") for t in manifest["tables"].values() for f in t["files"]
    )
    second = runner.invoke(app, [*args, "--clean"])
    assert second.exit_code == 0, second.output
    assert not list(target.rglob("*.csv.gz"))
