"""`pulse load`: the command-line face of the loader (registered in pulse.cli)."""

from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from pulse.load.errors import LoadError
from pulse.load.loader import FAILED, FileResult, load_path
from pulse.load.watch import watch

SOURCE_OPTION = typer.Option(
    None, "--source", "-s", help="A source (`marketing`) or one table (`marketing.clickstream`)."
)
PATH_OPTION = typer.Option(
    None,
    "--path",
    "-p",
    help="File or directory to load [default: $PULSE_HOME/landing/<source>, or all of it].",
)
REPLACE_OPTION = typer.Option(
    False, "--replace", help="Reload files that changed since they were loaded."
)
LOAD_DATE_OPTION = typer.Option(
    None, "--load-date", help="load_date partition (YYYY-MM-DD) [default: today, UTC]."
)
WATCH_OPTION = typer.Option(False, "--watch", help="Keep polling the path for new files.")
INTERVAL_OPTION = typer.Option(5.0, "--interval", min=0.0, help="Seconds between polls.")
MAX_BATCHES_OPTION = typer.Option(
    None, "--max-batches", min=1, help="With --watch: stop after this many polls."
)

out = Console()
err = Console(stderr=True)


def load_cmd(
    source: str | None = SOURCE_OPTION,
    path: Path | None = PATH_OPTION,
    replace: bool = REPLACE_OPTION,
    load_date: str | None = LOAD_DATE_OPTION,
    watch_mode: bool = WATCH_OPTION,
    interval: float = INTERVAL_OPTION,
    max_batches: int | None = MAX_BATCHES_OPTION,
) -> None:
    """Load landed CSV / JSON-lines files into the raw parquet lake (bad rows quarantined)."""
    try:
        day = _parse_date(load_date)
        target = path or _default_path(source)
        started = time.monotonic()
        if watch_mode:
            results = watch(
                target,
                source,
                interval=interval,
                max_batches=max_batches,
                load_date=day,
                replace=replace,
                on_batch=lambda n, batch: _report(batch, f"batch {n}"),
            )
        else:
            results = load_path(target, source, load_date=day, replace=replace, progress=True)
            _report(results, None)
    except LoadError as error:
        err.print(f"[red]error:[/red] {error}", soft_wrap=True)
        raise typer.Exit(1) from error
    _totals(results, None if watch_mode else time.monotonic() - started)
    failed = [r for r in results if r.status == FAILED]
    for result in failed:
        err.print(f"[red]failed:[/red] {result.message}", soft_wrap=True)
    if failed:
        raise typer.Exit(1)


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError as error:
        raise LoadError(f"--load-date must be a date like 2024-01-31, got {value!r}") from error


def _default_path(source: str | None) -> Path:
    from pulse.settings import State

    landing = State.from_env().landing
    target = landing / source.split(".", 1)[0] if source else landing
    if not target.exists():
        raise LoadError(f"{target}: no such directory; pass --path")
    return target


def _report(results: list[FileResult], title: str | None) -> None:
    if not results:
        return
    table = Table(title=title)
    table.add_column("file", overflow="fold")
    table.add_column("table", overflow="fold")
    for name in ("read", "loaded", "rejected"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("note", overflow="fold")
    for r in results:
        style = {"failed": "red", "skipped": "dim", "replaced": "yellow"}.get(r.status, "green")
        note = r.message if r.status != FAILED else "see below"
        table.add_row(
            r.path.name,
            f"{r.source}.{r.table}" if r.table else "-",
            f"{r.rows_read:,}",
            f"{r.rows_loaded:,}",
            f"{r.rows_rejected:,}",
            f"[{style}]{r.status}[/{style}]",
            note,
        )
    out.print(table)


def _totals(results: list[FileResult], wall: float | None) -> None:
    """Totals and throughput: over the wall time, or (watching) the time spent loading."""
    read = sum(r.rows_read for r in results)
    loaded = sum(r.rows_loaded for r in results)
    rejected = sum(r.rows_rejected for r in results)
    files = sum(1 for r in results if r.status in ("loaded", "replaced"))
    seconds = wall if wall is not None else sum(r.seconds for r in results)
    rate = f"{read / seconds:,.0f} rows/s" if seconds > 0 and read else "-"
    out.print(
        f"{files} file(s) loaded: {read:,} rows read, {loaded:,} loaded, "
        f"{rejected:,} quarantined in {seconds:.1f}s ({rate})",
        soft_wrap=True,
    )
