"""Retention: raw chunks leave after the raw window, 5-minute aggregates much later."""

import sqlite3
from pathlib import Path

import pytest

from conftest import T0
from wattkeeper.history import HistoryConfig, SqliteHistoryStore

GRID = "_sum/GridActivePower"
BUY = "_sum/GridBuyActiveEnergy"
DAY = 86_400


def _rows(path: Path, table: str) -> list[int]:
    with sqlite3.connect(path) as db:
        return [bucket for (bucket,) in db.execute(f"SELECT bucket FROM {table} ORDER BY bucket")]


def _store(path: Path, prune_interval_s: float | None = None) -> SqliteHistoryStore:
    config = HistoryConfig(
        raw_retention_s=DAY,
        aggregate_retention_s=3 * DAY,
        batch_s=600,
        prune_interval_s=prune_interval_s,
    )
    store = SqliteHistoryStore(path, config)
    store.declare(GRID, "power")
    return store


def _record_days(store: SqliteHistoryStore, days: int, every_s: int = 60) -> None:
    for ts in range(T0, T0 + days * DAY, every_s):
        store.record(ts, {GRID: (ts - T0) % 1000})


@pytest.mark.slow  # days of samples: CI runs it, the fast stage does not
def test_prune_drops_old_raw_chunks_and_keeps_aggregates(db_path: Path) -> None:
    store = _store(db_path)
    _record_days(store, 2)
    store.prune(T0 + 2 * DAY)
    raw, aggregates = _rows(db_path, "raw_chunk"), _rows(db_path, "aggregate_5m")
    assert raw[0] == T0 + DAY - 300  # the first chunk that still ends inside the window
    assert aggregates[0] == T0
    assert len(aggregates) == 2 * DAY // 300
    # The old day still answers at 5-minute resolution.
    result = store.query_timeseries_data(T0, T0 + 600, [GRID], 300)
    assert result["data"][GRID] == [
        (0 + 60 + 120 + 180 + 240) / 5,
        (300 + 360 + 420 + 480 + 540) / 5,
    ]
    store.close()


@pytest.mark.slow  # days of samples: CI runs it, the fast stage does not
def test_prune_packs_old_days_and_drops_them_after_their_window(db_path: Path) -> None:
    store = _store(db_path)
    _record_days(store, 5, every_s=300)
    store.prune(T0 + 5 * DAY)
    # Whole days before the raw window are packed; retention drops whole packed days.
    with sqlite3.connect(db_path) as db:
        days = [day for (day,) in db.execute("SELECT day FROM aggregate_day ORDER BY day")]
    assert days == [T0 + DAY, T0 + 2 * DAY]
    assert _rows(db_path, "aggregate_5m")[0] == T0 + 3 * DAY
    result = store.query_timeseries_data(T0 + DAY - 300, T0 + DAY + 300, [GRID], 300)
    assert result["data"][GRID] == [None, DAY % 1000]
    store.close()


@pytest.mark.slow  # days of samples: CI runs it, the fast stage does not
def test_record_prunes_periodically_by_itself(db_path: Path) -> None:
    store = _store(db_path, prune_interval_s=3600)
    _record_days(store, 3)
    store.flush()
    assert _rows(db_path, "raw_chunk")[0] >= T0 + 2 * DAY - 3600 - 300
    store.close()


@pytest.mark.slow  # days of samples: CI runs it, the fast stage does not
def test_pruning_returns_pages_to_the_file_system(db_path: Path) -> None:
    store = _store(db_path)
    _record_days(store, 2, every_s=1)
    store.flush()
    store.prune(T0 + 10 * DAY)  # everything is past both windows
    store.close()
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA freelist_count").fetchone()[0] == 0
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    assert pages < 20


def test_late_samples_add_to_the_aggregate_of_a_pruned_chunk(db_path: Path) -> None:
    store = SqliteHistoryStore(db_path, HistoryConfig(raw_retention_s=600, batch_s=60))
    store.declare(GRID, "power")
    for i in range(100):
        store.record(T0 + i, {GRID: 10})
    store.record(T0 + 2000, {GRID: 0})
    store.prune(T0 + 2000)  # the raw chunk of T0 is gone, its aggregate stays
    store.record(T0 + 150, {GRID: 110})  # a cycle that arrives very late
    store.flush()
    result = store.query_timeseries_data(T0, T0 + 300, [GRID], 300)
    store.close()
    assert result["data"][GRID] == [(100 * 10 + 110) / 101]


@pytest.mark.slow  # days of samples: CI runs it, the fast stage does not
def test_packing_old_days_changes_no_answer(db_path: Path, tmp_path: Path) -> None:
    store = _store(db_path)
    store.declare(BUY, "counter")
    for ts in range(T0, T0 + 3 * DAY, 10):
        store.record(ts, {GRID: (ts * 7919) % 2000 - 1000, BUY: (ts - T0) // 7})
    store.flush()
    before = _answers(store)
    with sqlite3.connect(db_path) as source, sqlite3.connect(tmp_path / "copy.sqlite") as copy:
        source.backup(copy)
    store.prune(T0 + 3 * DAY)  # raw kept for the last day; the first day packed
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT count(*) FROM aggregate_day").fetchone()[0] == 2  # channels
    assert _answers(store) == before
    store.close()
    # Late samples for a packed bucket add to its statistics.
    late = SqliteHistoryStore(tmp_path / "copy.sqlite", store.config)
    late.prune(T0 + 3 * DAY)
    late.record(T0 + 5, {GRID: 5000})
    late.flush()
    old = before["data"][0]
    assert isinstance(old, float)
    new = late.query_timeseries_data(T0, T0 + 300, [GRID], 300)["data"][GRID][0]
    late.close()
    assert new == (old * 30 + 5000) / 31


def _answers(store: SqliteHistoryStore) -> dict[str, list[object]]:
    series = store.query_timeseries_data(T0, T0 + 3 * DAY, [GRID, BUY], 3600, "Europe/Berlin")
    five = store.query_timeseries_data(T0, T0 + 300, [GRID], 300)["data"][GRID]
    days = store.query_timeseries_energy_per_period(T0, T0 + 3 * DAY, [BUY], "day", "UTC")
    energy = store.query_timeseries_energy(T0 + 300, T0 + 2 * DAY + 300, [BUY])
    return {"data": five, "series": [series], "days": [days], "energy": [energy]}
