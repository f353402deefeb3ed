"""Shared fixtures: one Spark Thrift server for the test session, reset for each module.

Starting a server costs tens of seconds and a cold JVM, so every module that needs one
gets the same server; before a module runs, its databases and raw lake are dropped, so
modules still never see each other's tables.

The suite runs on two pytest-xdist workers (`--dist loadfile`, scripts/test.sh): each
worker has its own server, and a module runs whole on one worker. The longest modules
are collected first, so neither worker is left with a long module at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from warehouse import Warehouse, warehouse

# Modules of more than a minute (measured in CI), longest first; the rest keep their order.
LONGEST_FIRST = (
    "test_incremental.py",
    "test_bench.py",
    "test_engagement.py",
    "test_golden_play_store.py",
    "test_golden_marketing.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: tests within a module keep their order


@pytest.fixture(scope="session")
def shared_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """A Spark Thrift server (own port, lake and metastore), stopped after the session."""
    root: Path = tmp_path_factory.mktemp("pulse-home")
    with warehouse(root) as wh:
        yield wh


@pytest.fixture(scope="module")
def thrift_warehouse(shared_warehouse: Warehouse) -> Warehouse:
    """The session's server with no tables and no raw files left by an earlier module."""
    shared_warehouse.reset()
    return shared_warehouse
