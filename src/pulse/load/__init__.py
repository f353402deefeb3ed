"""`pulse load`: landed CSV / JSON-lines files -> partitioned parquet raw tables.

Schemas come from the dbt source declarations (models/staging/*/_*__sources.yml).
Bad rows go to `loader.load_quarantine` with a reason; every finished file gets a row in
`loader.load_audit` (rows read = loaded + rejected), which also makes loads idempotent.
"""

from __future__ import annotations

from pulse.load.contracts import ColumnSpec, Contracts, TableSpec, read_contracts
from pulse.load.errors import ContractError, LoadError
from pulse.load.loader import FileResult, load_path
from pulse.load.watch import watch

__all__ = [
    "ColumnSpec",
    "ContractError",
    "Contracts",
    "FileResult",
    "LoadError",
    "TableSpec",
    "load_path",
    "read_contracts",
    "watch",
]
