"""Watch a landing directory and load new files batch by batch.

Each poll loads the files that appeared or changed since the last poll and whose
modification time is at least `settle` seconds old (so a file still being written is
left for a later poll). The audit makes this safe across crashes and restarts: a file
whose audit row exists is skipped, one without is (re)loaded from scratch.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from pulse.load.contracts import read_contracts
from pulse.load.lake import Lake
from pulse.load.loader import FileResult, Loader, default_lake, default_project_dir, discover


def watch(
    path: Path,
    source: str | None = None,
    *,
    interval: float = 5.0,
    max_batches: int | None = None,
    lake: Path | None = None,
    load_date: date | None = None,
    replace: bool = False,
    settle: float = 2.0,
    on_batch: Callable[[int, list[FileResult]], None] | None = None,
    project_dir: Path | None = None,
) -> list[FileResult]:
    """Poll `path` every `interval` seconds; stop after `max_batches` polls or Ctrl-C.

    Returns the results of every file handled (skipped-because-unmatched files once).
    `on_batch(batch_number, results)` is called after each poll that handled a file.
    """
    contracts = read_contracts(project_dir or default_project_dir())
    tables = contracts.select(source)
    loader = Loader(contracts, Lake(Path(lake) if lake else default_lake()))
    seen: dict[Path, tuple[int, int]] = {}
    results: list[FileResult] = []
    batch = 0
    try:
        while max_batches is None or batch < max_batches:
            batch += 1
            ready = _ready(Path(path), seen, settle)
            if ready:
                done = loader.load_files(
                    [p for p, _ in ready], tables, load_date=load_date, replace=replace
                )
                seen.update(ready)
                results.extend(done)
                if on_batch is not None:
                    on_batch(batch, done)
            if max_batches is None or batch < max_batches:
                time.sleep(interval)
    except KeyboardInterrupt:
        pass
    return results


def _ready(
    path: Path, seen: dict[Path, tuple[int, int]], settle: float
) -> list[tuple[Path, tuple[int, int]]]:
    """New or changed files that have not been modified for `settle` seconds."""
    if not path.exists():
        return []
    now = time.time()
    ready = []
    for file in discover(path):
        try:
            stat = file.stat()
        except OSError:
            continue  # removed meanwhile
        signature = (stat.st_size, stat.st_mtime_ns)
        if seen.get(file) != signature and now - stat.st_mtime >= settle:
            ready.append((file, signature))
    return ready
