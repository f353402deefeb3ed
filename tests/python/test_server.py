"""The Thrift server lifecycle, its network exposure, and concurrent sessions."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from pyhive import hive
from warehouse import Warehouse, free_port

from pulse.server import HOST, Server, ServerError
from pulse.settings import State

pytestmark = pytest.mark.spark


def test_start_twice_reuses_one_server(thrift_warehouse: Warehouse) -> None:
    server = thrift_warehouse.server
    pid = server.pid()
    assert pid is not None
    assert server.start() == pid
    assert server.status().startswith("ready")


def test_listens_on_loopback_only(thrift_warehouse: Warehouse) -> None:
    pid = thrift_warehouse.server.pid()
    listening = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=True).stdout
    ours = [line for line in listening.splitlines() if f"pid={pid}," in line]
    assert ours, listening
    for line in ours:
        local = line.split()[3]
        assert "127.0.0.1" in local, f"server listens beyond loopback: {line}"


def test_sessions_share_the_cores_fairly(thrift_warehouse: Warehouse) -> None:
    """The server schedules jobs FAIR inside a FAIR default pool (conf/fairscheduler.xml):
    FAIR mode alone keeps the default pool FIFO, where a small job queues behind every
    task of a large one from another session."""
    import xml.etree.ElementTree as ET

    settings = (
        thrift_warehouse.query("set spark.scheduler.mode").values.tolist()
        + thrift_warehouse.query("set spark.scheduler.allocation.file").values.tolist()
    )
    conf = dict((str(key), str(value)) for key, value in settings)
    assert conf["spark.scheduler.mode"] == "FAIR"
    pools = ET.parse(conf["spark.scheduler.allocation.file"]).getroot().findall("pool")
    modes = {pool.get("name"): pool.findtext("schedulingMode") for pool in pools}
    assert modes == {"default": "FAIR"}


def test_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    port = free_port()
    with socket.socket() as blocker:
        blocker.bind((HOST, port))
        blocker.listen(1)
        server = Server(State(tmp_path), port)
        t0 = time.monotonic()
        with pytest.raises(ServerError, match="already in use"):
            server.start()
        assert time.monotonic() - t0 < 10
        assert server.pid() is None


def test_stop_only_stops_what_start_recorded(tmp_path: Path) -> None:
    server = Server(State(tmp_path), free_port())
    assert server.stop() is False
    assert server.status() == "stopped"


def test_concurrent_sessions(thrift_warehouse: Warehouse) -> None:
    """8 clients open, query and close sessions at once, as dbt threads and a BI tool do.

    This is why the project pins pyspark 3.5: the 4.x wheel lacks hive-llap-common and
    closing concurrent Thrift sessions fails there with NoClassDefFoundError (SPARK-51041).
    """
    port = thrift_warehouse.server.port
    errors: list[str] = []
    done = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + 20

    def client(n: int) -> None:
        while time.monotonic() < deadline:
            try:
                conn = hive.connect(host=HOST, port=port, username=f"client{n}")
                cursor = conn.cursor()
                cursor.execute("select count(*) from range(200000)")
                assert cursor.fetchall() == [(200000,)]
                conn.close()
                with lock:
                    done[0] += 1
            except Exception as err:
                with lock:
                    errors.append(repr(err))
                return

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    assert done[0] >= 8
    log = thrift_warehouse.server.log_file.read_text(errors="replace")
    assert "NoClassDefFoundError" not in log
