"""The judging half of `pulse check-bi`, on synthetic inputs (pure Python, no browser).

The check itself needs Spark, Superset and Chromium (minutes); these tests show that
its verdicts can fail: an errored, empty or missing chart, an exposure on a view, a
backwards lineage edge, an undescribed column or macro.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pulse.bi.assets import load_assets
from pulse.bi.check import Findings, _as_day, check_manifest, judge_dashboard


def _state(title: str, **overrides: Any) -> dict[str, Any]:
    state = {"title": title, "canvas": 1, "svgShapes": 0, "rows": [], "loading": 0}
    return state | {"errors": [], "empty": False} | overrides


def test_judge_dashboard_fails_errored_empty_and_missing_charts() -> None:
    charts = next(d for d in load_assets().dashboards if d.slug == "merchants").charts
    good = {"slug": "merchants", "charts": [_state(c.title) for c in charts]}
    found = Findings()
    assert judge_dashboard(good, charts, found) == len(charts)
    assert found.failures == []

    bad = json.loads(json.dumps(good))
    bad["charts"][0] |= {"errors": ["Data error"]}
    bad["charts"][1] |= {"canvas": 0, "rows": []}
    bad["charts"][2] |= {"empty": True}
    bad["charts"].pop()
    found = Findings()
    assert judge_dashboard(bad, charts, found) == 0
    assert len(found.failures) == 4  # three not rendered, and the page lacks a chart
    assert any("page shows" in f for f in found.failures)


def _node(uid: str, fqn: list[str], parents: list[str], **extra: Any) -> dict[str, Any]:
    kind = uid.split(".")[0]
    node = {"resource_type": kind, "fqn": fqn, "package_name": "pulse", "description": "d."}
    return node | {"depends_on": {"nodes": parents}, "columns": {}} | extra


def _write_manifest(target: Path, mart_materialized: str, macro_doc: str) -> None:
    src = "source.pulse.raw.events"
    stg = "model.pulse.stg_events"
    mart = "model.pulse.fct_events"
    intm = "model.pulse.int_days"
    manifest = {
        "nodes": {
            stg: _node(stg, ["pulse", "staging", "app", "stg_events"], [src]),
            mart: _node(
                mart,
                ["pulse", "marts", "core", "fct_events"],
                [stg],
                config={"materialized": mart_materialized},
                columns={"dau": {"description": "Distinct actors."}},
            ),
            intm: _node(intm, ["pulse", "intermediate", "app", "int_days"], [mart]),
        },
        "sources": {src: _node(src, ["pulse", "raw", "events"], [])},
        "exposures": {
            "exposure.pulse.board": _node("exposure.pulse.board", ["pulse", "board"], [mart])
        },
        "macros": {"macro.pulse.m": {"package_name": "pulse", "description": macro_doc}},
    }
    catalog = {"nodes": {mart: {"columns": {"dau": {}, "wau": {}}}}}
    (target / "manifest.json").write_text(json.dumps(manifest))
    (target / "catalog.json").write_text(json.dumps(catalog))


def test_check_manifest_flags_view_parents_backward_edges_and_missing_docs(
    tmp_path: Path,
) -> None:
    _write_manifest(tmp_path, "view", "")
    found = Findings()
    check_manifest(tmp_path, found)
    text = "\n".join(found.failures)
    assert "exposure exposure.pulse.board: parent model.pulse.fct_events is marts/view" in text
    assert "model.pulse.fct_events.wau" in text and "macro.pulse.m" in text
    assert "lineage: model.pulse.int_days (intermediate) reads model.pulse.fct_events (marts)" in (
        found.failures
    )

    _write_manifest(tmp_path, "incremental", "A macro.")
    found = Findings()
    check_manifest(tmp_path, found)
    assert [f for f in found.failures if "exposure" in f] == []
    assert len([f for f in found.failures if f.startswith("lineage")]) == 1
    assert found.figures["undocumented"] == 1  # the column wau only


def test_chart_data_dates_in_both_shapes() -> None:
    assert _as_day("2024-01-02") == "2024-01-02"
    assert _as_day(1704153600000.0) == "2024-01-02"
