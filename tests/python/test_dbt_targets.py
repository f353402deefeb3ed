"""dbt parses and lists the project with each of the three targets, no engine needed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pulse.dbt import run_dbt
from pulse.settings import State


@pytest.mark.parametrize("target", ["local", "embedded", "cluster"])
def test_parse_and_ls(target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if target == "cluster":
        monkeypatch.setenv("PULSE_CLUSTER_HOST", "spark.example.invalid")
        monkeypatch.setenv("PULSE_CLUSTER_TOKEN", "not-a-real-token-123")
    state = State(tmp_path)
    parsed = run_dbt(["parse"], target, state, capture=True)
    assert parsed.returncode == 0, parsed.stdout[-3000:]
    listed = run_dbt(["ls", "--resource-type", "model"], target, state, capture=True)
    assert listed.returncode == 0, listed.stdout[-3000:]
    assert "pulse.marts.core.fct_events" in listed.stdout
    if target == "cluster":
        # the secret comes from the environment and is written nowhere
        for path in (tmp_path / "cluster").rglob("*"):
            if path.is_file() and path.suffix in (".json", ".log", ".txt"):
                assert "not-a-real-token-123" not in path.read_text(errors="ignore"), path
    assert os.environ.get("PULSE_CLUSTER_TOKEN") in (None, "not-a-real-token-123")


def test_no_secret_in_repository_profiles() -> None:
    from pulse.settings import PROJECT_DIR

    profiles = (PROJECT_DIR / "profiles" / "profiles.yml").read_text()
    for line in profiles.splitlines():
        if "token:" in line or "password" in line:
            assert "env_var(" in line, line
