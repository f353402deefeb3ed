"""The shared Hive metastore: a PostgreSQL cluster of our own under the state directory.

`scripts/setup-cluster.sh` installs the Debian packages; this module initialises the
database directory (initdb), starts and stops it on loopback, and generates the
metastore credentials into a 0600 file under the state directory. An external metastore
database is used instead when PULSE_METASTORE_URL/_USER/_PASSWORD are set.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from pulse.cluster.config import HOST, JDBC_JAR, ClusterConfig
from pulse.settings import SPARK_HOME

PG_BIN = Path(os.environ.get("PULSE_PG_BIN", "/usr/lib/postgresql/15/bin"))
DB_NAME = "pulse_metastore"
DB_USER = "pulse_metastore"
RUN_AS = "postgres"  # initdb and postgres refuse to run as root
HIVE_SCHEMA_VERSION = "2.3.0"  # what the Hive 2.3.9 client in the pyspark wheel expects
# Hive's own defaults for the DataNucleus naming and id strategy (HiveConf): the schema
# tool must use the same so the tables are the ones the metastore client looks for.
DATANUCLEUS_CONF = {
    "datanucleus.identifierFactory": "datanucleus1",
    "datanucleus.rdbms.useLegacyNativeValueStrategy": "true",
    "datanucleus.storeManagerType": "rdbms",
    "datanucleus.schema.autoCreateAll": "true",
}
SCHEMA_TOOL = "org.datanucleus.store.schema.SchemaTool"
# Tables the metastore uses at run time that are not JDO classes of package.jdo.
EXTRA_DDL = f"""
create table if not exists "SEQUENCE_TABLE" (
    "SEQUENCE_NAME" varchar(255) primary key, "NEXT_VAL" bigint not null
);
insert into "VERSION" ("VER_ID", "SCHEMA_VERSION", "VERSION_COMMENT")
select 1, '{HIVE_SCHEMA_VERSION}', 'pulse: created by DataNucleus SchemaTool from package.jdo'
where not exists (select 1 from "VERSION");
"""


class MetastoreError(RuntimeError):
    """A user-facing failure of the metastore database."""


@dataclass(frozen=True)
class Credentials:
    url: str
    user: str
    password: str

    def jdo_conf(self) -> dict[str, str]:
        return {
            "javax.jdo.option.ConnectionURL": self.url,
            "javax.jdo.option.ConnectionDriverName": "org.postgresql.Driver",
            "javax.jdo.option.ConnectionUserName": self.user,
            "javax.jdo.option.ConnectionPassword": self.password,
        }


def jdbc_url(port: int, database: str = DB_NAME) -> str:
    return f"jdbc:postgresql://{HOST}:{port}/{database}"


def hive_site(properties: Mapping[str, str]) -> str:
    """A hive-site.xml with the given properties (values XML-escaped)."""
    rows = "".join(
        f"  <property><name>{escape(k)}</name><value>{escape(v)}</value></property>\n"
        for k, v in properties.items()
    )
    return f'<?xml version="1.0"?>\n<configuration>\n{rows}</configuration>\n'


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (created 0600, never world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


@dataclass(frozen=True)
class Metastore:
    config: ClusterConfig

    @property
    def home(self) -> Path:
        return self.config.home / "postgres"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def socket_dir(self) -> Path:
        return self.home / "run"

    @property
    def log_file(self) -> Path:
        return self.home / "postgres.log"

    @property
    def credentials_file(self) -> Path:
        return self.config.home / "metastore.credentials"

    @property
    def external(self) -> bool:
        return bool(os.environ.get("PULSE_METASTORE_URL"))

    # -- credentials ---------------------------------------------------------------

    def credentials(self, env: Mapping[str, str] | None = None) -> Credentials:
        """From the environment if set, else the generated local file."""
        env = os.environ if env is None else env
        if env.get("PULSE_METASTORE_URL"):
            return Credentials(
                env["PULSE_METASTORE_URL"],
                env.get("PULSE_METASTORE_USER", DB_USER),
                env.get("PULSE_METASTORE_PASSWORD", ""),
            )
        values = dict(
            line.split("=", 1)
            for line in self.credentials_file.read_text().splitlines()
            if "=" in line
        )
        return Credentials(jdbc_url(self.config.pg_port), values["user"], values["password"])

    def ensure_credentials(self) -> None:
        if not self.credentials_file.exists():
            password = secrets.token_urlsafe(24)
            write_private(self.credentials_file, f"user={DB_USER}\npassword={password}\n")

    # -- the local PostgreSQL cluster ------------------------------------------------

    def _as_owner(self, cmd: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", RUN_AS, "--", *cmd]
        return cmd

    def _run(self, cmd: list[str], stdin: str | None = None) -> str:
        result = subprocess.run(
            self._as_owner(cmd), input=stdin, text=True, capture_output=True, check=False
        )
        if result.returncode != 0:
            raise MetastoreError(f"{' '.join(cmd[:2])} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def _chown(self, path: Path) -> None:
        if os.geteuid() == 0:
            owner = pwd.getpwnam(RUN_AS)
            for p in [path, *path.rglob("*")]:
                os.chown(p, owner.pw_uid, owner.pw_gid)

    def initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def init(self) -> None:
        if not (PG_BIN / "initdb").exists():
            raise MetastoreError(
                f"PostgreSQL not found in {PG_BIN}; run scripts/setup-cluster.sh "
                "(or set PULSE_PG_BIN)"
            )
        if not JDBC_JAR.exists():
            raise MetastoreError(f"{JDBC_JAR} missing; run scripts/setup-cluster.sh")
        self.ensure_credentials()
        if self.initialised():
            return
        self.home.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        self._chown(self.home)
        self._run(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                RUN_AS,
                "--auth-local=peer",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--no-instructions",
            ]
        )

    def pid(self) -> int | None:
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        except (FileNotFoundError, PermissionError, ValueError, IndexError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    def start(self) -> int:
        """Initialise if needed, start on 127.0.0.1:<pg_port>, create role and database."""
        if self.external:
            return 0
        self.init()
        pid = self.pid()
        if pid is None:
            options = (
                f"-c listen_addresses={HOST} -p {self.config.pg_port} "
                f"-c unix_socket_directories={self.socket_dir} -c max_connections=200"
            )
            self._run(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_file),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            )
            pid = self.pid()
            if pid is None:
                raise MetastoreError(f"PostgreSQL did not start; see {self.log_file}")
        self._ensure_database()
        return pid

    def psql(self, sql: str, database: str = "postgres") -> str:
        return self._run(
            [
                str(PG_BIN / "psql"),
                "-h",
                str(self.socket_dir),
                "-p",
                str(self.config.pg_port),
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-qAt",
            ],
            stdin=sql,
        )

    def _ensure_database(self) -> None:
        creds = self.credentials()
        quoted = creds.password.replace("'", "''")
        if self.psql(f"select 1 from pg_roles where rolname = '{creds.user}';").strip() != "1":
            self.psql(f"create role {creds.user} login password '{quoted}';")
        else:
            self.psql(f"alter role {creds.user} password '{quoted}';")
        if self.psql(f"select 1 from pg_database where datname = '{DB_NAME}';").strip() != "1":
            self.psql(f"create database {DB_NAME} owner {creds.user};")

    def schema_ready(self) -> bool:
        """True once the Hive schema exists (its VERSION table has a row)."""
        if self.external:
            return True
        sql = (
            "select count(*) from information_schema.tables "
            "where table_name in ('FUNCS', 'SEQUENCE_TABLE', 'VERSION');"
        )
        if self.psql(sql, DB_NAME).strip() != "3":
            return False
        return self.psql('select count(*) from "VERSION";', DB_NAME).strip() == "1"

    def schema_tool_command(self, props: Path, jdo: Path) -> list[str]:
        classpath = f"{SPARK_HOME / 'jars'}/*:{JDBC_JAR}"
        return ["java", "-cp", classpath, SCHEMA_TOOL, "-create", "-api", "JDO",
                "-props", str(props), str(jdo)]  # fmt: skip

    def create_schema(self) -> None:
        """Create every Hive metastore table up-front, in one process.

        The pyspark wheel has Hive's metastore classes and their JDO mapping
        (package.jdo in hive-metastore-2.3.9.jar) but not Hive's SQL schema scripts, so
        DataNucleus' own SchemaTool creates the tables from that mapping; then the two
        non-JDO tables are added and the schema version recorded. Letting the Thrift
        server create tables lazily (datanucleus.schema.autoCreateAll) deadlocks when
        several sessions do it at once, so it stays off at run time.
        """
        work = self.config.home / "schema"
        work.mkdir(parents=True, exist_ok=True)
        jar = next((SPARK_HOME / "jars").glob("hive-metastore-*.jar"))
        with zipfile.ZipFile(jar) as archive:
            (work / "package.jdo").write_bytes(archive.read("package.jdo"))
        props = {**DATANUCLEUS_CONF, **self.credentials().jdo_conf()}
        write_private(work / "datanucleus.properties",
                      "".join(f"{k}={v}\n" for k, v in props.items()))  # fmt: skip
        try:
            result = subprocess.run(
                self.schema_tool_command(work / "datanucleus.properties", work / "package.jdo"),
                cwd=work, text=True, capture_output=True, check=False,
            )  # fmt: skip
        finally:
            (work / "datanucleus.properties").unlink(missing_ok=True)
        if result.returncode != 0 or "completed successfully" not in result.stdout:
            raise MetastoreError(f"SchemaTool failed:\n{result.stdout[-3000:]}{result.stderr}")
        user = self.credentials().user
        self.psql(f"set role {user};\n{EXTRA_DDL}", DB_NAME)

    def stop(self) -> bool:
        if self.external or self.pid() is None:
            return False
        self._run([str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"])
        return True

    def reset(self) -> None:
        """Stop and delete the local database (all catalogue entries)."""
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)
        time.sleep(0.1)
