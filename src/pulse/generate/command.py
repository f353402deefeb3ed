"""``pulse generate``: the typer command around ``generate``."""

from __future__ import annotations

import shutil
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pulse.generate.config import SOURCES, GenerateConfig, QuirkRates
from pulse.generate.manifest import MANIFEST_NAME
from pulse.generate.runner import generate
from pulse.settings import State

console = Console(stderr=True)
DEFAULT_START = datetime(2024, 1, 1)


def generate_cmd(
    out: Annotated[
        Path | None, typer.Option("--out", help="Landing directory [default: $PULSE_HOME/landing].")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed; same seed and options, same bytes.")] = 42,
    start_date: Annotated[
        datetime, typer.Option("--start-date", formats=["%Y-%m-%d"], help="First batch date.")
    ] = DEFAULT_START,
    days: Annotated[int, typer.Option(min=1, help="Number of daily batches.")] = 7,
    scale: Annotated[
        float, typer.Option(min=0.0001, help="Multiplier of the default volumes (~23k events/day).")
    ] = 1.0,
    events_per_day: Annotated[
        int | None,
        typer.Option(
            min=1, help="Events per day over all event tables (overrides --scale for events)."
        ),
    ] = None,
    gzip: Annotated[bool, typer.Option("--gzip/--no-gzip", help="Write .csv.gz files.")] = False,
    clean: Annotated[
        bool, typer.Option("--clean", help="Delete the output directory first.")
    ] = False,
    quirks: Annotated[
        bool, typer.Option("--quirks/--no-quirks", help="Inject quirks at the default rates.")
    ] = True,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", help=f"Only these sources ({', '.join(SOURCES)})."),
    ] = None,
) -> None:
    """Generate synthetic raw files of every source in the reference formats, with quirks."""
    target = (out or State.from_env().landing).resolve()
    try:
        config = GenerateConfig(
            seed=seed,
            start_date=start_date.date(),
            days=days,
            scale=scale,
            events_per_day=events_per_day,
            gzip=gzip,
            quirks=QuirkRates() if quirks else QuirkRates.none(),
            sources=tuple(source) if source else SOURCES,
        )
    except ValueError as err:
        console.print(f"[red]error:[/red] {err}")
        raise typer.Exit(2) from err
    if clean and target.exists():
        if any(target.iterdir()) and not (target / MANIFEST_NAME).exists():
            reason = f"it has no {MANIFEST_NAME}, so it is not a generator output"
            console.print(f"[red]error:[/red] not wiping {target}: {reason}")
            raise typer.Exit(2)
        shutil.rmtree(target)
    started = time.perf_counter()
    manifest = generate(target, config, progress=True)
    elapsed = time.perf_counter() - started

    table = Table(title=f"generated into {target}")
    table.add_column("table")
    table.add_column("files", justify="right")
    table.add_column("rows", justify="right")
    table.add_column("quirk rows", justify="right")
    for key, entry in manifest["tables"].items():
        quirk_rows = sum(entry["quirks"].values())
        table.add_row(key, str(len(entry["files"])), f"{entry['rows']:,}", f"{quirk_rows:,}")
    table.add_row("total", "", f"{manifest['total_rows']:,}", "", style="bold")
    Console().print(table)
    rate = manifest["total_events"] / elapsed if elapsed > 0 else float("inf")
    console.print(f"{manifest['total_events']:,} events in {elapsed:.2f} s: {rate:,.0f} events/s")
