"""Where things live: the project, the state directory and the Spark settings file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pyspark

PROJECT_DIR = Path(os.environ.get("PULSE_PROJECT_DIR", Path(__file__).resolve().parents[2]))
CONF_DIR = PROJECT_DIR / "conf"
SPARK_DEFAULTS = CONF_DIR / "spark-defaults.conf"
FAIR_SCHEDULER = CONF_DIR / "fairscheduler.xml"  # the job pool of spark.scheduler.mode FAIR
SPARK_HOME = Path(pyspark.__file__).resolve().parent


@dataclass(frozen=True)
class State:
    """The state directory: warehouses, metastores, the raw lake, logs and pid files."""

    root: Path

    @classmethod
    def from_env(cls) -> State:
        return cls(Path(os.environ.get("PULSE_HOME", PROJECT_DIR / ".pulse")).resolve())

    @property
    def lake(self) -> Path:
        """Parquet files of the raw layer, shared by every engine."""
        return self.root / "lake"

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    def engine_dir(self, target: str) -> Path:
        """Warehouse and metastore of one engine (`server` or `embedded`)."""
        return self.root / target


def engine_conf(state: State, engine: str) -> dict[str, str]:
    """Spark settings that depend on paths (the state directory, this checkout); the rest
    is in SPARK_DEFAULTS."""
    base = state.engine_dir(engine)
    metastore = base / "metastore_db"
    return {
        "spark.scheduler.allocation.file": str(FAIR_SCHEDULER),
        "spark.sql.warehouse.dir": str(base / "warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={metastore};create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={base}",
    }


def read_spark_defaults() -> dict[str, str]:
    """Parse conf/spark-defaults.conf (key whitespace value, # comments)."""
    conf: dict[str, str] = {}
    for line in SPARK_DEFAULTS.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition(" ")
        conf[key] = value.strip()
    return conf
