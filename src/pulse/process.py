"""Background processes that pulse starts and stops: spawn one into its own process
group with its output in a log file, wait until it is ready, and stop exactly it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

HOST = "127.0.0.1"


def alive(pid: int) -> bool:
    """True while the process exists (a zombie child of ours counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[-1][:1] != "Z"
    except OSError:
        return True


def signal_group(pid: int, sig: signal.Signals) -> None:
    """Signal the process group `pid` leads (spawn starts each process as a leader)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def port_in_use(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def wait_dead(pid: int, timeout: float) -> bool:
    """Wait up to `timeout` seconds for the process to end; True if it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.2)
    return not alive(pid)


def spawn(
    command: list[str], cwd: Path, env: Mapping[str, str], log_file: Path, pid_file: Path, port: int
) -> int:
    """Start `command` in a new session, output appended to `log_file`; record
    "<pid> <port>" in `pid_file` and return the pid."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    pid_file.write_text(f"{proc.pid} {port}\n")
    return proc.pid


def _pid_file_field(pid_file: Path, index: int) -> int | None:
    try:
        return int(pid_file.read_text().split()[index])
    except (FileNotFoundError, ValueError, IndexError):
        return None


def recorded_pid(pid_file: Path) -> int | None:
    """The pid `spawn` recorded, if that process is still alive."""
    pid = _pid_file_field(pid_file, 0)
    return pid if pid is not None and alive(pid) else None


def recorded_port(pid_file: Path) -> int | None:
    """The port `spawn` recorded beside the pid."""
    return _pid_file_field(pid_file, 1)


def wait_ready(
    pid: int, ready: Callable[[], bool], timeout: float, fail: Callable[[str], Exception]
) -> None:
    """Poll `ready` until it is true; raise `fail(reason)` if the process dies or time
    runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            raise fail("exited during start-up")
        if ready():
            return
        time.sleep(1.0)
    raise fail(f"not ready after {timeout:.0f}s")


def stop_group(pid: int, timeout: float) -> None:
    """SIGTERM the process group, SIGKILL it if it outlives `timeout`, wait until gone."""
    signal_group(pid, signal.SIGTERM)
    if not wait_dead(pid, timeout):
        signal_group(pid, signal.SIGKILL)
        wait_dead(pid, 30.0)
