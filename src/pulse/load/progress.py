"""A progress bar over the bytes of the files being loaded (or nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class Tracker(Protocol):
    def file(self, name: str) -> None: ...

    def advance(self, size: int) -> None: ...


class _Silent:
    def file(self, name: str) -> None:
        pass

    def advance(self, size: int) -> None:
        pass


class _Bar:
    def __init__(self, progress: Progress, total: int) -> None:
        self.progress = progress
        self.task = progress.add_task("loading", total=total)

    def file(self, name: str) -> None:
        self.progress.update(self.task, description=name)

    def advance(self, size: int) -> None:
        self.progress.advance(self.task, size)


@contextmanager
def tracker(enabled: bool, total_bytes: int) -> Iterator[Tracker]:
    """A rich progress bar on stderr when `enabled`, else a tracker that does nothing."""
    if not enabled:
        yield _Silent()
        return
    columns = (
        TextColumn("{task.description}", style="cyan"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        yield _Bar(progress, total_bytes)
