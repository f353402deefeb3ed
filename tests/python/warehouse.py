"""A throw-away warehouse for tests: its own state dir, Thrift server, lake and dbt runs."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from pulse.dbt import register_raw_tables, run_dbt
from pulse.server import HOST, Server
from pulse.settings import PROJECT_DIR, State

REFERENCE = PROJECT_DIR.parent / "shared" / "reference-data"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Warehouse:
    state: State
    server: Server
    target: str = "local"

    def load(self, path: Path, source: str | None = None, load_date: date | None = None) -> Any:
        from pulse.load import load_path

        return load_path(path, source, lake=self.state.lake, load_date=load_date)

    def dbt(self, *args: str, variables: dict[str, object] | None = None) -> str:
        """Run dbt; raise with its output when it fails."""
        result = run_dbt(list(args), self.target, self.state, variables, capture=True)
        if result.returncode != 0:
            raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout[-20000:]}")
        return result.stdout

    def register(self) -> None:
        result = register_raw_tables(self.target, self.state)
        assert result.returncode == 0, "register_raw_tables failed"

    def build(self, *args: str, variables: dict[str, object] | None = None) -> str:
        self.register()
        return self.dbt("build", *args, variables=variables)

    def execute(self, *statements: str) -> None:
        """Run statements with no result set (DDL), in order, over one connection."""
        from pyhive import hive

        conn = hive.connect(host=HOST, port=self.server.port, username="pulse")
        try:
            cursor = conn.cursor()
            for sql in statements:
                cursor.execute(sql)
        finally:
            conn.close()

    def reset(self) -> None:
        """Forget every table and raw file, keeping the running server (one per test session)."""
        listed = self.query("show databases")
        names = [name for name in listed.iloc[:, 0] if name != "default"]
        self.execute(*(f"drop database if exists `{name}` cascade" for name in names))
        shutil.rmtree(self.state.lake, ignore_errors=True)

    def query(self, sql: str) -> pd.DataFrame:
        from pyhive import hive

        conn = hive.connect(host=HOST, port=self.server.port, username="pulse")
        try:
            cursor = conn.cursor()
            cursor.execute(sql)
            columns = [d[0].split(".")[-1] for d in cursor.description or []]
            return pd.DataFrame(cursor.fetchall(), columns=columns)
        finally:
            conn.close()


@contextmanager
def warehouse(root: Path) -> Iterator[Warehouse]:
    """Start a Thrift server on a free port with its own state under `root`; stop it after."""
    state = State(root)
    port = free_port()
    server = Server(state, port)
    old = {k: os.environ.get(k) for k in ("PULSE_THRIFT_PORT", "PULSE_HOME", "PULSE_THREADS")}
    os.environ.update(PULSE_THRIFT_PORT=str(port), PULSE_HOME=str(root), PULSE_THREADS="2")
    server.start()
    try:
        yield Warehouse(state, server)
    finally:
        server.stop()
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
