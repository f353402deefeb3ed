"""`pulse bi start | stop | status | logs` and `pulse check-bi`."""

from __future__ import annotations

import os

import typer
from rich.console import Console

from pulse.bi.service import DEFAULT_PORT, DEFAULT_USER, BiError, Superset
from pulse.server import DEFAULT_PORT as THRIFT_PORT
from pulse.server import Server, ServerError
from pulse.settings import State

bi_app = typer.Typer(
    help="Superset on the marts, through the Spark Thrift server.", no_args_is_help=True
)
console = Console(stderr=True)
PORT_OPTION = typer.Option(DEFAULT_PORT, help="Superset port on 127.0.0.1 (or PULSE_BI_PORT).")


@bi_app.command("start")
def bi_start(
    port: int = PORT_OPTION,
    thrift_port: int = typer.Option(THRIFT_PORT, help="Spark Thrift port (PULSE_THRIFT_PORT)."),
    server: bool = typer.Option(True, help="Start the Spark Thrift server if it is not running."),
) -> None:
    """Set up Superset (metadata, admin, dashboards from bi/superset/) and serve it."""
    state = State.from_env()
    user = os.environ.get("PULSE_BI_USER", DEFAULT_USER)
    password = os.environ.get("PULSE_BI_PASSWORD") or None
    try:
        if server:
            with console.status("starting the Spark Thrift server..."):
                Server(state, thrift_port).start()
        superset = Superset(state, port)
        pid, _ = superset.start(thrift_port, user, password, console.print)
    except (BiError, ServerError) as err:
        console.print(f"[red]error:[/red] {err}")
        raise typer.Exit(1) from err
    console.print(f"Superset ready at {superset.url} (pid {pid}); dashboards:")
    for slug in ("engagement", "marketing", "merchants", "apps", "data-quality"):
        console.print(f"  {superset.url}/superset/dashboard/{slug}/")
    console.print(f"log in as [bold]{user}[/bold]")


@bi_app.command("stop")
def bi_stop(port: int = PORT_OPTION) -> None:
    """Stop the Superset server that `start` recorded (the Thrift server keeps running)."""
    stopped = Superset(State.from_env(), port).stop()
    console.print("stopped" if stopped else "Superset was not running")


@bi_app.command("status")
def bi_status(port: int = PORT_OPTION) -> None:
    """Print whether Superset runs and answers /health."""
    status = Superset(State.from_env(), port).status()
    typer.echo(status)
    if status == "stopped":
        raise typer.Exit(3)


@bi_app.command("logs")
def bi_logs(lines: int = typer.Option(60, "-n"), port: int = PORT_OPTION) -> None:
    """Print the last lines of the Superset log."""
    typer.echo(Superset(State.from_env(), port).tail(lines))


def check_bi_cmd(
    bi_port: int = PORT_OPTION,
    docs_port: int = typer.Option(
        int(os.environ.get("PULSE_DOCS_PORT", "8080")), help="dbt docs port (PULSE_DOCS_PORT)."
    ),
    thrift_port: int = typer.Option(THRIFT_PORT, help="Spark Thrift port (PULSE_THRIFT_PORT)."),
    days: int = typer.Option(2, help="Days of sample data for the small warehouse."),
    scale: float = typer.Option(0.1, help="Sample volume multiplier."),
    build: bool = typer.Option(
        True, help="Generate, load and build (else use the marts as built)."
    ),
) -> None:
    """Browser check: warehouse, Superset, every dashboard in headless Chromium, the docs site.

    Uses its own state directory (<PULSE_HOME>/check-bi), stops everything it started and
    exits non-zero on any failure. Screenshots go to docs/screenshots/.
    """
    from pulse.bi.check import CheckError, run_check

    try:
        run_check(
            State.from_env(),
            bi_port=bi_port,
            docs_port=docs_port,
            thrift_port=thrift_port,
            days=days,
            scale=scale,
            build=build,
            console=console,
        )
    except CheckError as err:
        console.print(f"[red]check-bi failed:[/red] {err}")
        raise typer.Exit(1) from err
