"""Superset datasets, charts and dashboards kept as compact YAML in bi/superset/.

The files in the repository say what a person would configure in Superset's UI (a
dataset's table and columns, a chart's kind, metrics, grouping and filter, a dashboard's
charts in order). `build_bundle` turns them into Superset's own import format (an
"assets" bundle: metadata, database, datasets, charts with their saved query context,
dashboards with their layout), with stable uuids derived from the names, so importing
the same files again updates the same objects.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from pulse.settings import PROJECT_DIR

ASSETS_DIR = PROJECT_DIR / "bi" / "superset"
NAMESPACE = uuid.UUID("6f1c2f3e-3c39-4b8e-9d0e-70756c736562")
BUNDLE_ROOT = "pulse_assets"
KINDS = ("line", "bar", "table", "pie", "heatmap", "big_number")
VIZ = {
    "line": "echarts_timeseries_line",
    "bar": "echarts_timeseries_bar",
    "table": "table",
    "pie": "pie",
    "heatmap": "heatmap_v2",
    "big_number": "big_number_total",
}
TEMPORAL_TYPES = ("DATE", "TIMESTAMP")


class AssetError(ValueError):
    """The YAML in bi/superset/ is inconsistent; the message says where."""


def stable_uuid(kind: str, name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{name}"))


@dataclass(frozen=True)
class Metric:
    label: str
    sql: str

    def adhoc(self) -> dict[str, Any]:
        slug = re.sub(r"[^a-z0-9]+", "_", self.label.lower()).strip("_")
        return {
            "expressionType": "SQL",
            "sqlExpression": self.sql,
            "label": self.label,
            "hasCustomLabel": True,
            "optionName": f"metric_{slug}",
        }


@dataclass(frozen=True)
class Dataset:
    table: str
    schema: str
    columns: dict[str, str]
    main_dttm_col: str | None = None
    description: str = ""
    # Date columns shown as labels (e.g. a heat map's rows), not as a time axis.
    label_columns: tuple[str, ...] = ()

    def is_temporal(self, column: str) -> bool:
        return self.columns[column].startswith(TEMPORAL_TYPES) and column not in self.label_columns

    @property
    def uuid(self) -> str:
        return stable_uuid("dataset", f"{self.schema}.{self.table}")


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    kind: str
    dataset: str
    metrics: tuple[Metric, ...] = ()
    x: str | None = None
    y: str | None = None
    groupby: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    where: str | None = None
    order_by: tuple[tuple[str, bool], ...] = ()
    time_grain: str | None = None
    row_limit: int = 1000
    width: int = 6
    height: int = 50
    horizontal: bool = False
    stacked: bool = False
    description: str = ""

    @property
    def uuid(self) -> str:
        return stable_uuid("chart", self.key)

    def referenced_columns(self) -> set[str]:
        cols = {*self.groupby, *self.columns, *(c for c, _ in self.order_by)}
        cols |= {c for c in (self.x, self.y) if c}
        return cols


@dataclass(frozen=True)
class Dashboard:
    slug: str
    title: str
    exposure: str
    charts: tuple[Chart, ...]
    description: str = ""

    @property
    def uuid(self) -> str:
        return stable_uuid("dashboard", self.slug)


@dataclass(frozen=True)
class Assets:
    database_name: str
    schema: str
    datasets: dict[str, Dataset]
    dashboards: tuple[Dashboard, ...] = field(default_factory=tuple)

    @property
    def database_uuid(self) -> str:
        return stable_uuid("database", self.database_name)

    def charts(self) -> list[Chart]:
        return [c for d in self.dashboards for c in d.charts]


def _metric(raw: Any, where: str) -> Metric:
    if not isinstance(raw, dict) or set(raw) != {"label", "sql"}:
        raise AssetError(f"{where}: a metric is {{label, sql}}, got {raw!r}")
    return Metric(str(raw["label"]), str(raw["sql"]))


def _chart(raw: dict[str, Any], where: str) -> Chart:
    known = set(Chart.__dataclass_fields__) | {"metric"}
    unknown = set(raw) - known
    if unknown:
        raise AssetError(f"{where}: unknown keys {sorted(unknown)}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise AssetError(f"{where}: kind must be one of {KINDS}, got {kind!r}")
    metrics = [_metric(m, where) for m in raw.get("metrics", [])]
    if "metric" in raw:
        metrics.insert(0, _metric(raw["metric"], where))
    order_by = tuple(
        (str(item[0]), bool(item[1]) if len(item) > 1 else True)
        for item in (o if isinstance(o, list) else [o] for o in raw.get("order_by", []))
    )
    chart = Chart(
        key=str(raw["key"]),
        title=str(raw["title"]),
        kind=kind,
        dataset=str(raw["dataset"]),
        metrics=tuple(metrics),
        x=raw.get("x"),
        y=raw.get("y"),
        groupby=tuple(raw.get("groupby", [])),
        columns=tuple(raw.get("columns", [])),
        where=raw.get("where"),
        order_by=order_by,
        time_grain=raw.get("time_grain"),
        row_limit=int(raw.get("row_limit", 1000)),
        width=int(raw.get("width", 6)),
        height=int(raw.get("height", 50)),
        horizontal=bool(raw.get("horizontal", False)),
        stacked=bool(raw.get("stacked", False)),
        description=str(raw.get("description", "")),
    )
    _check_chart_shape(chart, where)
    return chart


def _check_chart_shape(chart: Chart, where: str) -> None:
    needs_metric = chart.kind != "table" or not chart.columns
    if needs_metric and not chart.metrics:
        raise AssetError(f"{where}: a {chart.kind} chart needs metrics")
    if chart.kind in ("line", "bar", "heatmap") and not chart.x:
        raise AssetError(f"{where}: a {chart.kind} chart needs x")
    if chart.kind == "heatmap" and not chart.y:
        raise AssetError(f"{where}: a heatmap needs y")
    if chart.kind == "pie" and not chart.groupby:
        raise AssetError(f"{where}: a pie needs groupby")
    if chart.kind == "table" and chart.columns and chart.metrics:
        raise AssetError(f"{where}: a table has either columns (raw) or metrics (aggregate)")
    if not 1 <= chart.width <= 12:
        raise AssetError(f"{where}: width must be 1..12")


def load_assets(root: Path = ASSETS_DIR) -> Assets:
    """Read datasets.yaml and dashboards/*.yaml, and check they agree with each other."""
    raw = yaml.safe_load((root / "datasets.yaml").read_text())
    schema = str(raw["schema"])
    datasets: dict[str, Dataset] = {}
    for table, spec in raw["datasets"].items():
        columns = {str(k): str(v).upper() for k, v in spec["columns"].items()}
        labels = tuple(spec.get("label_columns", []))
        if set(labels) - set(columns):
            raise AssetError(f"dataset {table}: label_columns {labels} are not all columns")
        dttm = spec.get("main_dttm_col")
        if dttm is not None and dttm not in columns:
            raise AssetError(f"dataset {table}: main_dttm_col {dttm} is not a column")
        datasets[table] = Dataset(
            table=table,
            schema=schema,
            columns=columns,
            main_dttm_col=dttm,
            description=str(spec.get("description", "")).strip(),
            label_columns=labels,
        )
    dashboards = []
    for path in sorted((root / "dashboards").glob("*.yaml")):
        spec = yaml.safe_load(path.read_text())
        charts = tuple(
            _chart(c, f"{path.name} chart {i + 1}") for i, c in enumerate(spec["charts"])
        )
        dashboards.append(
            Dashboard(
                slug=str(spec["slug"]),
                title=str(spec["title"]),
                exposure=str(spec["exposure"]),
                charts=charts,
                description=str(spec.get("description", "")).strip(),
            )
        )
    assets = Assets(str(raw["database_name"]), schema, datasets, tuple(dashboards))
    validate(assets)
    return assets


def validate(assets: Assets) -> None:
    keys: set[str] = set()
    slugs: set[str] = set()
    for dashboard in assets.dashboards:
        if dashboard.slug in slugs:
            raise AssetError(f"duplicate dashboard slug {dashboard.slug}")
        slugs.add(dashboard.slug)
        for chart in dashboard.charts:
            if chart.key in keys:
                raise AssetError(f"duplicate chart key {chart.key}")
            keys.add(chart.key)
            dataset = assets.datasets.get(chart.dataset)
            if dataset is None:
                raise AssetError(f"chart {chart.key}: undeclared dataset {chart.dataset}")
            missing = chart.referenced_columns() - set(dataset.columns)
            if missing:
                raise AssetError(
                    f"chart {chart.key}: columns {sorted(missing)} not declared in {chart.dataset}"
                )


# --- Superset's import format -------------------------------------------------------


def _column_yaml(name: str, sql_type: str, is_dttm: bool) -> dict[str, Any]:
    return {
        "column_name": name,
        "verbose_name": None,
        "is_dttm": is_dttm,
        "is_active": True,
        "type": sql_type,
        "advanced_data_type": None,
        "groupby": True,
        "filterable": True,
        "expression": None,
        "description": None,
        "python_date_format": None,
        "extra": None,
    }


def dataset_yaml(dataset: Dataset, database_uuid: str) -> dict[str, Any]:
    return {
        "table_name": dataset.table,
        "main_dttm_col": dataset.main_dttm_col,
        "description": dataset.description or None,
        "default_endpoint": None,
        "offset": 0,
        "cache_timeout": None,
        "catalog": None,
        "schema": dataset.schema,
        "sql": None,
        "params": None,
        "template_params": None,
        "filter_select_enabled": True,
        "fetch_values_predicate": None,
        "extra": None,
        "normalize_columns": False,
        "always_filter_main_dttm": False,
        "folders": None,
        "uuid": dataset.uuid,
        "metrics": [
            {
                "metric_name": "count",
                "verbose_name": "COUNT(*)",
                "metric_type": "count",
                "expression": "COUNT(*)",
                "description": None,
                "d3format": None,
                "currency": None,
                "extra": None,
                "warning_text": None,
            }
        ],
        "columns": [_column_yaml(n, t, dataset.is_temporal(n)) for n, t in dataset.columns.items()],
        "version": "1.0.0",
        "database_uuid": database_uuid,
    }


def _axis_column(chart: Chart, dataset: Dataset) -> dict[str, Any] | str:
    """The x axis as Superset's frontend sends it (a base axis, with a grain if temporal)."""
    assert chart.x is not None
    if not dataset.is_temporal(chart.x):
        return chart.x
    return {
        "timeGrain": chart.time_grain or "P1D",
        "columnType": "BASE_AXIS",
        "sqlExpression": chart.x,
        "label": chart.x,
        "expressionType": "SQL",
    }


def chart_params(chart: Chart, dataset: Dataset) -> dict[str, Any]:
    """The chart's form data (what the explore view edits)."""
    metrics = [m.adhoc() for m in chart.metrics]
    params: dict[str, Any] = {
        "viz_type": VIZ[chart.kind],
        "datasource": f"__{dataset.uuid}",
        "adhoc_filters": (
            [
                {
                    "expressionType": "SQL",
                    "sqlExpression": chart.where,
                    "clause": "WHERE",
                    "filterOptionName": f"filter_{chart.key}",
                }
            ]
            if chart.where
            else []
        ),
        "row_limit": chart.row_limit,
        "time_range": "No filter",
        "color_scheme": "supersetColors",
        "extra_form_data": {},
        "dashboards": [],
    }
    if chart.kind in ("line", "bar"):
        temporal = dataset.is_temporal(chart.x or "")
        params |= {
            "x_axis": chart.x,
            "time_grain_sqla": (chart.time_grain or "P1D") if temporal else None,
            "metrics": metrics,
            "groupby": list(chart.groupby),
            "order_desc": True,
            "show_legend": True,
            "legendType": "scroll",
            "legendOrientation": "top",
            "rich_tooltip": True,
            "x_axis_time_format": "%Y-%m-%d",
            "y_axis_format": "SMART_NUMBER",
            "truncate_metric": True,
            "show_value": chart.kind == "bar" and not chart.groupby,
            "zoomable": False,
        }
        if chart.kind == "bar":
            params |= {
                "orientation": "horizontal" if chart.horizontal else "vertical",
                "stack": "Stack" if chart.stacked else None,
            }
            if not temporal:
                params |= {"x_axis_sort": metrics[0]["label"], "x_axis_sort_asc": False}
        else:
            params |= {"seriesType": "line", "markerEnabled": True, "markerSize": 6}
    elif chart.kind == "table":
        if chart.columns:
            params |= {
                "query_mode": "raw",
                "all_columns": list(chart.columns),
                "order_by_cols": [json.dumps([c, asc]) for c, asc in chart.order_by],
            }
        else:
            params |= {
                "query_mode": "aggregate",
                "groupby": list(chart.groupby),
                "metrics": metrics,
                "order_desc": True,
                "timeseries_limit_metric": metrics[0],
            }
        params |= {
            "server_page_length": 10,
            "table_timestamp_format": "%Y-%m-%d",
            "show_cell_bars": True,
            "color_pn": True,
            "percent_metrics": [],
            "include_search": False,
        }
    elif chart.kind == "pie":
        params |= {
            "groupby": list(chart.groupby),
            "metric": metrics[0],
            "sort_by_metric": True,
            "show_labels": True,
            "show_legend": True,
            "label_type": "key_percent",
            "number_format": "SMART_NUMBER",
            "innerRadius": 30,
            "outerRadius": 70,
            "donut": True,
        }
    elif chart.kind == "heatmap":
        params |= {
            "x_axis": chart.x,
            "groupby": chart.y,
            "metric": metrics[0],
            "linear_color_scheme": "superset_seq_1",
            "normalize_across": "heatmap",
            "legend_type": "continuous",
            "show_legend": True,
            "show_values": True,
            "show_percentage": False,
            "sort_x_axis": "alpha_asc",
            "sort_y_axis": "alpha_asc",
            "xscale_interval": -1,
            "yscale_interval": -1,
            "y_axis_format": ".0%",
            "x_axis_time_format": "%Y-%m-%d",
            "time_grain_sqla": None,
        }
    else:  # big_number
        params |= {
            "metric": metrics[0],
            "header_font_size": 0.4,
            "subheader_font_size": 0.15,
            "y_axis_format": "SMART_NUMBER",
        }
    return params


def query_object(chart: Chart, dataset: Dataset) -> dict[str, Any]:
    """The query the chart runs, as Superset's chart-data API takes it."""
    metrics = [m.adhoc() for m in chart.metrics]
    columns: list[Any]
    orderby: list[list[Any]] = []
    if chart.kind in ("line", "bar"):
        columns = [_axis_column(chart, dataset), *chart.groupby]
        orderby = [[metrics[0], False]]
    elif chart.kind == "table" and chart.columns:
        columns = list(chart.columns)
        orderby = [[c, asc] for c, asc in chart.order_by]
    elif chart.kind in ("table", "pie"):
        columns = list(chart.groupby)
        orderby = [[metrics[0], False]]
    elif chart.kind == "heatmap":
        columns = [chart.x, chart.y]
    else:
        columns = []
    return {
        "filters": [],
        "extras": {"having": "", "where": f"({chart.where})" if chart.where else ""},
        "applied_time_extras": {},
        "columns": columns,
        # None (not []) makes a raw query: no GROUP BY over the listed columns.
        "metrics": None if chart.kind == "table" and chart.columns else metrics,
        "orderby": orderby,
        "annotation_layers": [],
        "row_limit": chart.row_limit,
        "series_limit": 0,
        "order_desc": True,
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
        "time_range": "No filter",
    }


def chart_yaml(chart: Chart, dataset: Dataset) -> dict[str, Any]:
    params = chart_params(chart, dataset)
    query_context = {
        "datasource": {"id": 0, "type": "table"},
        "force": False,
        "queries": [query_object(chart, dataset)],
        "form_data": params,
        "result_format": "json",
        "result_type": "full",
    }
    return {
        "slice_name": chart.title,
        "description": chart.description or None,
        "certified_by": None,
        "certification_details": None,
        "viz_type": VIZ[chart.kind],
        "params": params,
        "query_context": json.dumps(query_context),
        "cache_timeout": None,
        "uuid": chart.uuid,
        "version": "1.0.0",
        "dataset_uuid": dataset.uuid,
    }


def dashboard_position(dashboard: Dashboard) -> dict[str, Any]:
    """Header, then rows of charts filled left to right up to Superset's 12 columns."""
    position: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
        "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": dashboard.title}},
    }
    rows: list[list[Chart]] = []
    for chart in dashboard.charts:
        if not rows or sum(c.width for c in rows[-1]) + chart.width > 12:
            rows.append([])
        rows[-1].append(chart)
    for i, row in enumerate(rows):
        row_id = f"ROW-{dashboard.slug}-{i}"
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {
            "type": "ROW",
            "id": row_id,
            "children": [],
            "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
        }
        for chart in row:
            chart_id = f"CHART-{chart.key}"
            position[row_id]["children"].append(chart_id)
            position[chart_id] = {
                "type": "CHART",
                "id": chart_id,
                "children": [],
                "parents": ["ROOT_ID", "GRID_ID", row_id],
                "meta": {
                    "width": chart.width,
                    "height": chart.height,
                    "chartId": 0,
                    "uuid": chart.uuid,
                    "sliceName": chart.title,
                },
            }
    return position


def dashboard_yaml(dashboard: Dashboard) -> dict[str, Any]:
    return {
        "dashboard_title": dashboard.title,
        "description": dashboard.description or None,
        "css": "",
        "slug": dashboard.slug,
        "certified_by": "",
        "certification_details": "",
        "published": True,
        "uuid": dashboard.uuid,
        "position": dashboard_position(dashboard),
        "metadata": {
            "color_scheme": "supersetColors",
            "refresh_frequency": 0,
            "expanded_slices": {},
            "label_colors": {},
            "shared_label_colors": [],
            "color_scheme_domain": [],
            "timed_refresh_immune_slices": [],
            "cross_filters_enabled": False,
            "native_filter_configuration": [],
            "chart_configuration": {},
            "global_chart_configuration": {},
        },
        "version": "1.0.0",
    }


def database_uri(schema: str, port: int, host: str = "127.0.0.1") -> str:
    """The Thrift server as PyHive's hive:// dialect names it (no password: auth NONE)."""
    return f"hive://pulse@{host}:{port}/{schema}"


def database_yaml(assets: Assets, port: int) -> dict[str, Any]:
    return {
        "database_name": assets.database_name,
        "sqlalchemy_uri": database_uri(assets.schema, port),
        "cache_timeout": None,
        "expose_in_sqllab": True,
        "allow_run_async": False,
        "allow_ctas": False,
        "allow_cvas": False,
        "allow_dml": False,
        "allow_file_upload": False,
        "extra": {"allows_virtual_table_explore": True, "engine_params": {}},
        "uuid": assets.database_uuid,
        "version": "1.0.0",
    }


def build_bundle(assets: Assets, thrift_port: int) -> dict[str, str]:
    """Every file of the import bundle, path -> YAML text."""
    dump = lambda obj: yaml.safe_dump(obj, sort_keys=False, allow_unicode=True)  # noqa: E731
    files = {
        "metadata.yaml": dump(
            {"version": "1.0.0", "type": "assets", "timestamp": "2026-01-01T00:00:00+00:00"}
        ),
        f"databases/{assets.database_name}.yaml": dump(database_yaml(assets, thrift_port)),
    }
    for dataset in assets.datasets.values():
        files[f"datasets/{assets.database_name}/{dataset.table}.yaml"] = dump(
            dataset_yaml(dataset, assets.database_uuid)
        )
    for dashboard in assets.dashboards:
        for chart in dashboard.charts:
            files[f"charts/{chart.key}.yaml"] = dump(
                chart_yaml(chart, assets.datasets[chart.dataset])
            )
        files[f"dashboards/{dashboard.slug}.yaml"] = dump(dashboard_yaml(dashboard))
    return {f"{BUNDLE_ROOT}/{path}": text for path, text in files.items()}


def write_bundle(assets: Assets, thrift_port: int, path: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in build_bundle(assets, thrift_port).items():
            zf.writestr(name, text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return path
