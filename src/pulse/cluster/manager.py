"""Start, stop and inspect the standalone cluster: metastore, master, workers, Thrift server.

Every process is started in its own session and its pid recorded under the state
directory; `stop` signals exactly those process groups (a worker's group holds the
executors it launched) and nothing else.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulse.cluster.config import HOST, ClusterConfig
from pulse.cluster.metastore import Metastore, hive_site, write_private
from pulse.process import alive, port_in_use, signal_group, wait_dead
from pulse.server import Server
from pulse.settings import CONF_DIR, State


class ClusterError(RuntimeError):
    """A user-facing failure of the cluster lifecycle."""


@dataclass(frozen=True)
class Cluster:
    config: ClusterConfig

    @classmethod
    def from_env(cls) -> Cluster:
        return cls(ClusterConfig.from_env(State.from_env()))

    @property
    def home(self) -> Path:
        return self.config.home

    @property
    def pid_file(self) -> Path:
        return self.home / "cluster.json"

    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def metastore(self) -> Metastore:
        return Metastore(self.config)

    # -- pid records -----------------------------------------------------------------

    def recorded(self) -> dict[str, int]:
        """Recorded daemon pids by role (`master`, `worker-0`, ...), alive or not."""
        try:
            return {k: int(v) for k, v in json.loads(self.pid_file.read_text()).items()}
        except (FileNotFoundError, ValueError):
            return {}

    def _record(self, role: str, pid: int | None) -> None:
        pids = self.recorded()
        if pid is None:
            pids.pop(role, None)
        else:
            pids[role] = pid
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        self.pid_file.write_text(json.dumps(pids, indent=1, sort_keys=True) + "\n")

    def alive(self) -> dict[str, int]:
        return {role: pid for role, pid in self.recorded().items() if alive(pid)}

    # -- the Thrift server -----------------------------------------------------------

    def server(self) -> Server:
        conf = self.config.thrift_conf()
        conf["spark.hadoop.javax.jdo.option.ConnectionURL"] = self.metastore.credentials().url
        conf["spark.hadoop.datanucleus.schema.autoCreateAll"] = "false"
        conf["spark.hadoop.hive.metastore.schema.verification"] = "true"
        return Server(
            self.config.state,
            self.config.thrift_port,
            engine="cluster",
            master=self.config.master_url,
            extra_conf=conf,
            env={**self.config.thrift_env(), "SPARK_CONF_DIR": str(self.conf_dir)},
        )

    def server_handle(self) -> Server:
        """The Thrift server's pid, status and log (no settings needed to stop it)."""
        return Server(self.config.state, self.config.thrift_port, engine="cluster")

    def write_conf_dir(self) -> None:
        """SPARK_CONF_DIR of the Thrift server: log settings plus a 0600 hive-site.xml.

        The metastore password goes only into that file (never on a command line).
        """
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(CONF_DIR / "log4j2.properties", self.conf_dir / "log4j2.properties")
        write_private(
            self.conf_dir / "hive-site.xml", hive_site(self.metastore.credentials().jdo_conf())
        )

    # -- lifecycle -------------------------------------------------------------------

    def _spawn(self, role: str, cmd: list[str]) -> int:
        log = self.home / "logs" / f"{role}.out"
        log.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.config.daemon_env(), "SPARK_CONF_DIR": str(CONF_DIR)}
        with log.open("ab") as out:
            proc = subprocess.Popen(
                cmd,
                cwd=self.home,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self._record(role, proc.pid)
        return proc.pid

    def start(self, timeout: float = 240.0) -> dict[str, int]:
        """Start whatever is not running yet; wait until the Thrift server answers."""
        self.home.mkdir(parents=True, exist_ok=True)
        pids: dict[str, int] = {}
        pg = self.metastore.start()
        if pg:
            pids["postgres"] = pg
        self.write_conf_dir()
        running = self.alive()
        if "master" not in running:
            if port_in_use(self.config.master_port):
                raise ClusterError(
                    f"port {HOST}:{self.config.master_port} is taken by another process "
                    "(set PULSE_MASTER_PORT)"
                )
            self._spawn("master", self.config.master_command())
            self._wait(lambda: port_in_use(self.config.master_port), timeout, "master")
        for i in range(self.config.workers):
            if f"worker-{i}" not in running:
                self.start_worker(i)
        self._wait(
            lambda: self.alive_workers() >= self.config.workers, timeout, "workers to register"
        )
        if not self.metastore.schema_ready():
            self.metastore.create_schema()
        pids.update(self.alive())
        pids["thrift"] = self.server().start(timeout)
        return pids

    def start_worker(self, index: int) -> int:
        return self._spawn(f"worker-{index}", self.config.worker_command(index))

    def _wait(self, ready: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            dead = [r for r, p in self.recorded().items() if not alive(p)]
            if "master" in dead:
                raise ClusterError(f"the master exited; see {self.home / 'logs'}")
            time.sleep(1.0)
        raise ClusterError(f"timed out after {timeout:.0f}s waiting for {what}")

    def master_state(self) -> dict[str, Any]:
        url = f"http://{HOST}:{self.config.master_ui_port}/json/"
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return dict(json.loads(resp.read()))
        except (OSError, ValueError):
            return {}

    def alive_workers(self) -> int:
        workers = self.master_state().get("workers", [])
        return sum(1 for w in workers if w.get("state") == "ALIVE")

    def kill_worker(self, index: int) -> int:
        """SIGKILL a worker and the executors it launched, as a lost machine would."""
        pid = self.recorded().get(f"worker-{index}")
        if pid is None or not alive(pid):
            raise ClusterError(f"worker-{index} is not running")
        signal_group(pid, signal.SIGKILL)
        wait_dead(pid, 30.0)
        return pid

    def stop(self, timeout: float = 60.0) -> list[str]:
        """Stop the Thrift server, workers, master and the local PostgreSQL; nothing else."""
        stopped = []
        if self.server_handle().stop(timeout):
            stopped.append("thrift")
        order = sorted(self.recorded(), key=lambda r: (r == "master", r))
        for role in order:
            pid = self.recorded()[role]
            if alive(pid):
                signal_group(pid, signal.SIGTERM)
                if not wait_dead(pid, timeout):
                    signal_group(pid, signal.SIGKILL)
                    wait_dead(pid, 10.0)
                stopped.append(role)
            self._record(role, None)
        if self.metastore.stop():
            stopped.append("postgres")
        return stopped

    def status(self) -> dict[str, str]:
        rows = {}
        pg = self.metastore.pid()
        rows["postgres"] = (
            "external" if self.metastore.external else f"running (pid {pg})" if pg else "stopped"
        )
        running = self.alive()
        recorded = self.recorded()
        for role in ["master", *(f"worker-{i}" for i in range(self.config.workers))]:
            if role in running:
                rows[role] = f"running (pid {running[role]})"
            else:
                rows[role] = "dead" if role in recorded else "stopped"
        if "master" in running:
            rows["master"] += f", {self.alive_workers()} workers alive, {self.config.master_url}"
        rows["thrift"] = self.server_handle().status()
        return rows
