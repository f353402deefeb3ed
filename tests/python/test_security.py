"""Security, checked statically and fast (no Spark): every listener is on loopback, the
cluster target's credentials come from the environment only, no secret is committed,
and dates and names from the command line are validated before anything runs.

That the running Thrift server really listens on 127.0.0.1 only is checked against the
live process in test_server.py; the generated docs site and the logs are scanned for
secrets by `pulse check-reliability`.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml  # type: ignore[import-untyped]
from typer.testing import CliRunner, Result

import pulse.dbt
import pulse.pipeline
from pulse.cli import app
from pulse.dbt import BUILD
from pulse.reliability.secrets import PATTERNS, repository_files, scan_files
from pulse.server import HOST, Server
from pulse.settings import State, read_spark_defaults

REPO = Path(__file__).resolve().parents[2]
LOOPBACK = {"127.0.0.1", "localhost"}
WILDCARD = ".".join("0" * 4)  # spelled so that this file does not configure it
# env_var('PULSE_X'), with a literal default or a default from another PULSE_ variable
ENV_VAR = re.compile(
    r"^\{\{\s*env_var\('(?P<name>PULSE_[A-Z_]+)'"
    r"(?:,\s*(?:'(?P<default>[^']*)'|env_var\('PULSE_[A-Z_]+'(?:,\s*'[^']*')?\)))?\)"
    r"(?:\s*\|\s*as_number)?\s*\}\}$"
)
SECRET_KEYS = ("token", "password", "client_secret", "client_id", "auth", "user")


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


# --- listeners --------------------------------------------------------------------------------


def test_thrift_server_command_binds_loopback_only(tmp_path: Path) -> None:
    command = Server(State(tmp_path), 10999).command()
    assert HOST == "127.0.0.1"
    settings = dict(
        arg.split("=", 1)
        for flag, arg in itertools.pairwise(command)
        if flag
        in (
            "--hiveconf",
            "--conf",
        )
    )
    assert settings["hive.server2.thrift.bind.host"] == "127.0.0.1"
    assert settings["hive.server2.thrift.port"] == "10999"
    assert settings.get("hive.server2.transport.mode", "binary") == "binary"  # no HTTP listener
    conf = {**read_spark_defaults(), **settings}
    assert conf["spark.driver.host"] == "127.0.0.1"
    assert conf["spark.driver.bindAddress"] == "127.0.0.1"  # block manager, RPC
    assert conf["spark.ui.enabled"] == "false"  # no web UI on any interface
    assert not [arg for arg in command if WILDCARD in arg]


def test_docs_are_served_on_loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    class Done:
        returncode = 0

    def fake_run_dbt(args: list[str], *rest: Any, **kwargs: Any) -> Done:
        calls.append(args)
        return Done()

    monkeypatch.setattr(pulse.dbt, "run_dbt", fake_run_dbt)
    monkeypatch.setattr(pulse.pipeline, "ensure_server", lambda *a: None)
    monkeypatch.setattr(pulse.pipeline, "docs_generate", lambda *a: Path("index.html"))
    result = invoke("docs", "--port", "8123")
    assert result.exit_code == 0, result.output
    (serve,) = calls
    assert serve[:2] == ["docs", "serve"]
    assert serve[serve.index("--host") + 1] == "127.0.0.1"


def test_dashboards_and_local_target_point_at_loopback() -> None:
    exposures = yaml.safe_load((REPO / "models/marts/_exposures.yml").read_text())["exposures"]
    assert exposures
    for exposure in exposures:
        assert urlparse(exposure["url"]).hostname in LOOPBACK, exposure["name"]
    local = _profile()["outputs"]["local"]
    assert local["host"] == "127.0.0.1"


def test_no_file_configures_a_wildcard_listen_address() -> None:
    wildcard = re.compile(r"0\.0\.0\.0|bind[_.-]?(?:host|address)\W+(?!127\.0\.0\.1)\S*::")
    offenders = [
        f"{path.relative_to(REPO)}:{n}"
        for path in repository_files(REPO)
        if path.suffix in (".py", ".yml", ".yaml", ".conf", ".sh", ".sql", ".toml", ".cfg")
        and path.is_file()
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if wildcard.search(line)
    ]
    assert offenders == []


# --- credentials -------------------------------------------------------------------------------


def _profile() -> dict[str, Any]:
    document = yaml.safe_load((REPO / "profiles/profiles.yml").read_text())
    return dict(document["pulse"])


def test_cluster_target_takes_credentials_from_the_environment_only() -> None:
    cluster = _profile()["outputs"]["cluster"]
    literal_ok = {"type", "threads", "connect_retries", "connect_timeout", "retry_all"}
    for key, value in cluster.items():
        if key in literal_ok:
            continue
        match = ENV_VAR.match(str(value))
        assert match, f"cluster.{key} must come from an environment variable, got {value!r}"
        if key in SECRET_KEYS:
            assert match["default"] in (None, "", "NONE", "pulse"), f"cluster.{key} default"
    for key in ("host", "token"):
        assert key in cluster
    assert ENV_VAR.match(cluster["token"])["default"] == ""  # type: ignore[index]
    for name, output in _profile()["outputs"].items():
        for key in ("token", "password", "client_secret"):
            assert key not in output or ENV_VAR.match(str(output[key])), f"{name}.{key}"


def test_no_secret_is_committed() -> None:
    files = repository_files(REPO)
    assert len(files) > 50  # the scan saw the repository
    assert [str(f) for f in scan_files(files)] == []


def test_the_secret_scanner_finds_planted_secrets(tmp_path: Path) -> None:
    # built at run time, so this file itself holds no secret-looking literal
    planted = {
        "private key": "-----BEGIN RSA " + "PRIVATE KEY-----",
        "AWS access key id": "AKIA" + "ABCDEFGHIJKLMNOP",
        "Databricks token": "dapi" + "0123456789abcdef" * 2,
        "GitHub token": "ghp_" + "a1" * 18,
        "Slack token": "xoxb-" + "1234567890-abc",
        "Google API key": "AIza" + "B" * 35,
        "password in a URL": "jdbc:hive2://" + "alice:" + "s3cret@host:10000/db",
        "credential assignment": "token: " + '"' + "hunter2hunter2" + '"',
    }
    assert set(planted) == set(PATTERNS)
    clean = [
        "token: \"{{ env_var('PULSE_CLUSTER_TOKEN', '') }}\"",
        "password = os.environ['PULSE_PASSWORD']",
        "see https://docs.getdbt.com/reference/dbt-jinja-functions/env_var",
    ]
    path = tmp_path / "leak.yml"
    path.write_text("\n".join([*clean, *planted.values()]) + "\n")
    found = scan_files([path])
    assert sorted(f.kind for f in found) == sorted(planted)
    assert min(f.line for f in found) == len(clean) + 1
    assert all("s3cret" not in f.excerpt and "hunter2hunter2" not in f.excerpt for f in found)


# --- command-line input that reaches SQL --------------------------------------------------------


@pytest.fixture
def no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Anything that would start Spark or run dbt fails the test."""

    def tripwire(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"reached the engine with {args}")

    for name in ("register_raw_tables", "run_dbt", "Server"):
        monkeypatch.setattr(pulse.pipeline, name, tripwire)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2024-01-01'; drop table x --", "--end", "2024-01-02"], "--start must be"),
        (["--start", "2024-01-01", "--end", "2024-01-02' or '1'='1"], "--end must be"),
        (["--start", "2024-01-01\n", "--end", "2024-01-02"], "--start must be"),
        (["--start", "２０２４-01-01", "--end", "2024-01-02"], "--start must be"),
    ],
)
def test_backfill_validates_dates_and_target_before_anything_runs(  # see also test_pipeline
    no_engine: None, args: list[str], message: str
) -> None:
    result = invoke("backfill", *args)
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())


@pytest.mark.parametrize(
    "command",
    [
        ["backfill", "--start", "2024-01-01", "--end", "2024-01-02"],
        ["dbt", "ls"],
        ["register"],
        ["run"],
        ["docs"],
    ],
)
def test_every_command_rejects_an_unknown_target_as_a_usage_error(
    no_engine: None, command: list[str]
) -> None:
    result = invoke(*command, "--target", "local; drop")
    assert result.exit_code == 2
    assert "--target" in result.output and "must be one of local, embedded, cluster" in " ".join(
        result.output.replace("│", " ").split()
    )


def test_backfill_passes_dates_as_dbt_vars_not_sql(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[list[str], dict[str, object] | None]] = []

    class Done:
        returncode = 0

    def fake_run_dbt(args: list[str], target: str, state: State, variables: Any = None) -> Done:
        seen.append((args, variables))
        return Done()

    monkeypatch.setattr(pulse.pipeline, "ensure_server", lambda *a: None)
    monkeypatch.setattr(pulse.pipeline, "register_raw_tables", lambda *a: Done())
    monkeypatch.setattr(pulse.pipeline, "run_dbt", fake_run_dbt)
    published: list[str] = []
    monkeypatch.setattr(pulse.pipeline, "publish", lambda *a: published.append("serving"))
    result = invoke("backfill", "--start", "2024-01-01", "--end", "2024-01-31")
    assert result.exit_code == 0, result.output
    assert seen == [(list(BUILD), {"backfill_start": "2024-01-01", "backfill_end": "2024-01-31"})]
    assert published == ["serving"]  # the backfill passed, so the dashboards get it


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--load-date", "2024-01-01'; drop table x --"], "--load-date must be a date"),
        (["--source", "marketing'; drop table x --"], "unknown source"),
        (["--source", "marketing.clickstream; --"], "unknown source"),
    ],
)
def test_load_validates_its_names_and_dates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.setenv("PULSE_HOME", str(tmp_path))
    (tmp_path / "landing").mkdir()
    result = invoke("load", "--path", str(tmp_path / "landing"), *args)
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "lake" / "loader").exists()


def test_no_shell_is_ever_spawned() -> None:
    """Subprocesses take argument lists: nothing from the command line meets a shell."""
    offenders = [
        f"{path.relative_to(REPO)}:{n}"
        for path in sorted((REPO / "src").rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"shell\s*=\s*True|os\.system\(|os\.popen\(", line)
    ]
    assert offenders == []
