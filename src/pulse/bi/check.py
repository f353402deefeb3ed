"""`pulse check-bi`: the BI layer end to end, as a person would see it.

Own state directory (<PULSE_HOME>/check-bi): a Spark Thrift server, a small warehouse
(generate, load, dbt build, docs), Superset with the dashboards from bi/superset/, and
the dbt docs site. Then:

- the dbt manifest: lineage reads sources -> staging -> intermediate -> marts ->
  exposures, exposure parents are tables or incremental models, everything described;
- every dataset's declared columns exist in the real table with the declared type;
- every chart's saved query through Superset's chart-data API returns rows;
- every dashboard in headless Chromium: every chart drew something, none failed or came
  back empty; a screenshot per dashboard into docs/screenshots/;
- the DAU of the latest day: chart-data API == the table on the page == the mart (PyHive);
- the docs site: a model page and the lineage graph load.

Everything it started is stopped at the end; any failure makes it exit non-zero.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from pulse.bi.api import ApiError, SupersetApi
from pulse.bi.assets import Assets, Chart, load_assets
from pulse.bi.service import HOST, SCRIPTS, BiError, Superset
from pulse.process import alive, port_in_use, signal_group
from pulse.server import Server, ServerError
from pulse.settings import PROJECT_DIR, State

SCREENSHOTS = PROJECT_DIR / "docs" / "screenshots"
DAU_CHART = "dau_all_products"
LAYERS = {"source": 0, "seed": 0, "staging": 1, "intermediate": 2, "marts": 3, "exposure": 4}
DOCS_MODEL = "model.pulse.active_users_daily"


class CheckError(RuntimeError):
    """The check failed; the message lists every failure."""


@dataclass
class Findings:
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def expect(self, ok: bool, message: str) -> bool:
        if not ok:
            self.failures.append(message)
        return ok


# --- dbt manifest ---------------------------------------------------------------------


def _layer(node: dict[str, Any]) -> str:
    kind = node["resource_type"]
    if kind in ("source", "seed", "exposure"):
        return str(kind)
    return str(node["fqn"][1]) if len(node["fqn"]) > 2 else "marts"


def check_manifest(target_dir: Path, found: Findings) -> None:
    """Lineage direction, exposure parents, and descriptions of everything documented."""
    manifest = json.loads((target_dir / "manifest.json").read_text())
    catalog_path = target_dir / "catalog.json"
    catalog = json.loads(catalog_path.read_text()) if catalog_path.exists() else {"nodes": {}}
    nodes = {**manifest["nodes"], **manifest["sources"], **manifest["exposures"]}
    models = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] == "model"}
    for uid, node in [*models.items(), *manifest["exposures"].items()]:
        layer = _layer(node)
        for parent in node["depends_on"]["nodes"]:
            if parent not in nodes:
                continue
            parent_layer = _layer(nodes[parent])
            found.expect(
                LAYERS[parent_layer] <= LAYERS[layer],
                f"lineage: {uid} ({layer}) reads {parent} ({parent_layer})",
            )
            if layer == "exposure":
                materialized = nodes[parent].get("config", {}).get("materialized")
                found.expect(
                    parent_layer == "marts" and materialized in ("table", "incremental"),
                    f"exposure {uid}: parent {parent} is {parent_layer}/{materialized}",
                )
        if layer == "staging":
            found.expect(
                any(p.startswith("source.") for p in node["depends_on"]["nodes"]),
                f"lineage: staging model {uid} reads no source",
            )
    found.figures["exposures"] = len(manifest["exposures"])

    undocumented: list[str] = []
    for uid, node in [*manifest["nodes"].items(), *manifest["sources"].items()]:
        if node["resource_type"] not in ("model", "seed", "source"):
            continue
        if node.get("package_name") != "pulse":
            continue
        if not node.get("description", "").strip():
            undocumented.append(uid)
        described = {
            name.lower() for name, col in node.get("columns", {}).items() if col.get("description")
        }
        for column in catalog["nodes"].get(uid, {}).get("columns", {}):
            if column.lower() not in described:
                undocumented.append(f"{uid}.{column}")
    for uid, macro in manifest["macros"].items():
        if macro["package_name"] == "pulse" and not macro.get("description", "").strip():
            undocumented.append(uid)
    found.expect(not undocumented, f"undocumented: {', '.join(sorted(undocumented)[:40])}")
    found.figures["undocumented"] = len(undocumented)


# --- warehouse ------------------------------------------------------------------------


def check_tables(assets: Assets, thrift_port: int, found: Findings) -> None:
    """Every declared dataset column exists in the real table, with the declared type."""
    from pyhive import hive

    conn = hive.connect(host=HOST, port=thrift_port, username="pulse")
    try:
        cursor = conn.cursor()
        for name, dataset in assets.datasets.items():
            cursor.execute(f"describe {dataset.schema}.{name}")
            actual = {
                r[0]: str(r[1]).upper().replace(" ", "")
                for r in cursor.fetchall()
                if r[0] and not r[0].startswith("#")
            }
            for column, sql_type in dataset.columns.items():
                found.expect(
                    actual.get(column) == sql_type.replace(" ", ""),
                    f"{name}.{column}: declared {sql_type}, table has {actual.get(column)}",
                )
    finally:
        conn.close()


def mart_dau(thrift_port: int, schema: str, day: str) -> int | None:
    from pyhive import hive

    conn = hive.connect(host=HOST, port=thrift_port, username="pulse")
    try:
        cursor = conn.cursor()
        cursor.execute(
            f"select dau from {schema}.active_users_daily "
            "where product = 'all' and activity_date = cast(%(day)s as date)",
            {"day": day},
        )
        rows = cursor.fetchall()
        return int(rows[0][0]) if rows else None
    finally:
        conn.close()


def _as_day(value: Any) -> str:
    """A date from the chart-data API: 'YYYY-MM-DD' text or epoch milliseconds."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, UTC).date().isoformat()
    return str(value)[:10]


# --- Superset -------------------------------------------------------------------------


def check_chart_data(
    api: SupersetApi, assets: Assets, found: Findings
) -> dict[str, dict[str, Any]]:
    """Every chart's saved query through the chart-data API returns rows with values."""
    results: dict[str, dict[str, Any]] = {}
    for dashboard in assets.dashboards:
        remote = {c["slice_name"]: c["id"] for c in api.dashboard_charts(dashboard.slug)}
        found.expect(
            set(remote) == {c.title for c in dashboard.charts},
            f"{dashboard.slug}: charts in Superset {sorted(remote)} differ from the YAML",
        )
        for chart in dashboard.charts:
            if chart.title not in remote:
                continue
            try:
                data = api.chart_data(remote[chart.title])
            except ApiError as err:
                found.failures.append(f"{dashboard.slug}/{chart.key}: chart data: {err}")
                continue
            rows = data.get("data") or []
            labels = [m.label for m in chart.metrics] or list(chart.columns)
            valued = [r for r in rows if any(r.get(k) is not None for k in labels)]
            found.expect(bool(valued), f"{dashboard.slug}/{chart.key}: no data ({len(rows)} rows)")
            results[chart.key] = {"id": remote[chart.title], "rows": rows}
    found.figures["charts_with_data"] = sum(1 for r in results.values() if r["rows"])
    return results


def judge_dashboard(report: dict[str, Any], charts: tuple[Chart, ...], found: Findings) -> int:
    """Every chart on the page drew something, none failed, none is empty."""
    slug = report["slug"]
    seen = {c["title"]: c for c in report["charts"]}
    found.expect(
        set(seen) == {c.title for c in charts},
        f"{slug}: page shows {sorted(seen)}, YAML has {sorted(c.title for c in charts)}",
    )
    rendered = 0
    for chart in charts:
        state = seen.get(chart.title)
        if state is None:
            continue
        drew = bool(state["canvas"] or state["svgShapes"] or state["rows"])
        ok = found.expect(
            drew and not state["loading"] and not state["errors"] and not state["empty"],
            f"{slug}/{chart.key}: not rendered (canvas={state['canvas']} "
            f"svg={state['svgShapes']} rows={len(state['rows'])} loading={state['loading']} "
            f"errors={state['errors'][:2]} empty={state['empty']})",
        )
        rendered += ok
    return rendered


@contextmanager
def docs_server(home: State, port: int) -> Iterator[str]:
    """`dbt docs serve` of the check's target dir on 127.0.0.1 (what `pulse docs` serves)."""
    from pulse.dbt import dbt_env, dbt_executable

    if port_in_use(port):
        raise CheckError(f"port {HOST}:{port} is in use; pass --docs-port")
    cwd = home.engine_dir("local")
    cmd = [dbt_executable(), "docs", "serve", "--host", HOST, "--port", str(port)]
    cmd += ["--no-browser", "--target", "local", "--project-dir", str(PROJECT_DIR)]
    cmd += ["--target-path", str(cwd / "target"), "--log-path", str(cwd / "logs")]
    log = (cwd / "logs" / "docs-serve.log").open("ab")
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=dbt_env("local", home),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not port_in_use(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise CheckError(f"dbt docs serve did not start (see {log.name})")
            time.sleep(0.5)
        yield f"http://{HOST}:{port}"
    finally:
        if alive(proc.pid):
            signal_group(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        log.close()


def run_browser(superset: Superset, job: dict[str, Any]) -> dict[str, Any]:
    result = subprocess.run(
        [str(superset.venv / "bin" / "python"), "-P", str(SCRIPTS / "browser.py")],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if result.returncode != 0:
        raise CheckError(f"the browser run failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


# --- the whole check ------------------------------------------------------------------


def build_warehouse(home: State, days: int, scale: float, say: Callable[[str], None]) -> None:
    from pulse.generate import GenerateConfig, generate
    from pulse.load import load_path
    from pulse.pipeline import PipelineError, build, docs_generate

    try:
        say(f"warehouse: generating {days} days at scale {scale}, loading")
        generate(home.landing, GenerateConfig(seed=42, days=days, scale=scale))
        failed = [r for r in load_path(home.landing, None, lake=home.lake) if r.status == "failed"]
        if failed:
            raise CheckError(f"loading failed: {[str(r.path) for r in failed]}")
        say("warehouse: dbt build (seeds, models, tests)")
        report = build("local", home, full_refresh=False)
        if report.failures:
            raise CheckError(f"dbt build failed: {report.failures[:10]}")
        say("warehouse: dbt docs generate")
        docs_generate("local", home)
    except PipelineError as err:
        raise CheckError(str(err)) from err


def run_check(
    state: State,
    *,
    bi_port: int,
    docs_port: int,
    thrift_port: int,
    days: int,
    scale: float,
    build: bool,
    console: Console,
) -> Findings:
    t_start = time.monotonic()
    home = State(state.root / "check-bi")
    os.environ["PULSE_THRIFT_PORT"] = str(thrift_port)  # the dbt profile reads it
    assets = load_assets()
    found = Findings()
    server = Server(home, thrift_port)
    superset = Superset(home, bi_port)
    ran_server = server.pid() is None
    ran_superset = superset.pid() is None

    def say(message: str) -> None:
        console.print(f"[{time.monotonic() - t_start:5.0f}s] {message}")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        say("scripts/setup-bi.sh: .venv-bi, chromium and chromedriver")
        superset.ensure_venv(browser=True)
        say(f"Spark Thrift server on {HOST}:{thrift_port} (state {home.root})")
        server.start()
        target_dir = home.engine_dir("local") / "target"
        if build or not (target_dir / "index.html").exists():
            build_warehouse(home, days, scale, say)
        say("dbt manifest: lineage, exposures, descriptions")
        check_manifest(target_dir, found)
        say("datasets: declared columns against the real tables")
        check_tables(assets, thrift_port, found)

        password = secrets.token_urlsafe(16)
        superset.start(thrift_port, "admin", password, say)
        api = SupersetApi(superset.url)
        api.login("admin", password)
        say("Superset chart-data API: every chart")
        data = check_chart_data(api, assets, found)

        dau_rows = data.get(DAU_CHART, {}).get("rows") or []
        if not found.expect(bool(dau_rows), f"{DAU_CHART}: no rows from the chart-data API"):
            raise CheckError("\n".join(found.failures))
        day, api_dau = _as_day(dau_rows[0]["activity_date"]), int(dau_rows[0]["dau"])
        mart = mart_dau(thrift_port, "marts", day)  # the mart itself, not the view

        with docs_server(home, docs_port) as docs_url:
            say(f"headless Chromium: {len(assets.dashboards)} dashboards and the docs site")
            job = {
                "base_url": superset.url,
                "user": "admin",
                "password": password,
                "timeout": 300,
                "dashboards": [
                    {
                        "slug": d.slug,
                        "charts": len(d.charts),
                        "screenshot": str(SCREENSHOTS / f"{d.slug}.png"),
                    }
                    for d in assets.dashboards
                ],
                "docs": {
                    "url": docs_url,
                    "model": DOCS_MODEL,
                    "column": "stickiness_dau_mau_30d",
                    "description_snippet": "Active actors per product",
                    "model_screenshot": str(SCREENSHOTS / "docs-model.png"),
                    "graph_screenshot": str(SCREENSHOTS / "docs-lineage.png"),
                },
            }
            report = run_browser(superset, job)

        per_dashboard: dict[str, str] = {}
        page_dau: str | None = None
        by_slug = {d.slug: d for d in assets.dashboards}
        for board in report["dashboards"]:
            charts = by_slug[board["slug"]].charts
            rendered = judge_dashboard(board, charts, found)
            per_dashboard[board["slug"]] = f"{rendered}/{len(charts)} in {board['seconds']}s"
            dau_title = next((c.title for c in charts if c.key == DAU_CHART), None)
            for chart_state in board["charts"]:
                if dau_title and chart_state["title"] == dau_title:
                    for row in chart_state["rows"]:
                        if row and row[0].startswith(day):
                            page_dau = row[1].replace(",", "")
        found.expect(
            api_dau == mart and page_dau == str(mart),
            f"DAU on {day}: chart-data API {api_dau}, page {page_dau}, mart {mart}",
        )
        docs = report.get("docs") or {}
        model_page = docs.get("model_page", {})
        found.expect(
            all(model_page.values()) and bool(model_page), f"docs model page: {model_page}"
        )
        graph = docs.get("lineage_graph", {})
        found.expect(graph.get("drawn", 0) > 0, f"docs lineage graph not drawn: {graph}")
        found.figures |= {
            "dau": {"day": day, "api": api_dau, "page": page_dau, "mart": mart},
            "dashboards": per_dashboard,
            "docs": docs,
        }
    except (BiError, ServerError, ApiError) as err:
        found.failures.append(str(err))
    finally:
        say("stopping what the check started")
        if ran_superset:
            superset.stop()
        if ran_server:
            server.stop()
    found.figures["seconds"] = round(time.monotonic() - t_start)
    _print(found, console)
    if found.failures:
        raise CheckError(f"{len(found.failures)} failure(s):\n- " + "\n- ".join(found.failures))
    return found


def _print(found: Findings, console: Console) -> None:
    table = Table(title="check-bi")
    table.add_column("what")
    table.add_column("result")
    for slug, result in found.figures.get("dashboards", {}).items():
        table.add_row(f"dashboard {slug}", f"charts rendered {result}")
    if "charts_with_data" in found.figures:
        table.add_row("chart-data API", f"{found.figures['charts_with_data']} charts with rows")
    if "dau" in found.figures:
        d = found.figures["dau"]
        table.add_row(f"DAU {d['day']}", f"API {d['api']} = page {d['page']} = mart {d['mart']}")
    if "docs" in found.figures:
        table.add_row("docs site", json.dumps(found.figures["docs"]))
    table.add_row("exposures", str(found.figures.get("exposures")))
    table.add_row("undocumented objects", str(found.figures.get("undocumented")))
    table.add_row("screenshots", str(SCREENSHOTS.relative_to(PROJECT_DIR)))
    table.add_row("total", f"{found.figures.get('seconds')} s")
    console.print(table)
    for warning in found.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    print(json.dumps(found.figures, default=str), file=sys.stderr)
