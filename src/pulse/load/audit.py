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
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pulse.load.lake import Lake

_ENTRY_COLUMNS = ("source_name", "table_name", "source_file", "checksum")


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
        self._by_source: dict[str, list[AuditEntry]] = {}
        self._by_part: dict[str, set[Path]] = {}  # parquet file name -> audit files

    def refresh(self) -> None:
        """Re-read the audit directory (only files not seen before are opened)."""
        files = set(self.lake.audit_files())
        for gone in set(self._by_file) - files:
            self.forget(gone)
        for path, entries in _read_entries(sorted(files - set(self._by_file))).items():
            self._put(path, entries)

    def for_path(self, source_file: str) -> list[AuditEntry]:
        return list(self._by_source.get(source_file, []))

    def for_part(self, part: str) -> AuditEntry | None:
        """The load whose parquet files are named `part` (any load date)."""
        for path in sorted(self._by_part.get(part, ())):
            if self._by_file.get(path):
                return self._by_file[path][0]
        return None

    def owns(self, part: str) -> bool:
        """Whether an audited load's files are named `part` (`<stem>-<sha12>.parquet`)."""
        return self.for_part(part) is not None

    def add(self, path: Path, row: dict[str, Any]) -> None:
        self.forget(path)
        self._put(path, [_entry(row, path)])

    def forget(self, path: Path) -> None:
        for entry in self._by_file.pop(path, []):
            self._by_source[entry.source_file].remove(entry)
        self._by_part.get(path.name, set()).discard(path)

    def _put(self, path: Path, entries: list[AuditEntry]) -> None:
        self._by_file[path] = entries
        self._by_part.setdefault(path.name, set()).add(path)
        for entry in entries:
            self._by_source.setdefault(entry.source_file, []).append(entry)


def audit_table(schema: pa.Schema, row: dict[str, Any]) -> pa.Table:
    """One audit row with exactly the declared columns (unknown ones null)."""
    return pa.Table.from_pylist([{name: row.get(name) for name in schema.names}], schema=schema)


def _read_entries(paths: list[Path]) -> dict[Path, list[AuditEntry]]:
    """Audit rows of many small files, read by Arrow's threaded scanner."""
    entries: dict[Path, list[AuditEntry]] = {path: [] for path in paths}
    if not paths:
        return entries
    try:
        dataset = ds.dataset([str(p) for p in paths], format="parquet")
        for batch in dataset.scanner(columns=list(_ENTRY_COLUMNS)).scan_batches():
            path = Path(batch.fragment.path)
            entries[path] += [_entry(row, path) for row in batch.record_batch.to_pylist()]
    except (OSError, pa.ArrowException):
        for path in paths:  # one bad file: read them one by one, skip the unreadable
            try:
                rows = pq.ParquetFile(path).read(columns=list(_ENTRY_COLUMNS)).to_pylist()
            except (OSError, pa.ArrowException):
                rows = []  # unreadable: as if that load had not finished
            entries[path] = [_entry(row, path) for row in rows]
    return entries


def _entry(row: dict[str, Any], path: Path) -> AuditEntry:
    return AuditEntry(
        source_name=str(row.get("source_name")),
        table_name=str(row.get("table_name")),
        source_file=str(row.get("source_file")),
        checksum=str(row.get("checksum")),
        file=path,
    )
