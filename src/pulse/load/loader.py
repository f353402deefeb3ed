"""Load landed files into the raw lake: match, check, write, audit.

Per file: match a table by its glob patterns, checksum the bytes, consult the audit
(already loaded -> skip; changed -> error unless replacing), parse and validate in
memory, remove the leftovers of an unfinished earlier attempt, write the raw partitions
and the quarantine, and write the audit row last. A file that fails writes nothing.
"""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pulse.load.audit import AuditEntry, AuditIndex, audit_table
from pulse.load.contracts import Contracts, TableSpec, read_contracts
from pulse.load.errors import LoadError
from pulse.load.lake import Lake, Listing, file_stem, part_name, write_parquet
from pulse.load.progress import tracker
from pulse.load.readers import decompress, read_bytes
from pulse.load.validate import EVENT_TS, EXTRA, ROW, Validated, validate

LOADED = "loaded"
REPLACED = "replaced"
SKIPPED = "skipped"
FAILED = "failed"
ALREADY_LOADED = "already loaded"
_HIGH_CARDINALITY = ("id", "timestamp", "date")
_WRITERS = min(4, os.cpu_count() or 1)
_FILTER_PARTITIONS = 16  # above this, one sort beats a filter per partition
_PARSERS = os.cpu_count() or 1  # worker processes that parse and validate files


@dataclass
class FileResult:
    """What happened to one file."""

    path: Path
    source: str | None
    table: str | None
    status: str  # loaded | replaced | skipped | failed
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    seconds: float = 0.0
    message: str = ""

    @property
    def failed(self) -> bool:
        return self.status == FAILED


def default_project_dir() -> Path:
    """The dbt project whose source declarations are the contracts ($PULSE_PROJECT_DIR)."""
    if os.environ.get("PULSE_PROJECT_DIR"):
        return Path(os.environ["PULSE_PROJECT_DIR"])
    from pulse.settings import PROJECT_DIR

    return PROJECT_DIR


def default_lake() -> Path:
    from pulse.settings import State

    return State.from_env().lake


def utc_now() -> datetime:
    return datetime.now(UTC)


def load_path(
    path: Path,
    source: str | None = None,
    *,
    lake: Path | None = None,
    load_date: date | None = None,
    replace: bool = False,
    progress: bool = False,
    project_dir: Path | None = None,
) -> list[FileResult]:
    """Load a file, or every file under a directory, into the raw lake.

    `source` is a source name or `source.table` (None: any table of any source). Files
    that match no table are reported as skipped; a file that fails is reported as failed
    and the others go on. Raises LoadError for a missing path or an unknown source.
    """
    contracts = read_contracts(project_dir or default_project_dir())
    tables = contracts.select(source)
    files = discover(Path(path))
    loader = Loader(contracts, Lake(Path(lake) if lake else default_lake()))
    return loader.load_files(files, tables, load_date=load_date, replace=replace, progress=progress)


def discover(path: Path) -> list[Path]:
    """The file itself, or every file under the directory (hidden ones excepted), sorted."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise LoadError(f"{path}: no such file or directory")
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and not any(part.startswith((".", "_")) for part in p.relative_to(path).parts)
    )


class Loader:
    """Loads files into one lake; holds the audit index between batches."""

    def __init__(self, contracts: Contracts, lake: Lake) -> None:
        self.contracts = contracts
        self.lake = lake
        self.audit = AuditIndex(lake)
        self.listing = Listing(lake)

    def load_files(
        self,
        files: Sequence[Path],
        tables: Iterable[TableSpec],
        *,
        load_date: date | None = None,
        replace: bool = False,
        progress: bool = False,
    ) -> list[FileResult]:
        tables = tuple(tables)
        sizes = {f: _size(f) for f in files}
        results = []
        with self.lake.lock(), tracker(progress, sum(sizes.values())) as bar:
            self.audit.refresh()
            self.listing.refresh()
            day = load_date or utc_now().date()  # one load date per batch
            for file, parsed in self._parsed_ahead(files, tables):
                bar.file(file.name)
                results.append(
                    self.load_file(file, tables, load_date=day, replace=replace, parsed=parsed)
                )
                bar.advance(sizes[file])
        return results

    def _parsed_ahead(
        self, files: Sequence[Path], tables: Sequence[TableSpec]
    ) -> Iterator[tuple[Path, Future[Parsed] | None]]:
        """Each file in order, with its parse started ahead in a worker process.

        Parsing and validating is the CPU-bound part of a load, so worker processes do it
        for the next files while this process writes the current one; the lake and the
        audit are still written by this process alone, file by file, in order. Files the
        audit already holds are not parsed ahead (a re-run of a loaded batch stays cheap; a
        changed file being replaced is parsed in turn by `load_file`).
        """
        ahead = [
            (f, spec)
            for f in files
            if (spec := _only_match(f, tables)) and not self.audit.for_path(str(f.resolve()))
        ]
        if len(ahead) < 2 or _PARSERS < 2:
            yield from ((f, None) for f in files)
            return
        fork = multiprocessing.get_context("fork")
        window = 2 * _PARSERS  # parsed tables held in memory at most
        with ProcessPoolExecutor(max_workers=_PARSERS, mp_context=fork) as pool:
            queue = iter(ahead)
            started: dict[Path, Future[Parsed]] = {}  # submitted, not yet handed out

            def top_up() -> None:
                while len(started) < window:
                    nxt = next(queue, None)
                    if nxt is None:
                        return
                    try:
                        started[nxt[0]] = pool.submit(parse_file, *nxt)
                    except RuntimeError:  # a broken pool: the rest are parsed in turn
                        return

            top_up()
            for file in files:
                yield file, started.pop(file, None)
                top_up()

    def load_file(
        self,
        path: Path,
        tables: Sequence[TableSpec],
        *,
        load_date: date,
        replace: bool,
        parsed: Future[Parsed] | None = None,
    ) -> FileResult:
        """Load one file (the caller holds the lake lock and refreshed the audit).

        `parsed` is this file's parse, started ahead in a worker: the bytes the worker read
        are the ones checked against the audit and loaded, so the file is read once. With
        no parse ahead (or a worker that died or could not read it) the file is read and
        parsed here."""
        clock = time.monotonic()
        started_at = utc_now()
        matches = [t for t in tables if t.matches(path.name)]
        if not matches:
            return FileResult(path, None, None, SKIPPED, message="matches no declared table")
        spec = matches[0]

        def result(status: str, message: str = "", checked: Validated | None = None) -> FileResult:
            return FileResult(
                path,
                spec.source,
                spec.name,
                status,
                rows_read=checked.rows_read if checked else 0,
                rows_loaded=checked.good.num_rows if checked else 0,
                rows_rejected=checked.rejected.num_rows if checked else 0,
                seconds=time.monotonic() - clock,
                message=message,
            )

        if len(matches) > 1:
            names = ", ".join(t.qualified_name for t in matches)
            return result(FAILED, f"{path}: the name matches several tables ({names})")
        ahead = _finished(parsed)
        content = b""
        if ahead is None:
            try:
                content = path.read_bytes()
            except OSError as err:
                return result(FAILED, f"{path}: cannot read: {err.strerror or err}")
        checksum = ahead.checksum if ahead is not None else hashlib.sha256(content).hexdigest()
        part = part_name(path.name, checksum)
        source_file = str(path.resolve())
        previous = self.audit.for_path(source_file)
        if any(e.checksum == checksum for e in previous):
            return result(SKIPPED, ALREADY_LOADED)
        owner = self.audit.for_part(part)
        if owner is not None:
            return result(SKIPPED, f"same name and content as {owner.source_file}, already loaded")
        if previous and not replace:
            return result(FAILED, f"{path}: changed since it was loaded; use --replace")
        if ahead is None:
            ahead = parse_content(content, spec, path)
        if ahead.error is not None or ahead.checked is None:
            return result(FAILED, ahead.error or f"{path}: not parsed")
        checked = ahead.checked
        try:
            for entry in previous:
                self._remove(entry)
            self.listing.remove(
                self.listing.leftovers(
                    spec.source, spec.name, file_stem(path.name), self.audit.owns
                )
            )
            loaded_at = utc_now()
            self._write(spec, checked, part, source_file, load_date, loaded_at)
            status = REPLACED if previous else LOADED
            row = {
                "source_name": spec.source,
                "table_name": spec.name,
                "source_file": source_file,
                "file_name": path.name,
                "checksum": checksum,
                "rows_read": checked.rows_read,
                "rows_loaded": checked.good.num_rows,
                "rows_rejected": checked.rejected.num_rows,
                "status": status,
                "extra_columns": ",".join(checked.extra_columns) or None,
                "missing_columns": ",".join(checked.missing_columns) or None,
                "started_at": started_at,
                "_loaded_at": loaded_at,
            }
            audit_path = self.lake.audit_path(load_date, part)
            write_parquet(audit_table(self.contracts.audit_schema, row), audit_path)
            self.audit.add(audit_path, row)
        except OSError as err:
            self.listing.refresh()  # what the write left: leftovers for a later file of its stem
            return result(FAILED, f"{path}: cannot write to the lake: {err}")
        return result(status, _drift_note(checked), checked)

    def _remove(self, entry: AuditEntry) -> None:
        """Remove an earlier load of a file: data first, its audit row last."""
        self.listing.remove(
            self.listing.data_files(entry.source_name, entry.table_name, entry.part)
        )
        self.listing.remove([entry.file])
        self.audit.forget(entry.file)

    def _write(
        self,
        spec: TableSpec,
        checked: Validated,
        part: str,
        source_file: str,
        load_date: date,
        loaded_at: datetime,
    ) -> None:
        good = checked.good
        n = good.num_rows
        if n:
            columns = [good.column(c.name) for c in spec.columns]
            names = [c.name for c in spec.columns]
            table = pa.Table.from_arrays(
                [
                    *columns,
                    good.column(EVENT_TS),
                    pa.repeat(pa.scalar(source_file, pa.string()), n),
                    good.column(ROW),
                    _timestamps(loaded_at, n),
                    good.column(EXTRA),
                ],
                names=[*names, EVENT_TS, "_source_file", ROW, "_loaded_at", EXTRA],
            )
            dictionary = [c.name for c in spec.columns if c.type not in _HIGH_CARDINALITY]
            dictionary += ["_source_file", "_loaded_at", EXTRA]
            statistics = [EVENT_TS, ROW, "_loaded_at"]

            def write(event_date: date, rows: Callable[[], pa.Table]) -> None:
                target = self.lake.raw_path(spec.source, spec.name, load_date, event_date, part)
                write_parquet(rows(), target, dictionary=dictionary, statistics=statistics)

            with ThreadPoolExecutor(max_workers=_WRITERS) as pool:
                for future in [
                    pool.submit(write, *job) for job in _by_event_date(table, spec, load_date)
                ]:
                    future.result()
        rejected = checked.rejected
        if rejected.num_rows:
            m = rejected.num_rows
            values = {
                "source_name": pa.repeat(pa.scalar(spec.source, pa.string()), m),
                "table_name": pa.repeat(pa.scalar(spec.name, pa.string()), m),
                "source_file": pa.repeat(pa.scalar(source_file, pa.string()), m),
                "row_number": rejected.column("row_number"),
                "reason": rejected.column("reason"),
                "raw_text": rejected.column("raw_text"),
                "_loaded_at": _timestamps(loaded_at, m),
            }
            schema = self.contracts.quarantine_schema
            arrays = [
                values[f.name].cast(f.type) if f.name in values else pa.nulls(m, f.type)
                for f in schema
            ]
            write_parquet(
                pa.Table.from_arrays(arrays, schema=schema),
                self.lake.quarantine_path(load_date, part),
            )


@dataclass(frozen=True)
class Parsed:
    """A file read, parsed and validated: the rows (`checked`) or why not (`error`)."""

    checksum: str
    checked: Validated | None = None
    error: str | None = None


def parse_file(path: Path, spec: TableSpec) -> Parsed:
    """Read, parse and validate one file (run in a worker process by `load_files`)."""
    try:
        content = path.read_bytes()
    except OSError as err:
        return Parsed("", error=f"{path}: cannot read: {err.strerror or err}")
    return parse_content(content, spec, path)


def parse_content(content: bytes, spec: TableSpec, path: Path) -> Parsed:
    checksum = hashlib.sha256(content).hexdigest()
    try:
        raw = read_bytes(decompress(content, str(path)), str(path))
        return Parsed(checksum, validate(raw, spec, str(path), utc_now()))
    except LoadError as err:
        return Parsed(checksum, error=str(err))
    except Exception as err:  # a reader bug must not stop the other files
        return Parsed(checksum, error=f"{path}: cannot load: {type(err).__name__}: {err}")


def _finished(parsed: Future[Parsed] | None) -> Parsed | None:
    """The parse done ahead, if there is one that read the file."""
    if parsed is None:
        return None
    try:
        ahead = parsed.result()
    except Exception:  # the worker died (e.g. killed): the file is parsed in turn
        return None
    return ahead if ahead.checksum else None  # "": the worker could not read the file


def _only_match(path: Path, tables: Sequence[TableSpec]) -> TableSpec | None:
    matches = [t for t in tables if t.matches(path.name)]
    return matches[0] if len(matches) == 1 else None


def _by_event_date(
    table: pa.Table, spec: TableSpec, load_date: date
) -> list[tuple[date, Callable[[], pa.Table]]]:
    """The rows of each UTC date of `_event_ts` (snapshot tables: all on the load date).

    Each partition is cut lazily, in the writer threads: a slice when the file is in time
    order, else a filter (few days) or a take of that day's rows in sorted order.
    """
    if spec.event_time is None:
        return [(load_date, lambda: table)]
    days = pc.cast(table.column(EVENT_TS), pa.date32())
    values, sizes = _runs(days)
    if len(days) > 1 and not pc.all(pc.less_equal(days[:-1], days[1:])).as_py():
        if len(values) <= _FILTER_PARTITIONS:
            return [(day, partial(_rows_on, table, days, day)) for day in values]
        order = pc.sort_indices(days)  # stable: file order within a day
        combined = table.combine_chunks()
        values, sizes = _runs(days.take(order))
        starts = itertools.accumulate(sizes, initial=0)
        return [
            (day, partial(combined.take, order.slice(start, size)))
            for day, start, size in zip(values, starts, sizes, strict=False)
        ]
    starts = itertools.accumulate(sizes, initial=0)
    return [
        (day, partial(table.slice, start, size))
        for day, start, size in zip(values, starts, sizes, strict=False)
    ]


def _runs(days: pa.ChunkedArray) -> tuple[list[date], list[int]]:
    """Distinct days of a sorted array, with their counts, in order."""
    counts = pc.value_counts(days)
    return counts.field("values").to_pylist(), counts.field("counts").to_pylist()


def _rows_on(table: pa.Table, days: pa.ChunkedArray, day: date) -> pa.Table:
    return table.filter(pc.equal(days, pa.scalar(day, pa.date32())))


def _timestamps(value: datetime, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, pa.timestamp("us", tz="UTC")), n)


def _drift_note(checked: Validated) -> str:
    notes = []
    if checked.extra_columns:
        notes.append("extra columns: " + ", ".join(checked.extra_columns))
    if checked.missing_columns:
        notes.append("missing columns: " + ", ".join(checked.missing_columns))
    return "; ".join(notes)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
