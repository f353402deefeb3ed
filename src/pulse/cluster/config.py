"""Settings of the standalone cluster: ports, sizes, storage; all from the environment.

Nothing here starts a process: it builds the command lines and the Spark settings, so
unit tests can check them without Spark.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pulse.settings import FAIR_SCHEDULER, SPARK_HOME, State

HOST = "127.0.0.1"
MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
JDBC_JAR = Path("/usr/share/java/postgresql.jar")

# Cloud credentials stay in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
# AWS_SESSION_TOKEN): master, workers, executors and the driver inherit it and s3a's
# default provider chain reads it, so no secret is ever on a command line or in a file.
# Only these non-secret settings are passed through from the environment.
S3A_FROM_ENV = {
    "PULSE_S3_ENDPOINT": "spark.hadoop.fs.s3a.endpoint",
    "PULSE_S3_PATH_STYLE": "spark.hadoop.fs.s3a.path.style.access",
}
# Extra jars/packages a real store needs (e.g. org.apache.hadoop:hadoop-aws:3.3.4).
PACKAGES_ENV = "PULSE_SPARK_PACKAGES"
SECRET_KEYS = frozenset(
    {
        "spark.hadoop.fs.s3a.access.key",
        "spark.hadoop.fs.s3a.secret.key",
        "spark.hadoop.fs.s3a.session.token",
        "spark.hadoop.javax.jdo.option.ConnectionPassword",
    }
)


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError as err:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from err


@dataclass(frozen=True)
class ClusterConfig:
    """One master, N workers and a Thrift server, all on loopback."""

    state: State
    master_port: int = 7177
    master_ui_port: int = 8180
    worker_ui_port: int = 8181  # worker i gets worker_ui_port + i
    workers: int = 2
    worker_cores: int = 1
    worker_memory: str = "2g"
    executor_memory: str = "1536m"
    driver_memory: str = "2g"
    daemon_memory: str = "256m"
    thrift_port: int = 10000
    pg_port: int = 5433
    warehouse: str = ""

    @classmethod
    def from_env(cls, state: State, env: Mapping[str, str] | None = None) -> ClusterConfig:
        env = os.environ if env is None else env
        workers = _int(env, "PULSE_WORKERS", 2)
        if workers < 1:
            raise ValueError("PULSE_WORKERS must be at least 1")
        return cls(
            state=state,
            master_port=_int(env, "PULSE_MASTER_PORT", 7177),
            master_ui_port=_int(env, "PULSE_MASTER_UI_PORT", 8180),
            worker_ui_port=_int(env, "PULSE_WORKER_UI_PORT", 8181),
            workers=workers,
            worker_cores=_int(env, "PULSE_WORKER_CORES", 1),
            worker_memory=env.get("PULSE_WORKER_MEMORY", "2g"),
            executor_memory=env.get("PULSE_EXECUTOR_MEMORY", "1536m"),
            driver_memory=env.get("PULSE_CLUSTER_DRIVER_MEMORY", "2g"),
            thrift_port=_int(env, "PULSE_CLUSTER_PORT", _int(env, "PULSE_THRIFT_PORT", 10000)),
            pg_port=_int(env, "PULSE_PG_PORT", 5433),
            warehouse=env.get("PULSE_WAREHOUSE_DIR", ""),
        )

    @property
    def home(self) -> Path:
        return self.state.engine_dir("cluster")

    @property
    def master_url(self) -> str:
        return f"spark://{HOST}:{self.master_port}"

    @property
    def warehouse_dir(self) -> str:
        """Where tables live: one path every executor reaches (file://, hdfs://, s3a://)."""
        if self.warehouse:
            return self.warehouse
        return (self.home / "warehouse").as_uri()

    def daemon_env(self) -> dict[str, str]:
        """Environment of master and workers: loopback only, logs and pids under state."""
        return {
            "SPARK_HOME": str(SPARK_HOME),
            "SPARK_LOCAL_IP": HOST,
            "SPARK_LOCAL_HOSTNAME": HOST,
            "SPARK_DAEMON_MEMORY": self.daemon_memory,
            "SPARK_LOG_DIR": str(self.home / "logs"),
            "SPARK_WORKER_DIR": str(self.home / "work"),
            "SPARK_NO_DAEMONIZE": "1",
        }

    def thrift_env(self) -> dict[str, str]:
        """Environment of the Thrift server (the launcher would size it by
        SPARK_DAEMON_MEMORY, so that one is left out: spark.driver.memory applies)."""
        env = self.daemon_env()
        del env["SPARK_DAEMON_MEMORY"], env["SPARK_NO_DAEMONIZE"], env["SPARK_WORKER_DIR"]
        return env

    def master_command(self) -> list[str]:
        return [
            str(SPARK_HOME / "bin" / "spark-class"),
            MASTER_CLASS,
            "--host",
            HOST,
            "--port",
            str(self.master_port),
            "--webui-port",
            str(self.master_ui_port),
        ]

    def worker_command(self, index: int) -> list[str]:
        if not 0 <= index < self.workers:
            raise ValueError(f"worker {index} is not one of 0..{self.workers - 1}")
        return [
            str(SPARK_HOME / "bin" / "spark-class"),
            WORKER_CLASS,
            "--host",
            HOST,
            "--cores",
            str(self.worker_cores),
            "--memory",
            self.worker_memory,
            "--webui-port",
            str(self.worker_ui_port + index),
            "--work-dir",
            str(self.home / "work" / f"worker-{index}"),
            self.master_url,
        ]

    def thrift_conf(self, env: Mapping[str, str] | None = None) -> dict[str, str]:
        """Spark settings of the cluster's Thrift server (on top of spark-defaults.conf)."""
        env = os.environ if env is None else env
        conf = {
            "spark.sql.warehouse.dir": self.warehouse_dir,
            "spark.driver.memory": self.driver_memory,
            "spark.executor.memory": self.executor_memory,
            "spark.executor.cores": str(self.worker_cores),
            "spark.cores.max": str(self.workers * self.worker_cores),
            "spark.driver.extraClassPath": str(JDBC_JAR),
            "spark.scheduler.allocation.file": str(FAIR_SCHEDULER),
            # A lost executor is normal on a cluster: retry its tasks elsewhere.
            "spark.task.maxFailures": "8",
            "spark.stage.maxConsecutiveAttempts": "8",
            "spark.excludeOnFailure.enabled": "false",
        }
        for var, key in S3A_FROM_ENV.items():
            if env.get(var):
                conf[key] = env[var]
        if env.get(PACKAGES_ENV):
            conf["spark.jars.packages"] = env[PACKAGES_ENV]
        return conf


def redact(command: list[str]) -> list[str]:
    """A command line fit for a log: values of secret settings replaced by ***."""
    out = []
    for arg in command:
        key, sep, _ = arg.partition("=")
        out.append(f"{key}=***" if sep and key in SECRET_KEYS else arg)
    return out
