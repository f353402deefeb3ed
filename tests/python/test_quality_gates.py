"""The data quality gates are declared where dbt runs them (static, no Spark):
every loaded source warns when it is late, every staging model of an event stream warns
on a half-empty day, and a failing test is an error unless it says otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

REPO = Path(__file__).resolve().parents[2]
STAGING = REPO / "models" / "staging"


def documents(pattern: str) -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text()) for p in sorted(STAGING.glob(pattern))]


def test_every_loaded_source_warns_when_late() -> None:
    checked = 0
    for document in documents("*/_*__sources.yml"):
        for source in document["sources"]:
            loaded = [t for t in source["tables"] if (t.get("meta") or {}).get("loader")]
            if not loaded:
                continue
            checked += 1
            assert source.get("loaded_at_field") == "_loaded_at", source["name"]
            freshness = source.get("freshness") or {}
            assert set(freshness) == {"warn_after"}, f"{source['name']}: warn, never error"
            assert freshness["warn_after"]["count"] > 0
    assert checked >= 6


def test_every_event_stream_has_a_volume_gate() -> None:
    event_tables = {
        table["name"]
        for document in documents("*/_*__sources.yml")
        for source in document["sources"]
        for table in source["tables"]
        if ((table.get("meta") or {}).get("loader") or {}).get("event_time")
    }
    gated = {}
    for document in documents("*/_*__models.yml"):
        for model in document.get("models") or []:
            for test in model.get("data_tests") or []:
                if isinstance(test, dict) and "row_count_anomaly" in test:
                    gated[model["name"]] = test["row_count_anomaly"]
    for name, test in gated.items():
        assert test["config"]["severity"] == "warn", name
        assert test["arguments"]["date_column"] == "event_date", name
    # one gate per stream of events (purchases are too sparse for a daily volume rule)
    streams = {t for t in event_tables if t != "user_purchases"}
    assert {name.split("__", 1)[1] for name in gated} >= streams


def test_a_failing_test_is_an_error_by_default() -> None:
    project = yaml.safe_load((REPO / "dbt_project.yml").read_text())
    assert project["data_tests"]["pulse"]["+severity"] == "error"
    exposures = yaml.safe_load((REPO / "models/marts/_exposures.yml").read_text())["exposures"]
    for exposure in exposures:  # dashboards read marts only: a mart test failure stops them
        assert all(dep.startswith("ref(") for dep in exposure["depends_on"]), exposure["name"]
