"""Fixtures shared by the history store tests."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from wattkeeper.history import HistoryConfig, SqliteHistoryStore

# 2026-11-24T00:00:00Z, a multiple of 300 s like every chunk start.
T0 = 1_795_478_400


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite"


@pytest.fixture
def store(db_path: Path) -> Iterator[SqliteHistoryStore]:
    history = SqliteHistoryStore(db_path, HistoryConfig(prune_interval_s=None))
    history.declare("_sum/GridActivePower", "power")
    history.declare("_sum/GridBuyActiveEnergy", "counter")
    history.declare("ess0/State", "state")
    yield history
    history.close()
