"""The standalone cluster's command lines, settings, credentials and pid handling.

Fast: no Spark and no PostgreSQL is started; the slow end-to-end proof is
`pulse check-cluster` (docs/cluster.md).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pulse.cluster.check import comparable, our_processes
from pulse.cluster.config import HOST, JDBC_JAR, ClusterConfig, redact
from pulse.cluster.manager import Cluster, ClusterError
from pulse.cluster.metastore import Metastore, hive_site, write_private
from pulse.process import alive
from pulse.server import Server
from pulse.settings import PROJECT_DIR, SPARK_HOME, State


@pytest.fixture
def state(tmp_path: Path) -> State:
    return State(tmp_path / "state")


@pytest.fixture
def config(state: State) -> ClusterConfig:
    return ClusterConfig.from_env(state, {})


def _value(cmd: list[str], flag: str) -> str:
    return cmd[cmd.index(flag) + 1]


def _confs(cmd: list[str]) -> dict[str, str]:
    pairs = [cmd[i + 1] for i, arg in enumerate(cmd) if arg == "--conf"]
    return dict(p.split("=", 1) for p in pairs)


def test_defaults(config: ClusterConfig, state: State) -> None:
    assert (config.master_port, config.master_ui_port, config.worker_ui_port) == (7177, 8180, 8181)
    assert (config.workers, config.worker_cores, config.thrift_port) == (2, 1, 10000)
    assert config.master_url == "spark://127.0.0.1:7177"
    assert config.pg_port == 5433
    assert config.warehouse_dir == (state.root / "cluster" / "warehouse").as_uri()


def test_everything_from_env(state: State) -> None:
    env = {
        "PULSE_MASTER_PORT": "7300",
        "PULSE_MASTER_UI_PORT": "8300",
        "PULSE_WORKER_UI_PORT": "8301",
        "PULSE_WORKERS": "3",
        "PULSE_WORKER_CORES": "2",
        "PULSE_WORKER_MEMORY": "3g",
        "PULSE_THRIFT_PORT": "10110",
        "PULSE_PG_PORT": "5544",
        "PULSE_WAREHOUSE_DIR": "s3a://bucket/warehouse",
    }
    config = ClusterConfig.from_env(state, env)
    assert config.master_url == "spark://127.0.0.1:7300"
    assert config.workers == 3 and config.worker_cores == 2 and config.thrift_port == 10110
    assert config.pg_port == 5544 and config.warehouse_dir == "s3a://bucket/warehouse"
    assert _value(config.worker_command(2), "--webui-port") == "8303"
    # the cluster's own port wins over the local server's
    assert ClusterConfig.from_env(state, {**env, "PULSE_CLUSTER_PORT": "10200"}).thrift_port == (
        10200
    )


@pytest.mark.parametrize(("name", "value"), [("PULSE_WORKERS", "0"), ("PULSE_MASTER_PORT", "x")])
def test_bad_env_is_an_error(state: State, name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        ClusterConfig.from_env(state, {name: value})


def test_master_command_is_loopback(config: ClusterConfig) -> None:
    cmd = config.master_command()
    assert cmd[0] == str(SPARK_HOME / "bin" / "spark-class")
    assert cmd[1] == "org.apache.spark.deploy.master.Master"
    assert _value(cmd, "--host") == HOST == "127.0.0.1"
    assert _value(cmd, "--port") == "7177" and _value(cmd, "--webui-port") == "8180"


def test_worker_commands(config: ClusterConfig, state: State) -> None:
    cmds = [config.worker_command(i) for i in range(config.workers)]
    assert {_value(c, "--webui-port") for c in cmds} == {"8181", "8182"}
    for i, cmd in enumerate(cmds):
        assert cmd[1] == "org.apache.spark.deploy.worker.Worker"
        assert _value(cmd, "--host") == HOST
        assert _value(cmd, "--cores") == "1" and _value(cmd, "--memory") == "2g"
        assert cmd[-1] == config.master_url
        assert Path(_value(cmd, "--work-dir")) == state.root / "cluster" / "work" / f"worker-{i}"
    with pytest.raises(ValueError):
        config.worker_command(2)


def test_daemons_bind_loopback_and_log_under_state(config: ClusterConfig, state: State) -> None:
    env = config.daemon_env()
    assert env["SPARK_LOCAL_IP"] == HOST  # web UIs bind to it too
    assert Path(env["SPARK_LOG_DIR"]).is_relative_to(state.root)
    assert env["SPARK_NO_DAEMONIZE"] == "1"  # so the recorded pid is the daemon itself
    # the launcher would size the Thrift driver by SPARK_DAEMON_MEMORY
    assert "SPARK_DAEMON_MEMORY" not in config.thrift_env()
    assert config.thrift_env()["SPARK_LOCAL_IP"] == HOST


def test_thrift_conf(config: ClusterConfig) -> None:
    conf = config.thrift_conf({})
    assert conf["spark.cores.max"] == "2" and conf["spark.executor.cores"] == "1"
    assert conf["spark.driver.extraClassPath"] == str(JDBC_JAR)
    assert conf["spark.sql.warehouse.dir"].startswith("file://")


def test_cloud_secrets_stay_in_the_environment(config: ClusterConfig) -> None:
    env = {
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEKEY",
        "AWS_SECRET_ACCESS_KEY": "secret-example-value",
        "PULSE_S3_ENDPOINT": "https://s3.example.invalid",
        "PULSE_SPARK_PACKAGES": "org.apache.hadoop:hadoop-aws:3.3.4",
    }
    conf = config.thrift_conf(env)
    assert conf["spark.hadoop.fs.s3a.endpoint"] == "https://s3.example.invalid"
    assert conf["spark.jars.packages"] == "org.apache.hadoop:hadoop-aws:3.3.4"
    text = repr(conf)
    assert "AKIAEXAMPLEKEY" not in text and "secret-example-value" not in text


def test_cluster_thrift_server(config: ClusterConfig, state: State) -> None:
    cluster = Cluster(config)
    cluster.metastore.ensure_credentials()
    server = cluster.server()
    cmd = server.command()
    assert _value(cmd, "--master") == "spark://127.0.0.1:7177"
    conf = _confs(cmd)
    assert conf["spark.hadoop.javax.jdo.option.ConnectionURL"] == (
        "jdbc:postgresql://127.0.0.1:5433/pulse_metastore"
    )
    assert conf["spark.hadoop.datanucleus.schema.autoCreateAll"] == "false"
    assert "hive.server2.thrift.bind.host=127.0.0.1" in cmd
    assert server.home == state.root / "cluster"
    password = cluster.metastore.credentials().password
    assert len(password) >= 24 and password not in " ".join(cmd)
    assert password not in repr(server.env)


def test_local_server_unchanged(state: State) -> None:
    cmd = Server(state, 10001).command()
    assert "--master" not in cmd
    conf = _confs(cmd)
    assert conf["spark.hadoop.javax.jdo.option.ConnectionURL"].startswith("jdbc:derby:")
    assert conf["spark.sql.warehouse.dir"] == str(state.root / "server" / "warehouse")
    assert Server(state).home == state.root / "server"


def test_credentials_generated_private_and_unique(tmp_path: Path) -> None:
    stores = [Metastore(ClusterConfig.from_env(State(tmp_path / n), {})) for n in "ab"]
    for store in stores:
        store.ensure_credentials()
        assert stat.S_IMODE(store.credentials_file.stat().st_mode) == 0o600
    a, b = (s.credentials({}) for s in stores)
    assert a.password != b.password
    stores[0].ensure_credentials()  # a second call keeps the password
    assert stores[0].credentials({}).password == a.password
    assert a.url == "jdbc:postgresql://127.0.0.1:5433/pulse_metastore"


def test_credentials_from_env(config: ClusterConfig) -> None:
    env = {
        "PULSE_METASTORE_URL": "jdbc:postgresql://db.example.invalid:5432/hive",
        "PULSE_METASTORE_USER": "hive",
        "PULSE_METASTORE_PASSWORD": "from-env",
    }
    creds = Metastore(config).credentials(env)
    assert (creds.url, creds.user, creds.password) == (
        env["PULSE_METASTORE_URL"],
        "hive",
        "from-env",
    )
    assert not Metastore(config).credentials_file.exists()


def test_credentials_are_git_ignored() -> None:
    assert ".pulse/" in (PROJECT_DIR / ".gitignore").read_text().splitlines()


def test_hive_site_escapes(tmp_path: Path) -> None:
    xml = hive_site({"javax.jdo.option.ConnectionPassword": "a<b&c"})
    assert "<value>a&lt;b&amp;c</value>" in xml
    path = tmp_path / "conf" / "hive-site.xml"
    old = os.umask(0)
    try:
        write_private(path, xml)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_schema_tool_uses_the_wheel_jars(config: ClusterConfig, tmp_path: Path) -> None:
    cmd = Metastore(config).schema_tool_command(tmp_path / "p", tmp_path / "package.jdo")
    assert "org.datanucleus.store.schema.SchemaTool" in cmd and "-create" in cmd
    classpath = _value(cmd, "-cp")
    assert str(SPARK_HOME / "jars") in classpath and str(JDBC_JAR) in classpath


def test_redact() -> None:
    cmd = ["--conf", "spark.hadoop.javax.jdo.option.ConnectionPassword=pw", "--conf", "a=b"]
    assert redact(cmd) == [
        "--conf",
        "spark.hadoop.javax.jdo.option.ConnectionPassword=***",
        "--conf",
        "a=b",
    ]


def test_stop_stops_only_recorded_processes(config: ClusterConfig) -> None:
    cluster = Cluster(config)
    ours = cluster._spawn("worker-0", ["sleep", "60"])
    other = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        assert cluster.alive() == {"worker-0": ours}
        stopped = cluster.stop(timeout=10)
        assert stopped == ["worker-0"]
        assert not alive(ours)
        assert other.poll() is None, "a process the cluster did not start was stopped"
        assert cluster.recorded() == {}
    finally:
        other.kill()
        other.wait()


def test_dead_recorded_pid_is_not_signalled(config: ClusterConfig) -> None:
    cluster = Cluster(config)
    done = subprocess.Popen(["true"])
    done.wait()
    cluster._record("master", done.pid)
    assert cluster.status()["master"] == "dead"
    assert cluster.stop(timeout=5) == []
    assert cluster.recorded() == {}


def test_kill_worker_needs_a_running_worker(config: ClusterConfig) -> None:
    with pytest.raises(ClusterError, match="worker-1"):
        Cluster(config).kill_worker(1)


def test_status_of_nothing(config: ClusterConfig) -> None:
    rows = Cluster(config).status()
    assert rows["master"] == "stopped" and rows["thrift"] == "stopped"
    assert set(rows) == {"postgres", "master", "worker-0", "worker-1", "thrift"}


def test_comparable_columns() -> None:
    assert comparable("x", "double") == "round(`x`, 6)"
    assert comparable("m", "map<string,string>") == "cast(`m` as string)"
    assert comparable("d", "date") == "`d`"


def test_leftover_scan_finds_only_our_root(tmp_path: Path) -> None:
    root = tmp_path / "ours"
    code = "import sys, time; time.sleep(30)"
    proc = subprocess.Popen([sys.executable, "-c", code, str(root)])
    try:
        # the interpreter may pass through a launcher (pyenv) before its command line is final
        deadline = time.monotonic() + 10
        while not any(line.startswith(f"{proc.pid}:") for line in our_processes(root)):
            assert time.monotonic() < deadline, "the scan never found our process"
            time.sleep(0.1)
        assert our_processes(tmp_path / "someone-else") == []
    finally:
        proc.kill()
        proc.wait()
