"""Command-line input that reaches SQL is validated, not pasted."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pulse.cli import app
from pulse.pipeline import PipelineError, validate_date


@pytest.mark.parametrize(
    "value",
    ["2024-02-30", "2024-1-01", "2024-01-01' or '1'='1", "2024-01-01; drop table x", "", "today"],
)
def test_bad_dates_are_rejected(value: str) -> None:
    with pytest.raises(PipelineError):
        validate_date(value, "--start")


def test_good_date_passes() -> None:
    assert validate_date("2024-02-29", "--start") == "2024-02-29"


def test_backfill_rejects_injection_before_touching_spark() -> None:
    result = CliRunner().invoke(
        app,
        [
            "backfill",
            "--start",
            "2024-01-01'; drop table marts.fct_events; --",
            "--end",
            "2024-01-02",
        ],
    )
    assert result.exit_code == 1
    assert "must be a date" in result.output
    assert "Traceback" not in result.output


def test_backfill_rejects_reversed_range() -> None:
    result = CliRunner().invoke(app, ["backfill", "--start", "2024-01-05", "--end", "2024-01-02"])
    assert result.exit_code == 1
    assert "after" in result.output


def test_unknown_target_is_a_clear_error() -> None:
    from pulse.dbt import dbt_env
    from pulse.settings import State

    with pytest.raises(ValueError, match="unknown target"):
        dbt_env("production", State.from_env())


def _fake_build(monkeypatch: pytest.MonkeyPatch, failures: list[str], returncode: int) -> list[str]:
    """pipeline.build with dbt stubbed out; returns the record of publishes."""
    import subprocess

    import pulse.pipeline as pipeline

    published: list[str] = []
    monkeypatch.setattr(
        pipeline, "register_raw_tables", lambda *a, **k: subprocess.CompletedProcess([], 0)
    )
    monkeypatch.setattr(
        pipeline, "run_dbt", lambda *a, **k: subprocess.CompletedProcess([], returncode)
    )
    monkeypatch.setattr(pipeline, "failing_tests", lambda *a: failures)
    monkeypatch.setattr(pipeline, "publish", lambda *a: published.append("x") or ["m"])
    return published


def test_a_failing_test_keeps_the_dashboards_on_the_last_publish(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pulse.pipeline import build
    from pulse.settings import State

    published = _fake_build(monkeypatch, ["test.pulse.not_null_x: fail"], 1)
    report = build("local", State.from_env())
    assert report.failures and report.published == [] and published == []


def test_a_clean_build_publishes(monkeypatch: pytest.MonkeyPatch) -> None:
    from pulse.pipeline import build
    from pulse.settings import State

    published = _fake_build(monkeypatch, [], 0)
    report = build("local", State.from_env())
    assert report.published == ["m"] and published == ["x"]
