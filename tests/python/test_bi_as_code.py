"""Superset assets as code (bi/superset/): consistent with the dbt project, safe to ship.

Pure Python, no Superset and no Spark: the YAML, the import bundle built from it, the
exposures and the generated Superset config. The browser check is `pulse check-bi`.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulse.bi.assets import ASSETS_DIR, AssetError, build_bundle, load_assets
from pulse.bi.service import Superset
from pulse.settings import PROJECT_DIR, State

MARTS = PROJECT_DIR / "models" / "marts"
REQUIRED_DASHBOARDS = {"engagement", "marketing", "merchants", "apps", "data-quality"}
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _yml(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=LOADER) or {}


@functools.cache
def _mart_models() -> dict[str, dict[str, Any]]:
    """Every mart model: its yml entry plus the path of its SQL file."""
    models: dict[str, dict[str, Any]] = {}
    for yml in MARTS.rglob("*.yml"):
        for model in _yml(yml).get("models", []):
            sql = list(MARTS.rglob(f"{model['name']}.sql"))
            models[model["name"]] = {**model, "sql": sql[0] if sql else None}
    return models


def _materialization(sql: Path) -> str:
    """The model's materialization: its config() call, else the marts default (table)."""
    match = re.search(r"materialized\s*=\s*['\"](\w+)['\"]", sql.read_text())
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    return match.group(1) if match else project["models"]["pulse"]["marts"]["+materialized"]


SQL_WORDS = {"distinct", "case", "when", "then", "else", "end", "and", "or", "not", "is", "null"}


def _identifiers(sql: str) -> set[str]:
    """Column names an expression reads: no string literals, function names or keywords."""
    sql = re.sub(r"'[^']*'", "''", sql.lower())
    return set(re.findall(r"\b([a-z_][a-z0-9_]*)\b(?!\s*\()", sql)) - SQL_WORDS


def _exposures() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for yml in (PROJECT_DIR / "models").rglob("*.yml"):
        for exposure in _yml(yml).get("exposures", []):
            found[exposure["name"]] = exposure
    return found


def test_charts_reference_declared_datasets_and_columns() -> None:
    assets = load_assets()
    assert {d.slug for d in assets.dashboards} == REQUIRED_DASHBOARDS
    for dashboard in assets.dashboards:
        assert dashboard.charts, f"dashboard {dashboard.slug} has no chart"
        for chart in dashboard.charts:
            dataset = assets.datasets[chart.dataset]
            assert chart.referenced_columns() <= set(dataset.columns), chart.key
            for metric in chart.metrics:
                unknown = _identifiers(metric.sql) - set(dataset.columns)
                assert not unknown, f"{chart.key}: {metric.label} uses {sorted(unknown)}"
    used = {c.dataset for c in assets.charts()}
    assert used == set(assets.datasets), "a declared dataset no chart uses"


def test_validation_rejects_an_undeclared_dataset(tmp_path: Path) -> None:
    root = tmp_path / "superset"
    shutil.copytree(ASSETS_DIR, root)
    path = root / "dashboards" / "apps.yaml"
    spec = yaml.safe_load(path.read_text())
    spec["charts"][0]["dataset"] = "not_a_mart"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(AssetError, match="undeclared dataset not_a_mart"):
        load_assets(root)
    spec["charts"][0] |= {"dataset": "app_downloads_daily", "x": "no_such_column"}
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(AssetError, match="no_such_column"):
        load_assets(root)


def test_datasets_are_table_marts_with_documented_columns() -> None:
    assets = load_assets()
    models = _mart_models()
    assert assets.schema == "serving"  # the test-gated views over the marts (publish)
    for name, dataset in assets.datasets.items():
        assert name in models, f"dataset {name} is not a model in models/marts"
        model = models[name]
        assert model["sql"] is not None, f"{name} has no SQL file"
        assert _materialization(model["sql"]) in ("table", "incremental"), name
        documented = {c["name"]: c.get("description", "") for c in model.get("columns", [])}
        for column in dataset.columns:
            assert column in documented, f"{name}.{column} is not declared in its yml"
            assert documented[column], f"{name}.{column} has no description"


def test_every_dashboard_has_an_exposure_on_its_tables() -> None:
    assets = load_assets()
    exposures = _exposures()
    models = _mart_models()
    for dashboard in assets.dashboards:
        exposure = exposures.get(dashboard.exposure)
        assert exposure is not None, f"no exposure {dashboard.exposure} for {dashboard.slug}"
        assert exposure["type"] == "dashboard"
        assert exposure["owner"].get("name") and exposure["owner"].get("email")
        assert exposure["url"].endswith(f"/superset/dashboard/{dashboard.slug}/")
        parents = {re.fullmatch(r"ref\('(\w+)'\)", d).group(1) for d in exposure["depends_on"]}
        used = {c.dataset for c in dashboard.charts}
        assert used <= parents, f"{dashboard.exposure} misses {sorted(used - parents)}"
        for parent in parents:
            assert parent in models, f"{dashboard.exposure} depends on non-mart {parent}"
            assert _materialization(models[parent]["sql"]) in ("table", "incremental"), parent


def test_bundle_is_loopback_consistent_and_secret_free(tmp_path: Path) -> None:
    assets = load_assets()
    bundle = build_bundle(assets, 10123)
    assert bundle == build_bundle(assets, 10123), "uuids and files must be stable"
    docs = {path: yaml.safe_load(text) for path, text in bundle.items()}
    (database,) = [d for p, d in docs.items() if "/databases/" in p]
    assert database["sqlalchemy_uri"] == "hive://pulse@127.0.0.1:10123/serving"
    chart_uuids = {d["uuid"] for p, d in docs.items() if "/charts/" in p}
    dataset_uuids = {d["uuid"] for p, d in docs.items() if "/datasets/" in p}
    placed: list[str] = []
    for path, doc in docs.items():
        if "/charts/" in path:
            assert doc["dataset_uuid"] in dataset_uuids
            context = json.loads(doc["query_context"])
            assert context["form_data"]["viz_type"] == doc["viz_type"]
            assert context["queries"][0]["columns"] or context["queries"][0]["metrics"]
        if "/dashboards/" in path:
            placed += [
                v["meta"]["uuid"]
                for v in doc["position"].values()
                if isinstance(v, dict) and v.get("type") == "CHART"
            ]
    assert sorted(placed) == sorted(chart_uuids), "every chart on exactly one dashboard"

    texts = [p.read_text() for p in ASSETS_DIR.rglob("*.yaml")] + list(bundle.values())
    for text in texts:
        assert not re.search(r"(?i)(password|secret|token)\s*:", text)
        assert not re.search(r"://[^/\s]*:[^/@\s]*@", text), "credentials in a URI"

    superset = Superset(State(tmp_path), port=8123)
    assert superset.command()[1:3] == ["--bind", "127.0.0.1:8123"]
    superset.write_config()
    key_file = tmp_path / "superset" / "secret_key"
    key = key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key.strip() not in superset.config_file.read_text()
    superset.write_config()
    assert key_file.read_text() == key, "the secret key is generated once"
