"""`pulse cluster start | stop | status | logs`."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from pulse.cluster.manager import Cluster, ClusterError
from pulse.cluster.metastore import MetastoreError

cluster_app = typer.Typer(
    help="A Spark standalone cluster on 127.0.0.1 with a PostgreSQL metastore.",
    no_args_is_help=True,
)
console = Console(stderr=True)


@cluster_app.command("start")
def start() -> None:
    """Start metastore, master, workers and the Thrift server (what is not running yet)."""
    cluster = Cluster.from_env()
    try:
        with console.status("starting the cluster..."):
            pids = cluster.start()
    except (ClusterError, MetastoreError) as err:
        console.print(f"[red]error:[/red] {err}")
        raise typer.Exit(1) from err
    console.print(", ".join(f"{role} {pid}" for role, pid in pids.items()))
    config = cluster.config
    console.print(
        f"cluster ready: master {config.master_url} (UI http://127.0.0.1:{config.master_ui_port}),"
        f" Thrift 127.0.0.1:{config.thrift_port}; dbt target `cluster`"
    )


@cluster_app.command("stop")
def stop() -> None:
    """Stop exactly the processes `start` recorded."""
    stopped = Cluster.from_env().stop()
    console.print(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")


@cluster_app.command("status")
def status() -> None:
    """Each process of the cluster and whether it runs."""
    table = Table(title="pulse cluster")
    table.add_column("process")
    table.add_column("state")
    rows = Cluster.from_env().status()
    for role, state in rows.items():
        table.add_row(role, state)
    Console().print(table)
    if rows.get("thrift", "stopped") == "stopped":
        raise typer.Exit(3)


@cluster_app.command("logs")
def logs(lines: int = typer.Option(60, "-n", help="How many lines.")) -> None:
    """The last lines of the cluster's Thrift server log."""
    typer.echo(Cluster.from_env().server_handle().tail(lines))
