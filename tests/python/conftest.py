"""Shared fixtures: one Spark Thrift server for the test session, reset for each module.

Starting a server costs tens of seconds and a cold JVM, so every module that needs one
gets the same server; before a module runs, its databases and raw lake are dropped, so
modules still never see each other's tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from warehouse import Warehouse, warehouse


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
