"""A recorder killed with SIGKILL loses at most the last batch of cycles."""

import logging
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import T0
from wattkeeper.history import HistoryConfig, SqliteHistoryStore

BATCH_S = 5
_RECORDER = f"""
import sys
from wattkeeper.history import HistoryConfig, SqliteHistoryStore

store = SqliteHistoryStore(sys.argv[1], HistoryConfig(batch_s={BATCH_S}))
store.declare("_sum/GridActivePower", "power")
ts = {T0}
while True:  # only SIGKILL ends this: no close(), no flush() of the last batch
    store.record(ts, {{"_sum/GridActivePower": ts - {T0}}})
    print(ts, flush=True)
    ts += 1
"""


def test_killed_recorder_keeps_all_but_the_last_batch(db_path: Path) -> None:
    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "PYTHONPATH": str(src)}
    child = subprocess.Popen(
        [sys.executable, "-c", _RECORDER, str(db_path)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert child.stdout is not None
    try:
        last = T0
        for line in child.stdout:
            last = int(line)
            if last >= T0 + 777:  # past two chunk boundaries
                break
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=10)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    store = SqliteHistoryStore(db_path)
    seen = store.query_timeseries_data(T0, last + 1, ["_sum/GridActivePower"], 1)
    store.close()
    values = seen["data"]["_sum/GridActivePower"]
    # Every cycle older than one batch interval before the last one reported is on disk.
    must_have = last - T0 - BATCH_S
    assert values[: must_have + 1] == list(range(must_have + 1))


def test_a_failing_disk_never_reaches_the_cycle(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from wattkeeper.history import sqlite_store, writer

    real_commit = writer.commit_buffer
    failing = True

    def commit(*args: Any) -> None:
        if failing:
            raise sqlite3.OperationalError("disk I/O error")
        real_commit(*args)

    monkeypatch.setattr(sqlite_store, "commit_buffer", commit)
    store = SqliteHistoryStore(db_path, HistoryConfig(batch_s=BATCH_S))
    store.declare("_sum/GridActivePower", "power")
    with caplog.at_level(logging.INFO, logger="wattkeeper.history"):
        for i in range(60):
            store.record(T0 + i, {"_sum/GridActivePower": i})  # raises nothing
        failing = False
        for i in range(60, 70):
            store.record(T0 + i, {"_sum/GridActivePower": i})
    assert [r.levelname for r in caplog.records] == ["WARNING", "INFO"]
    assert "disk I/O error" in caplog.records[0].getMessage()
    result = store.query_timeseries_data(T0, T0 + 70, ["_sum/GridActivePower"], 1)
    store.close()
    assert result["data"]["_sum/GridActivePower"] == list(range(70))


def test_buffering_during_a_long_outage_is_bounded(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wattkeeper.history import sqlite_store, writer

    real_commit = writer.commit_buffer
    failing = True

    def commit(*args: Any) -> None:
        if failing:
            raise sqlite3.OperationalError("database or disk is full")
        real_commit(*args)

    monkeypatch.setattr(sqlite_store, "commit_buffer", commit)
    store = SqliteHistoryStore(db_path, HistoryConfig(batch_s=BATCH_S))
    store.declare("_sum/GridActivePower", "power")
    for i in range(0, 7200, 10):  # two hours of outage
        store.record(T0 + i, {"_sum/GridActivePower": 1})
    failing = False
    store.flush()
    result = store.query_timeseries_data(T0, T0 + 7200, ["_sum/GridActivePower"], 300)
    store.close()
    kept = [v for v in result["data"]["_sum/GridActivePower"] if v is not None]
    assert len(kept) == sqlite_store.MAX_BUFFERED_CHUNKS  # the last hour survived
    assert result["data"]["_sum/GridActivePower"][-1] == 1
