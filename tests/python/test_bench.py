"""`pulse bench`: the comparison and report logic (fast), and one end-to-end smoke run.

The unit tests need no Spark (seconds). The smoke run is `pulse bench --scale smoke` on
the session's Thrift server: three tiny days, builds of the four compared marts and
everything upstream of them, baseline (a) through that server (no second JVM) and
DuckDB, both checked equal to the marts (BenchMismatch otherwise).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from warehouse import Warehouse

from pulse.bench import compare, report
from pulse.bench.baselines import queries
from pulse.bench.report import BaselineSummary, BenchResult, BuildTiming


def test_canonical_spellings_agree_across_engines() -> None:
    assert compare.canonical(Decimal("45360.000")) == "45360"
    assert compare.canonical("45360.000") == "45360"
    assert compare.canonical(318.0) == "318"
    assert compare.canonical("38498.903") == "38498.903"
    assert compare.canonical(pd.Timestamp("2024-01-02")) == "2024-01-02"
    assert compare.canonical("2024-01-02") == "2024-01-02"
    assert compare.canonical(None) == compare.canonical(float("nan")) == compare.NULL
    assert compare.canonical("Google Ads") == "Google Ads"


def test_equal_frames_pass_in_any_row_order_and_spelling() -> None:
    marts = pd.DataFrame({"product": ["all", "flyers"], "dau": [3, 2], "len": ["1.500", "2"]})
    baseline = pd.DataFrame({"product": ["flyers", "all"], "dau": [2.0, 3.0], "len": [2, 1.5]})
    assert compare.check("duckdb", {"x": marts}, {"x": baseline}) == 2


def test_a_differing_row_raises_with_both_sides() -> None:
    marts = pd.DataFrame({"product": ["all", "flyers"], "dau": [3, 2]})
    baseline = pd.DataFrame({"product": ["all", "flyers"], "dau": [3, 1]})
    with pytest.raises(compare.BenchMismatch) as err:
        compare.check("pyspark", {"active_users": marts}, {"active_users": baseline})
    message = str(err.value)
    assert "active_users" in message
    assert "'dau': '2'" in message and "'dau': '1'" in message


def test_duplicate_rows_count() -> None:
    marts = pd.DataFrame({"a": [1, 1]})
    assert compare.difference("x", "e", marts, pd.DataFrame({"a": [1]})) is not None


def test_a_missing_output_raises() -> None:
    with pytest.raises(compare.BenchMismatch, match="did not compute sessions"):
        compare.check("duckdb", {"sessions": pd.DataFrame({"a": [1]})}, {})


def _result() -> BenchResult:
    result = BenchResult("smoke", days=31, events=2_000_000, generate_seconds=4.0)
    result.rows_loaded, result.load_seconds = 1_000_000, 2.0
    result.rows_bulk_loaded, result.bulk_load_seconds = 300_000, 2.0
    result.full_build = BuildTiming(
        "dbt build", 100.0, {"model.pulse.fct_events": 30.0, "test.pulse.not_null_x": 5.0}
    )
    result.incrementals = {
        30: [BuildTiming("dbt build", 9.0)],
        365: [BuildTiming("dbt build", 12.0)],
    }
    result.baselines["pyspark"] = BaselineSummary("pyspark", [40.0, 50.0, 45.0], 8.0, None, 10)
    result.baselines["duckdb"] = BaselineSummary("duckdb", [2.0, 1.0, 3.0], 0.1, None, 10)
    return result


def test_targets_are_judged_from_medians() -> None:
    by_name = {t.name: t for t in report.targets(_result())}
    full = by_name["full build / PySpark job (a)"]
    assert full.measured == pytest.approx(100.0 / 45.0) and full.met is True
    incremental = by_name["one-day incremental / full build"]
    assert incremental.measured == pytest.approx(0.12) and incremental.met is False
    growth = by_name["incremental at 365 days / at 30 days"]
    assert growth.measured == pytest.approx(12.0 / 9.0) and growth.met is False
    assert by_name["generate throughput"].met is False  # 500k < 1M events/s
    daily = by_name["load throughput (daily batches, as the builds above)"]
    assert daily.met is True  # 500k >= 200k rows/s
    bulk = by_name["load throughput (bulk: every landed file in one load)"]
    assert bulk.measured == pytest.approx(150_000.0) and bulk.met is False


def test_targets_not_measured_are_not_judged() -> None:
    result = _result()
    result.incrementals = {30: [BuildTiming("dbt build", 9.0)]}
    del result.baselines["pyspark"]
    by_name = {t.name: t for t in report.targets(result)}
    assert by_name["full build / PySpark job (a)"].met is None
    assert by_name["incremental at 365 days / at 30 days"].met is None
    assert "at 30 days of history" in by_name["one-day incremental / full build"].note


def test_report_renders_markdown_and_csv() -> None:
    result = _result()
    md = report.markdown(result)
    assert "| full build / PySpark job (a) | 2.22 |" in md and "**met**" in md
    assert "model.fct_events" not in md and "model.pulse.fct_events" in md
    lines = report.csv_text(result).splitlines()
    assert lines[0] == "scale,section,metric,value,unit"
    assert any(line.startswith("smoke,baseline duckdb,median of 3 runs") for line in lines)
    assert len(report.rich_tables(result)) == 3
    nodes = report.nodes_csv_text(result).splitlines()
    assert nodes[:2] == ["phase,node,seconds", "full build,model.pulse.fct_events,30.000"]


def test_duckdb_dialect_reads_python_dict_attributes_like_spark() -> None:
    field = queries.DUCKDB.json_field("a", "campaign_id")
    con = duckdb.connect()
    rows = con.execute(
        f"select {field} from (values ('{{''campaign_id'': 296}}'), ('{{\"campaign_id\": \"7\"}}'),"
        " ('not json'), (null)) as t(a)"
    ).fetchall()
    assert [r[0] for r in rows] == ["296", "7", None, None]


def test_event_types_come_from_the_seed(tmp_path: Path) -> None:
    seed = tmp_path / "event_types.csv"
    seed.write_text("source,event_type,is_engaging,description\nflyers,open,true,x\n")
    values = queries.event_types_values(seed)
    con = duckdb.connect()
    assert con.execute(f"select * from {values}").fetchall() == [("flyers", "open", True)]


def test_duckdb_baseline_on_a_generated_lake(tmp_path: Path) -> None:
    """The DuckDB job runs on real loader output; its outputs hang together (seconds)."""
    from pulse.bench.baselines import duckdb_job
    from pulse.generate import GenerateConfig, generate
    from pulse.load import load_path

    generate(tmp_path / "landing", GenerateConfig(seed=3, days=3, scale=0.05))
    load_path(tmp_path / "landing", None, lake=tmp_path / "lake")
    run = duckdb_job.run(tmp_path / "lake", runs=1, threads=1)
    active, sessions = run.outputs["active_users"], run.outputs["sessions"]
    assert (active["mau_rolling_30d"] >= active["dau"]).all()
    per_day = active.pivot_table(index="activity_date", columns="product", values="dau")
    assert (per_day["all"] >= per_day.drop(columns="all").max(axis=1)).all()
    assert set(sessions["product"]) == {
        "ad_platform",
        "app_store",
        "flyers",
        "notes_app",
        "marketing",
    }
    assert (sessions["events"] >= sessions["sessions"]).all()
    top = run.outputs["top_campaigns"].sort_values("revenue_rank")
    assert list(top["revenue_rank"]) == list(range(1, len(top) + 1)) and len(top) > 0
    revenue = [Decimal(r) for r in top["revenue"]]
    assert revenue == sorted(revenue, reverse=True)
    assert (run.outputs["channel_ranks"]["channel_rank"] >= 1).all()


def test_memory_sampler_survives_a_process_that_ends_mid_walk(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A child listed by its parent can be gone before its own /proc entry is read."""
    from pulse.bench import memory

    proc = tmp_path / "proc"
    (proc / "1" / "task" / "1").mkdir(parents=True)
    (proc / "1" / "task" / "1" / "children").write_text("2 ")  # 2 has already exited
    (proc / "1" / "status").write_text("VmRSS:\t100 kB\nVmHWM:\t150 kB\n")
    real_glob = Path.glob

    def glob(self: Path, pattern: str):  # type: ignore[no-untyped-def]
        if not self.exists():  # what scandir of a vanished /proc/<pid>/task raises
            raise FileNotFoundError(str(self))
        return real_glob(self, pattern)

    monkeypatch.setattr(Path, "glob", glob)
    monkeypatch.setattr(memory, "PROC", proc)
    assert memory.process_tree(1) == [1, 2]
    sampler = memory.PeakSampler(1)
    sampler.sample()
    assert sampler.peak == 150 * 1024


def test_smoke_bench_end_to_end(thrift_warehouse: Warehouse) -> None:
    """Generate, load, full and one-day incremental builds of the compared marts and all
    upstream of them, both baselines equal the marts: `pulse bench`'s whole path."""
    from pulse.bench.runner import SCALES, Engine, run_bench

    engine = Engine(thrift_warehouse.state, thrift_warehouse.server.port, managed=False)
    result = run_bench(SCALES["smoke"], engine, pyspark_via_thrift=True, log=lambda _: None)

    assert result.events > 0 and result.rows_loaded > 0
    assert result.rows_bulk_loaded >= result.rows_loaded  # the bulk load saw every day
    assert result.full_build is not None and result.full_build.kind_count("model") > 10
    assert result.full_build.kind_count("test") > 0
    assert list(result.incrementals) == [2]
    assert set(result.baselines) == {"pyspark", "duckdb"}
    for baseline in result.baselines.values():
        assert baseline.compared_rows > 0 and len(baseline.seconds) == 1
    assert result.server_peak_rss_bytes and result.server_peak_rss_bytes > 100 * 2**20
    assert "raw parquet files per day (6 event tables)" in result.layout
    assert "| one-day incremental / full build |" in report.markdown(result)
