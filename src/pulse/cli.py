"""The `pulse` command line."""

from __future__ import annotations

import typer
from rich.console import Console

from pulse.server import DEFAULT_PORT, Server, ServerError
from pulse.settings import State

app = typer.Typer(help="A dbt warehouse for product event analytics on Spark.", no_args_is_help=True)
server_app = typer.Typer(help="The local Spark Thrift server.", no_args_is_help=True)
app.add_typer(server_app, name="server")
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


TARGET_OPTION = typer.Option("local", "--target", "-t", help="local | embedded | cluster")


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
