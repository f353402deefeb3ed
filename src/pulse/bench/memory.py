"""Peak resident memory of a process tree, sampled from /proc (Linux)."""

from __future__ import annotations

import threading
from pathlib import Path

PROC = Path("/proc")


def _status_kib(pid: int, field: str) -> int:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def process_tree(root: int) -> list[int]:
    """`root` and every descendant, from /proc/<pid>/task/*/children."""
    pids, queue = [], [root]
    while queue:
        pid = queue.pop()
        pids.append(pid)
        try:
            tasks = list((PROC / str(pid) / "task").glob("*/children"))
        except OSError:  # the process ended while the tree was walked
            continue
        for task in tasks:
            try:
                queue.extend(int(c) for c in task.read_text().split())
            except (OSError, ValueError):
                continue
    return pids


def tree_rss_bytes(root: int) -> int:
    return 1024 * sum(_status_kib(pid, "VmRSS") for pid in process_tree(root))


def tree_hwm_bytes(root: int) -> int:
    """The largest per-process peak (VmHWM) in the tree: the JVM's, for a Spark process."""
    return 1024 * max((_status_kib(pid, "VmHWM") for pid in process_tree(root)), default=0)


class PeakSampler:
    """Samples a process tree's RSS in a thread; `peak` is the largest sum seen (or VmHWM)."""

    def __init__(self, root: int, interval: float = 0.5) -> None:
        self.root = root
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        self.peak = max(self.peak, tree_rss_bytes(self.root), tree_hwm_bytes(self.root))

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
