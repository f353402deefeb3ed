"""The load audit: which landed file (path, checksum) is in the lake, with its counts.

The audit row of a file is written last, after its raw and quarantine files, so a file
with an audit row is completely loaded and a file without one is not loaded at all
(its leftovers are removed before it is loaded again).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pulse.load.lake import Lake


@dataclass(frozen=True)
class AuditEntry:
    source_name: str
    table_name: str
    source_file: str
    checksum: str
    file: Path  # the audit parquet file holding this row

    @property
    def part(self) -> str:
        return self.file.name


class AuditIndex:
    """The audit rows in the lake, by landed path and by parquet file name."""

    def __init__(self, lake: Lake) -> None:
        self.lake = lake
        self._by_file: dict[Path, list[AuditEntry]] = {}

    def refresh(self) -> None:
        """Re-read the audit directory (only files not seen before are opened)."""
        files = set(self.lake.audit_files())
        for gone in set(self._by_file) - files:
            del self._by_file[gone]
        for path in sorted(files - set(self._by_file)):
            self._by_file[path] = _read_entries(path)

    def for_path(self, source_file: str) -> list[AuditEntry]:
        return [
            e for entries in self._by_file.values() for e in entries if e.source_file == source_file
        ]

    def for_part(self, part: str) -> AuditEntry | None:
        for path, entries in self._by_file.items():
            if path.name == part and entries:
                return entries[0]
        return None

    def add(self, path: Path, row: dict[str, Any]) -> None:
        self._by_file[path] = [_entry(row, path)]

    def forget(self, path: Path) -> None:
        self._by_file.pop(path, None)


def audit_table(schema: pa.Schema, row: dict[str, Any]) -> pa.Table:
    """One audit row with exactly the declared columns (unknown ones null)."""
    return pa.Table.from_pylist([{name: row.get(name) for name in schema.names}], schema=schema)


def _read_entries(path: Path) -> list[AuditEntry]:
    try:
        rows = pq.ParquetFile(path).read().to_pylist()
    except (OSError, pa.ArrowException):
        return []  # unreadable: as if that load had not finished
    return [_entry(row, path) for row in rows]


def _entry(row: dict[str, Any], path: Path) -> AuditEntry:
    return AuditEntry(
        source_name=str(row.get("source_name")),
        table_name=str(row.get("table_name")),
        source_file=str(row.get("source_file")),
        checksum=str(row.get("checksum")),
        file=path,
    )
