"""The `pulse` command line."""

from __future__ import annotations

import typer
from rich.console import Console

from pulse.bench.command import bench_cmd
from pulse.bi.command import bi_app, check_bi_cmd
from pulse.cluster.check import check_cluster_cmd
from pulse.cluster.command import cluster_app
from pulse.generate.command import generate_cmd
from pulse.load.command import load_cmd
from pulse.reliability.command import check_reliability_cmd
from pulse.server import DEFAULT_PORT, Server, ServerError
from pulse.settings import State

app = typer.Typer(
    help="A dbt warehouse for product event analytics on Spark.", no_args_is_help=True
)
server_app = typer.Typer(help="The local Spark Thrift server.", no_args_is_help=True)
app.add_typer(server_app, name="server")
app.command("generate")(generate_cmd)
app.command("load")(load_cmd)
app.command("check-reliability")(check_reliability_cmd)
app.add_typer(cluster_app, name="cluster")
app.command("check-cluster")(check_cluster_cmd)
app.command("bench")(bench_cmd)
app.add_typer(bi_app, name="bi")
app.command("check-bi")(check_bi_cmd)
console = Console(stderr=True)


def _server(port: int) -> Server:
    return Server(State.from_env(), port)


@server_app.command("start")
def server_start(port: int = typer.Option(DEFAULT_PORT, help="Thrift port on 127.0.0.1.")) -> None:
    """Start the Spark Thrift server (or reuse the running one) and wait until it answers."""
    server = _server(port)
    try:
        with console.status("starting the Spark Thrift server..."):
            pid = server.start()
    except ServerError as err:
        console.print(f"[red]error:[/red] {err}")
        raise typer.Exit(1) from err
    console.print(f"Spark Thrift server {server.status()} (pid {pid})")


@server_app.command("stop")
def server_stop(port: int = typer.Option(DEFAULT_PORT)) -> None:
    """Stop the server that `start` recorded, and nothing else."""
    stopped = _server(port).stop()
    console.print("stopped" if stopped else "no server was running")


@server_app.command("status")
def server_status(port: int = typer.Option(DEFAULT_PORT)) -> None:
    """Print whether the server runs and answers."""
    status = _server(port).status()
    typer.echo(status)
    if status == "stopped":
        raise typer.Exit(3)


@server_app.command("logs")
def server_logs(
    lines: int = typer.Option(60, "-n", help="How many lines."),
    port: int = typer.Option(DEFAULT_PORT),
) -> None:
    """Print the last lines of the server log."""
    typer.echo(_server(port).tail(lines))


def _check_target(target: str) -> str:
    """A --target outside the profile's outputs is a usage error, not a traceback."""
    from pulse.dbt import TARGETS

    if target not in TARGETS:
        raise typer.BadParameter(f"must be one of {', '.join(TARGETS)}, got {target!r}")
    return target


TARGET_OPTION = typer.Option(
    "local", "--target", "-t", help="local | embedded | cluster", callback=_check_target
)


@app.command(
    "dbt",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def dbt_passthrough(ctx: typer.Context, target: str = TARGET_OPTION) -> None:
    """Run any dbt command with this project's profiles and engine settings."""
    from pulse.dbt import run_dbt

    raise typer.Exit(run_dbt(list(ctx.args), target).returncode)


@app.command("register")
def register(target: str = TARGET_OPTION) -> None:
    """Register the raw lake's parquet directories as tables in the `raw` schema."""
    from pulse.dbt import register_raw_tables

    raise typer.Exit(register_raw_tables(target).returncode)


SOURCES = ("ad_platform", "app_store", "flyers", "notes_app", "marketing", "play_store")


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(1)


@app.command("run")
def run(
    target: str = TARGET_OPTION,
    scale: float = typer.Option(1.0, help="Multiplier of the default sample volume."),
    days: int = typer.Option(7, help="Days of sample data."),
    seed: int = typer.Option(42, help="Generator seed."),
    full_refresh: bool = typer.Option(False, help="Rebuild every incremental model."),
) -> None:
    """The main job: server, sample data of every source, load, dbt build, docs, summary."""
    import time

    from rich.table import Table

    from pulse.generate import GenerateConfig, generate
    from pulse.load import load_path
    from pulse.pipeline import PipelineError, build, docs_generate, ensure_server, summary

    state = State.from_env()
    t_start = time.monotonic()
    try:
        with console.status("starting the engine..."):
            ensure_server(target, state)
        console.print(f"engine ready ({target})")
        config = GenerateConfig(seed=seed, days=days, scale=scale)
        with console.status("generating sample data..."):
            manifest = generate(state.landing, config)
        console.print(f"generated {manifest.get('total_rows', '?')} rows into {state.landing}")
        results = load_path(state.landing, None, lake=state.lake, progress=True)
        failed = [r for r in results if r.status == "failed"]
        for r in failed:
            console.print(f"[red]load failed:[/red] {r.path}: {r.message}")
        loaded = sum(r.rows_loaded for r in results)
        rejected = sum(r.rows_rejected for r in results)
        console.print(f"loaded {loaded} rows, quarantined {rejected}")
        report = build(target, state, full_refresh=full_refresh)
        docs = docs_generate(target, state)
        figures = summary(target, state)
    except PipelineError as err:
        raise _fail(str(err)) from err

    table = Table(title="rows per layer")
    table.add_column("layer")
    table.add_column("tables", justify="right")
    table.add_column("rows", justify="right")
    for layer, per_table in figures["rows"].items():
        table.add_row(layer, str(len(per_table)), f"{sum(per_table.values()):,}")
    console.print(table)
    dau = Table(title="active users on the latest day")
    for column in ("product", "date", "dau", "wau_7d", "mau_30d"):
        dau.add_column(column)
    for row in figures["active_users"]:
        dau.add_row(*(str(row[c]) for c in ("product", "date", "dau", "wau_7d", "mau_30d")))
    console.print(dau)
    if report.failures:
        console.print("[red]failing tests (the `serving` views were not refreshed):[/red]")
        for failure in report.failures:
            console.print(f"  {failure}")
    else:
        console.print("all dbt tests passed")
        console.print(f"published {len(report.published)} marts to the `serving` views")
    console.print(f"docs: {docs} (serve with `pulse docs`)")
    console.print(f"done in {time.monotonic() - t_start:.0f}s")
    if report.failures or failed:
        raise typer.Exit(1)


@app.command("backfill")
def backfill_cmd(
    start: str = typer.Option(..., "--start", help="First day to rebuild (YYYY-MM-DD)."),
    end: str = typer.Option(..., "--end", help="Last day to rebuild (YYYY-MM-DD)."),
    target: str = TARGET_OPTION,
) -> None:
    """Rebuild a date range of every incremental model (a full refresh is `--full-refresh`)."""
    from pulse.pipeline import PipelineError, backfill

    try:
        backfill(target, State.from_env(), start, end)
    except PipelineError as err:
        raise _fail(str(err)) from err


@app.command("publish")
def publish_cmd(target: str = TARGET_OPTION) -> None:
    """Repoint the dashboards' `serving` views at a fresh copy of the marts they read.

    `pulse run` and `pulse backfill` do this after a build with no failing test; run it by
    hand only after a `pulse dbt build` that passed."""
    from pulse.pipeline import PipelineError, publish, validate_target

    try:
        marts = publish(validate_target(target), State.from_env())
    except PipelineError as err:
        raise _fail(str(err)) from err
    console.print(f"published {len(marts)} marts to the `serving` views: {', '.join(marts)}")


@app.command("docs")
def docs_cmd(
    target: str = TARGET_OPTION,
    port: int = typer.Option(8080, help="Port on 127.0.0.1."),
    serve: bool = typer.Option(True, help="Serve after generating."),
) -> None:
    """Generate the dbt docs site and serve it on 127.0.0.1."""
    from pulse.dbt import run_dbt
    from pulse.pipeline import PipelineError, docs_generate, ensure_server

    state = State.from_env()
    try:
        ensure_server(target, state)
        path = docs_generate(target, state)
    except PipelineError as err:
        raise _fail(str(err)) from err
    console.print(f"docs generated: {path}")
    if serve:
        args = ["docs", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-browser"]
        raise typer.Exit(run_dbt(args, target, state).returncode)
