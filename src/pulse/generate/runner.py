"""``generate``: run the sources day by day, inject quirks, write files and the manifest.

Sources are independent (own random streams, own files), so they run in parallel
worker processes (forked: the pure-Python parts of a day hold the GIL, so threads
gave about one core's worth). The manifest is assembled in a fixed order, so output
does not depend on the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pulse.generate import sources
from pulse.generate.config import GenerateConfig
from pulse.generate.csvtext import write_csv
from pulse.generate.late import LateRows, choose_late
from pulse.generate.manifest import FileRecord, Manifest
from pulse.generate.quirks import finish
from pulse.generate.rng import LATE, QUIRKS, stream
from pulse.generate.sources.base import Context, Source
from pulse.generate.table import Frame, TableSpec

Advance = Callable[[str], None]
Record = tuple[str, FileRecord]  # (TableSpec.key, what was written)


def generate(
    out_dir: Path,
    config: GenerateConfig | None = None,
    progress: bool = False,
    workers: int | None = None,
) -> dict[str, Any]:
    """Write every batch of ``config`` under ``out_dir`` and return the manifest.

    Layout: ``<out>/<source>/<table>/batch_date=YYYY-MM-DD/<file>`` plus
    ``<out>/manifest.json`` (also returned). Same config, same bytes, whatever
    ``workers`` (processes; default: one per CPU, at most 4; 1 runs in this process).
    """
    config = config or GenerateConfig()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    n_workers = workers or min(4, os.cpu_count() or 1)
    with _progress(progress, config) as advance:
        return _run(out_dir, config, advance, n_workers)


def _run(out_dir: Path, config: GenerateConfig, advance: Advance, workers: int) -> dict[str, Any]:
    ctx = Context(config, config.effective_volumes)
    active = sources.build(ctx)
    manifest = Manifest(config)
    for source in active:
        for spec in source.specs:
            manifest.add_table(spec)
    specs = {spec.key: spec for source in active for spec in source.specs}
    if workers <= 1 or len(active) <= 1:
        results = [_run_source(out_dir, ctx, source, advance) for source in active]
    else:
        # The canonical order starts with the biggest source, which keeps two workers even.
        fork = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=fork) as pool:
            futures = [pool.submit(_run_source_apart, out_dir, config, s.name) for s in active]
            results = []
            for source, future in zip(active, futures, strict=True):
                results.append(future.result())
                for _ in range(config.days):
                    advance(source.name)
    for records in results:
        for key, record in records:
            manifest.add_file(specs[key], record)
    return manifest.write(out_dir)


def _run_source_apart(out_dir: Path, config: GenerateConfig, name: str) -> list[Record]:
    """`_run_source` in a worker process: it rebuilds the (deterministic) sources."""
    ctx = Context(config, config.effective_volumes)
    (source,) = [s for s in sources.build(ctx) if s.name == name]
    return _run_source(out_dir, ctx, source, lambda _name: None)


def _run_source(out_dir: Path, ctx: Context, source: Source, advance: Advance) -> list[Record]:
    """All days of one source, in order (late rows carry over to later days)."""
    pending: dict[tuple[str, int], list[LateRows]] = defaultdict(list)
    records: list[Record] = []
    for day in range(ctx.config.days):
        frames = source.day(day)
        for spec in source.specs:
            if spec.table in frames:
                records.append(
                    (spec.key, _write_table(out_dir, ctx, spec, frames[spec.table], day, pending))
                )
        advance(source.name)
    return records


def _write_table(
    out_dir: Path,
    ctx: Context,
    spec: TableSpec,
    frame: Frame,
    day: int,
    pending: dict[tuple[str, int], list[LateRows]],
) -> FileRecord:
    config = ctx.config
    late_out: dict[int, NDArray[np.int64]] = {}
    if not spec.snapshot:
        late_rng = stream(config.seed, spec.table, day, LATE)
        late_out = choose_late(frame, late_rng, config.quirks, config.days - 1 - day)
    due = pending.pop((spec.key, day), [])
    rng = stream(config.seed, spec.table, day, QUIRKS)
    batch = finish(spec, frame, late_out, due, rng, config.quirks)
    for delay, rows in batch.late_out.items():
        pending[(spec.key, day + delay)].append(rows)
    batch_date = ctx.date(day)
    name = spec.file_name(batch_date, config.gzip)
    relative = f"{spec.source}/{spec.table}/batch_date={batch_date.isoformat()}/{name}"
    nbytes = write_csv(out_dir / relative, spec.header, batch.lines, config.gzip)
    return FileRecord.of(relative, batch_date, batch, nbytes)


@contextmanager
def _progress(show: bool, config: GenerateConfig) -> Iterator[Advance]:
    if not show:
        yield lambda _name: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    lock = threading.Lock()
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task("generating", total=config.days * len(config.sources))

        def advance(name: str) -> None:
            with lock:
                bar.update(task, advance=1, description=f"generating (last: {name})")

        yield advance
