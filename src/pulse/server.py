"""Lifecycle of the local Spark Thrift server: start, stop, status, logs."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field
from pathlib import Path

from pulse.process import (
    HOST,
    port_in_use,
    recorded_pid,
    recorded_port,
    signal_group,
    spawn,
    stop_group,
    wait_dead,
)
from pulse.process import wait_ready as wait_process_ready
from pulse.settings import SPARK_DEFAULTS, SPARK_HOME, State, engine_conf

DEFAULT_PORT = int(os.environ.get("PULSE_THRIFT_PORT", "10000"))
THRIFT_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"


class ServerError(RuntimeError):
    """A user-facing failure of the server lifecycle."""


@dataclass(frozen=True)
class Server:
    """A Thrift server: `local[*]` by default; cluster mode sets master, conf and env."""

    state: State
    port: int = DEFAULT_PORT
    engine: str = "server"
    master: str | None = None
    extra_conf: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def home(self) -> Path:
        return self.state.engine_dir(self.engine)

    @property
    def pid_file(self) -> Path:
        return self.home / "thrift.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "thrift.log"

    def pid(self) -> int | None:
        """The recorded pid, if that process is still alive."""
        return recorded_pid(self.pid_file)

    def recorded_port(self) -> int | None:
        return recorded_port(self.pid_file)

    def status(self) -> str:
        pid = self.pid()
        if pid is None:
            return "stopped"
        port = self.recorded_port() or self.port
        state = "ready" if _answers(port) else "starting"
        return f"{state} (pid {pid}, {HOST}:{port})"

    def command(self) -> list[str]:
        cmd = [
            str(SPARK_HOME / "bin" / "spark-submit"),
            "--class",
            THRIFT_CLASS,
            "--name",
            "pulse-thrift",
            "--properties-file",
            str(SPARK_DEFAULTS),
        ]
        if self.master:
            cmd += ["--master", self.master]
        conf = {**engine_conf(self.state, self.engine), **self.extra_conf}
        for key, value in conf.items():
            cmd += ["--conf", f"{key}={value}"]
        cmd += [
            "--hiveconf",
            f"hive.server2.thrift.port={self.port}",
            "--hiveconf",
            f"hive.server2.thrift.bind.host={HOST}",
            "spark-internal",
        ]
        return cmd

    def start(self, timeout: float = 240.0) -> int:
        """Start the server (or reuse a running one) and wait until it answers a query."""
        pid = self.pid()
        if pid is not None:
            port = self.recorded_port() or self.port
            self._wait_ready(pid, port, timeout)
            return pid
        if port_in_use(self.port):
            raise ServerError(
                f"port {HOST}:{self.port} is already in use by another process; "
                "stop it or pass --port / set PULSE_THRIFT_PORT"
            )
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "SPARK_HOME": str(SPARK_HOME),
            "SPARK_LOG_DIR": str(self.log_file.parent),
            "SPARK_CONF_DIR": str(SPARK_DEFAULTS.parent),
            **self.env,
        }
        pid = spawn(self.command(), self.home, env, self.log_file, self.pid_file, self.port)
        self._wait_ready(pid, self.port, timeout)
        return pid

    def _wait_ready(self, pid: int, port: int, timeout: float) -> None:
        def fail(reason: str) -> ServerError:
            return ServerError(f"Spark Thrift server {reason}:\n{self.tail()}")

        wait_process_ready(pid, lambda: _answers(port), timeout, fail)

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the recorded server process group; True if something was stopped."""
        pid = self.pid()
        if pid is not None:
            stop_group(pid, timeout)
        self.pid_file.unlink(missing_ok=True)
        return pid is not None

    def kill(self) -> None:
        """SIGKILL the server, as a crash would (reliability tests)."""
        pid = self.pid()
        if pid is not None:
            signal_group(pid, signal.SIGKILL)
            wait_dead(pid, 60.0)

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no server log yet)"


def _answers(port: int) -> bool:
    """True when the server on the port runs a real query."""
    if not port_in_use(port):
        return False
    try:
        from pyhive import hive

        conn = hive.connect(host=HOST, port=port, username="pulse")
        try:
            cursor = conn.cursor()
            cursor.execute("select 1")
            return cursor.fetchall() == [(1,)]
        finally:
            conn.close()
    except Exception:
        return False
