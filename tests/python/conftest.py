"""Shared fixtures: a Thrift server per test module, with its own state directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from warehouse import Warehouse, warehouse


@pytest.fixture(scope="module")
def thrift_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """A fresh Spark Thrift server (own port, lake and metastore), stopped after the module."""
    root: Path = tmp_path_factory.mktemp("pulse-home")
    with warehouse(root) as wh:
        yield wh
