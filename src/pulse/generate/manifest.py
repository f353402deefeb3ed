"""The run manifest: parameters, and per table and per file the rows and quirk counts.

Per file ``rows`` (data records, header excluded) = ``base_rows`` (the day's own rows)
+ ``late`` + ``duplicate`` + ``malformed``; the other kinds change rows in place or move
them. ``late_from`` counts the late rows by their event date.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pulse.generate.config import GenerateConfig
from pulse.generate.quirks import Batch
from pulse.generate.table import TableSpec

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class FileRecord:
    """What the manifest says about one written file."""

    path: str
    batch_date: date
    rows: int
    base_rows: int
    nbytes: int
    quirks: dict[str, int]
    late_from: dict[str, int]

    @classmethod
    def of(cls, path: str, batch_date: date, batch: Batch, nbytes: int) -> FileRecord:
        return cls(
            path,
            batch_date,
            len(batch.lines),
            batch.base_rows,
            nbytes,
            batch.quirks,
            batch.late_from,
        )


@dataclass
class Manifest:
    config: GenerateConfig
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_table(self, spec: TableSpec) -> None:
        self.tables[spec.key] = {
            "source": spec.source,
            "table": spec.table,
            "header": [c.header for c in spec.columns],
            "snapshot": spec.snapshot,
            "time_format": spec.time_format.value if spec.time_format else None,
            "rows": 0,
            "quirks": {},
            "files": [],
        }

    def add_file(self, spec: TableSpec, record: FileRecord) -> None:
        entry = self.tables[spec.key]
        entry["files"].append(
            {
                "path": record.path,
                "batch_date": record.batch_date.isoformat(),
                "rows": record.rows,
                "base_rows": record.base_rows,
                "bytes": record.nbytes,
                "quirks": record.quirks,
                "late_from": record.late_from,
            }
        )
        entry["rows"] += record.rows
        for kind, count in record.quirks.items():
            entry["quirks"][kind] = entry["quirks"].get(kind, 0) + count

    def to_dict(self) -> dict[str, Any]:
        total = sum(t["rows"] for t in self.tables.values())
        events = sum(t["rows"] for t in self.tables.values() if not t["snapshot"])
        days = self.config.days
        start = self.config.start_date
        return {
            "generator": "pulse.generate",
            "format_version": FORMAT_VERSION,
            "parameters": self.config.to_dict(),
            "batches": [date.fromordinal(start.toordinal() + d).isoformat() for d in range(days)],
            "total_rows": total,
            "total_events": events,
            "tables": self.tables,
        }

    def write(self, out_dir: Path) -> dict[str, Any]:
        data = self.to_dict()
        temporary = out_dir / f".{MANIFEST_NAME}.tmp"
        temporary.write_text(json.dumps(data, indent=2) + "\n")
        os.replace(temporary, out_dir / MANIFEST_NAME)
        return data
