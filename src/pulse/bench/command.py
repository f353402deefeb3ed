"""The `pulse bench` command."""

from __future__ import annotations

import os
import shutil
from enum import StrEnum

import typer
from rich.console import Console

from pulse.server import DEFAULT_PORT
from pulse.settings import PROJECT_DIR, State

console = Console(stderr=True)


class ScaleName(StrEnum):
    smoke = "smoke"
    default = "default"
    large = "large"
    history = "history"


SCALE_OPTION = typer.Option(
    ScaleName.default,
    help="smoke: 3 tiny days; default: 31 days of ~23k events; large: ~10M events, 366 days; "
    "history: 366 thin days (growth with history apart from volume).",
)


def bench_cmd(
    scale: ScaleName = SCALE_OPTION,
    publish: bool = typer.Option(False, help="Also copy the markdown to docs/bench-<scale>.md."),
    port: int = typer.Option(DEFAULT_PORT, help="Thrift port of the bench's own server."),
    also_run: bool = typer.Option(
        False, help="Also time a full `dbt run` (models without tests) after the builds."
    ),
    pyspark_via_thrift: bool = typer.Option(
        False, help="Run baseline (a) through the Thrift server instead of its own JVM."
    ),
) -> None:
    """Benchmark the warehouse against a monolithic PySpark job and DuckDB on the same data.

    Uses its own state (<PULSE_HOME>/bench/<scale>: server, metastore, lake), starts from
    nothing, stops its server at the end, and writes <PULSE_HOME>/results/bench-<scale>.md
    and .csv.
    """
    from pulse.bench.baselines.pyspark_job import BaselineError
    from pulse.bench.compare import BenchMismatch
    from pulse.bench.report import (
        BenchResult,
        csv_text,
        markdown,
        nodes_csv_text,
        rich_tables,
    )
    from pulse.bench.runner import SCALES, BenchError, Engine, run_bench

    home = State.from_env().root
    os.environ["PULSE_THRIFT_PORT"] = str(port)  # dbt's profile reads the port from it
    engine = Engine(State(home / "bench" / scale.value), port, managed=True)
    engine.server.stop()  # a fresh JVM, so its peak memory is this run's
    config = SCALES[scale.value]
    result = BenchResult(scale.value, config.days)
    error: Exception | None = None
    results = home / "results"
    results.mkdir(parents=True, exist_ok=True)
    md = results / f"bench-{scale.value}.md"

    def write(partial: BenchResult) -> None:
        md.write_text(markdown(partial))
        md.with_suffix(".csv").write_text(csv_text(partial))
        (results / f"bench-{scale.value}-nodes.csv").write_text(nodes_csv_text(partial))

    try:
        run_bench(
            config,
            engine,
            pyspark_via_thrift=pyspark_via_thrift,
            log=lambda message: console.print(f"[bold]bench:[/bold] {message}"),
            also_run=also_run,
            result=result,
            checkpoint=write,
        )
    except (BenchError, BenchMismatch, BaselineError) as err:
        error = err
        result.notes.append(
            f"INCOMPLETE or FAILED: {type(err).__name__} (details in the .err file)"
        )
    finally:
        engine.server.stop()
    out = Console()
    for table in rich_tables(result):
        out.print(table)
    write(result)
    console.print(f"wrote {md} and {md.with_suffix('.csv')}")
    if error is not None:
        (results / f"bench-{scale.value}.err").write_text(str(error))
        console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1)
    if publish:
        target = PROJECT_DIR / "docs" / f"bench-{scale.value}.md"
        shutil.copyfile(md, target)
        console.print(f"published {target}")
