"""The raw tables' schema, read from the dbt source declarations.

`models/staging/<source>/_<source>__sources.yml` is the one place a raw table's columns
are declared. Every table with `meta.loader` is a table the loader fills; the `loader`
source declares the loader's own tables (`load_quarantine`, `load_audit`).
"""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml  # type: ignore[import-untyped]

from pulse.load.errors import ContractError

COLUMN_TYPES = ("id", "string", "timestamp", "date", "int", "decimal", "bool")
TIME_TYPES = ("timestamp", "date")
NUMERIC_TYPES = ("int", "decimal")
LOADER_SOURCE = "loader"
QUARANTINE_TABLE = "load_quarantine"
AUDIT_TABLE = "load_audit"
PARTITION_COLUMNS = ("load_date", "event_date")

UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "bigint": pa.int64(),
    "int": pa.int32(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "timestamp": UTC_TIMESTAMP,
    "date": pa.date32(),
}


@dataclass(frozen=True)
class ColumnSpec:
    """One declared column of a raw table."""

    name: str
    source_column: str
    type: str
    required: bool
    formats: tuple[str, ...]
    minimum: float | None = None  # meta.min: int/decimal values below it are quarantined


@dataclass(frozen=True)
class TableSpec:
    """A raw table the loader fills: where its files come from and what they hold."""

    source: str
    name: str
    files: tuple[str, ...]
    event_time: str | None
    columns: tuple[ColumnSpec, ...]

    @property
    def qualified_name(self) -> str:
        return f"{self.source}.{self.name}"

    def matches(self, file_name: str) -> bool:
        return any(fnmatch.fnmatchcase(file_name, pattern) for pattern in self.files)

    def column(self, name: str) -> ColumnSpec:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


@dataclass(frozen=True)
class Contracts:
    """Every loader table, plus the schemas of the quarantine and audit tables."""

    tables: tuple[TableSpec, ...]
    quarantine_schema: pa.Schema
    audit_schema: pa.Schema

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.source for t in self.tables))

    def select(self, source: str | None) -> tuple[TableSpec, ...]:
        """Tables of `source` (`name` or `name.table`); all tables when None."""
        if source is None:
            return self.tables
        source_name, _, table_name = source.partition(".")
        chosen = tuple(
            t
            for t in self.tables
            if t.source == source_name and (not table_name or t.name == table_name)
        )
        if not chosen:
            known = ", ".join([*self.sources, *(t.qualified_name for t in self.tables)])
            raise ContractError(f"unknown source {source!r}; known: {known}")
        return chosen


def read_contracts(project_dir: Path) -> Contracts:
    """Parse every `models/staging/*/_*__sources.yml` of the dbt project (parsed once per
    process while the files are unchanged: a load of many small files asks each time)."""
    paths = sorted((project_dir / "models" / "staging").glob("*/_*__sources.yml"))
    if not paths:
        raise ContractError(f"no source declarations under {project_dir / 'models/staging'}")
    try:
        stats = [(path, path.stat()) for path in paths]
    except OSError as err:
        raise ContractError(f"cannot read the source declarations: {err}") from err
    stamps = tuple((path, st.st_mtime_ns, st.st_size) for path, st in stats)
    return _parse_contracts(stamps)


@functools.lru_cache(maxsize=8)
def _parse_contracts(stamps: tuple[tuple[Path, int, int], ...]) -> Contracts:
    paths = [path for path, _, _ in stamps]
    tables: list[TableSpec] = []
    loader_tables: dict[str, pa.Schema] = {}
    for path in paths:
        try:
            document = yaml.load(path.read_text(), Loader=_YAML_LOADER) or {}
        except (OSError, yaml.YAMLError) as err:
            raise ContractError(f"{path}: cannot read: {err}") from err
        for source in document.get("sources") or []:
            for table in source.get("tables") or []:
                where = f"{path}: {source.get('name')}.{table.get('name')}"
                if source.get("name") == LOADER_SOURCE:
                    loader_tables[table["name"]] = _loader_schema(table, where)
                elif (table.get("meta") or {}).get("loader") is not None:
                    tables.append(_table_spec(source["name"], table, where))
    missing = {QUARANTINE_TABLE, AUDIT_TABLE} - loader_tables.keys()
    if missing:
        raise ContractError(
            f"the {LOADER_SOURCE!r} source must declare {', '.join(sorted(missing))}"
        )
    return Contracts(tuple(tables), loader_tables[QUARANTINE_TABLE], loader_tables[AUDIT_TABLE])


def _table_spec(source: str, table: dict[str, Any], where: str) -> TableSpec:
    loader = table["meta"]["loader"] or {}
    files = loader.get("files") or []
    if isinstance(files, str):
        files = [files]
    if not files:
        raise ContractError(f"{where}: meta.loader.files is empty")
    columns = tuple(_column_spec(c, where) for c in table.get("columns") or [])
    if not columns:
        raise ContractError(f"{where}: no columns declared")
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise ContractError(f"{where}: a column is declared twice")
    event_time = loader.get("event_time")
    if event_time is not None:
        by_name = {c.name: c for c in columns}
        if event_time not in by_name:
            raise ContractError(f"{where}: event_time {event_time!r} is not a declared column")
        if by_name[event_time].type not in TIME_TYPES:
            raise ContractError(f"{where}: event_time {event_time!r} must be a timestamp or date")
    return TableSpec(source, table["name"], tuple(files), event_time, columns)


def _column_spec(column: dict[str, Any], where: str) -> ColumnSpec:
    name = column.get("name")
    if not name:
        raise ContractError(f"{where}: a column has no name")
    meta = column.get("meta") or {}
    kind = meta.get("type", "string")
    if kind not in COLUMN_TYPES:
        raise ContractError(f"{where}.{name}: meta.type {kind!r} is not one of {COLUMN_TYPES}")
    formats = meta.get("formats") or []
    if isinstance(formats, str):
        formats = [formats]
    if kind in TIME_TYPES and not formats:
        raise ContractError(f"{where}.{name}: a {kind} column needs meta.formats")
    minimum = meta.get("min")
    if minimum is not None and (
        kind not in NUMERIC_TYPES
        or isinstance(minimum, bool)
        or not isinstance(minimum, int | float)
    ):
        raise ContractError(
            f"{where}.{name}: meta.min must be a number on an int or decimal column"
        )
    return ColumnSpec(
        name=name,
        source_column=str(meta.get("source_column") or name),
        type=kind,
        required=bool(meta.get("required", False)),
        formats=tuple(formats),
        minimum=None if minimum is None else float(minimum),
    )


def _loader_schema(table: dict[str, Any], where: str) -> pa.Schema:
    fields = []
    for column in table.get("columns") or []:
        if column["name"] in PARTITION_COLUMNS:
            continue  # partitions live in the directory names, not in the files
        data_type = str(column.get("data_type") or "string").lower()
        if data_type not in _ARROW_TYPES:
            raise ContractError(f"{where}.{column['name']}: unsupported data_type {data_type!r}")
        fields.append(pa.field(column["name"], _ARROW_TYPES[data_type]))
    return pa.schema(fields)
