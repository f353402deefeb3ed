"""Where the loader's parquet files live, and how they are written and removed.

    <lake>/<source>/<table>/load_date=YYYY-MM-DD/event_date=YYYY-MM-DD/<stem>-<sha12>.parquet
    <lake>/loader/load_quarantine/load_date=YYYY-MM-DD/<stem>-<sha12>.parquet
    <lake>/loader/load_audit/load_date=YYYY-MM-DD/<stem>-<sha12>.parquet

One landed file gives one parquet file per partition, all with the same name, so every
trace of a load can be found (and removed) by that name. Files are written under a
hidden temporary name (Spark ignores names starting with `.`) and renamed into place.
"""

from __future__ import annotations

import fcntl
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pulse.load.contracts import AUDIT_TABLE, LOADER_SOURCE, QUARANTINE_TABLE

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_PART = re.compile(r"(?P<stem>.+)-[0-9a-f]{12}\.parquet")
_SUFFIXES = (".gz", ".csv", ".jsonl", ".ndjson", ".json", ".txt")


def file_stem(name: str) -> str:
    """`mobile_app_clickstream_34.csv.gz` -> `mobile_app_clickstream_34` (path-safe)."""
    stem = name
    for suffix in _SUFFIXES:
        if stem.lower().endswith(suffix) and len(stem) > len(suffix):
            stem = stem[: -len(suffix)]
    return _UNSAFE.sub("_", stem).lstrip("._-") or "file"


def part_name(file_name: str, checksum: str) -> str:
    """The name every parquet file of one load of one landed file gets."""
    return f"{file_stem(file_name)}-{checksum[:12]}.parquet"


@dataclass(frozen=True)
class Lake:
    root: Path

    def table_dir(self, source: str, table: str) -> Path:
        return self.root / source / table

    @property
    def quarantine_dir(self) -> Path:
        return self.table_dir(LOADER_SOURCE, QUARANTINE_TABLE)

    @property
    def audit_dir(self) -> Path:
        return self.table_dir(LOADER_SOURCE, AUDIT_TABLE)

    def raw_path(
        self, source: str, table: str, load_date: date, event_date: date, part: str
    ) -> Path:
        partition = f"load_date={load_date.isoformat()}/event_date={event_date.isoformat()}"
        return self.table_dir(source, table) / partition / part

    def quarantine_path(self, load_date: date, part: str) -> Path:
        return self.quarantine_dir / f"load_date={load_date.isoformat()}" / part

    def audit_path(self, load_date: date, part: str) -> Path:
        return self.audit_dir / f"load_date={load_date.isoformat()}" / part

    def audit_files(self) -> list[Path]:
        return sorted(self.audit_dir.glob("load_date=*/*.parquet"))

    @contextmanager
    def lock(self) -> Iterator[None]:
        """One loader at a time per lake (a `pulse load --watch` and a manual load)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".load.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


class Listing:
    """The lake's files that one landed file's load can leave: raw and quarantine files,
    and temporary files of the audit, by the stem of the landed file.

    Listed once per batch (`refresh`): the loader is the lake's only writer while it
    holds the lock, and what a batch writes is either owned by the batch's audit rows
    (never a leftover) or, when a write fails, listed again. `remove` keeps it current.
    Listing the lake for each file instead grew with the lake: 2.6k landed files of a
    year loaded at 7k rows/s.
    """

    def __init__(self, lake: Lake) -> None:
        self.lake = lake
        self._by_stem: dict[str, set[Path]] = {}

    def refresh(self) -> None:
        self._by_stem = {}
        root = self.lake.root
        for place in (
            root.glob("*/*/load_date=*/event_date=*/*"),
            self.lake.quarantine_dir.glob("load_date=*/*"),
            self.lake.audit_dir.glob("load_date=*/.*.tmp"),
        ):
            for path in place:
                if stem := _stem(_name(path)):
                    self._by_stem.setdefault(stem, set()).add(path)

    def remove(self, paths: list[Path]) -> None:
        """Delete files (see `remove_files`) and forget them."""
        remove_files(paths, self.lake.root)
        for path in paths:
            self._by_stem.get(_stem(_name(path)) or "", set()).discard(path)

    def data_files(self, source: str, table: str, part: str) -> list[Path]:
        """Raw and quarantine files (and temporary leftovers) named `part`, any partition."""
        return self._files(source, table, _stem(part) or "", lambda name, _: name == part)

    def leftovers(
        self, source: str, table: str, stem: str, owned: Callable[[str], bool]
    ) -> list[Path]:
        """What unfinished loads of `stem` left: files named `<stem>-<sha12>.parquet`, any
        checksum, that no audit row owns (`owned(name)`), and temporary files."""
        return self._files(
            source, table, stem, lambda name, temporary: temporary or not owned(name)
        )

    def _files(
        self, source: str, table: str, stem: str, wanted: Callable[[str, bool], bool]
    ) -> list[Path]:
        """Files of `stem` in a raw table and the quarantine (temporary ones of the audit
        too) for which `wanted(final name, is temporary)` holds."""
        lake = self.lake
        found = []
        for path in self._by_stem.get(stem, ()):
            temporary = _temporary(path)
            where = path.parent.parent
            if not (
                where.parent == lake.table_dir(source, table)
                or where == lake.quarantine_dir
                or (temporary and where == lake.audit_dir)
            ):
                continue
            if wanted(_name(path), temporary):
                found.append(path)
        return sorted(found)


def temporary_name(path: Path) -> Path:
    """`.<name>.<pid>.<thread>.tmp` beside `path`: hidden from Spark, unique per writer."""
    return path.parent / f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"


def _temporary(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(".tmp")


def _name(path: Path) -> str:
    """The final name of a file (of its temporary file: the name it will be renamed to)."""
    return _final_name(path.name) if _temporary(path) else path.name


def _stem(name: str) -> str | None:
    """`<stem>-<sha12>.parquet` -> `<stem>`; None for a name a load does not write."""
    match = _PART.fullmatch(name)
    return match["stem"] if match else None


def _final_name(temporary: str) -> str:
    return temporary[1:].split(".parquet.", 1)[0] + ".parquet"


def write_parquet(
    table: pa.Table,
    path: Path,
    *,
    dictionary: bool | list[str] = True,
    statistics: bool | list[str] = True,
) -> None:
    """Write atomically: a hidden temporary file in the same directory, then rename.

    `dictionary` / `statistics`: all columns, or the ones named (dictionary encoding and
    min/max statistics cost time and help little on high-cardinality text).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_name(path)
    try:
        pq.write_table(
            table,
            temporary,
            compression="snappy",
            use_dictionary=dictionary,
            write_statistics=statistics,
        )
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def remove_files(paths: list[Path], root: Path) -> None:
    """Delete files, then their partition directories left empty (up to `root`)."""
    for path in paths:
        path.unlink(missing_ok=True)
        parent = path.parent
        while parent != root and root in parent.parents:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
