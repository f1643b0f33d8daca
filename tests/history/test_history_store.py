"""Declare, record and query back through SqliteHistoryStore."""

import math
from pathlib import Path

import pytest

from conftest import T0
from wattkeeper.history import HistoryConfig, HistoryStore, SqliteHistoryStore
from wattkeeper.history.errors import HistoryQueryError

GRID = "_sum/GridActivePower"
BUY = "_sum/GridBuyActiveEnergy"
STATE = "ess0/State"


def test_sqlite_store_satisfies_the_protocol(store: SqliteHistoryStore) -> None:
    backend: HistoryStore = store  # mypy checks the structural match; this keeps it imported
    assert backend is store


def test_round_trip_at_full_resolution(store: SqliteHistoryStore) -> None:
    for i in range(10):
        store.record(T0 + i, {GRID: 100 * i, BUY: 5000 + i, STATE: i % 3})
    result = store.query_timeseries_data(T0, T0 + 10, [GRID, BUY, STATE], 1)
    assert result["timestamps"][:2] == ["2026-11-24T00:00:00Z", "2026-11-24T00:00:01Z"]
    assert result["data"] == {
        GRID: [100 * i for i in range(10)],
        BUY: [5000 + i for i in range(10)],
        STATE: [i % 3 for i in range(10)],
    }


def test_each_kind_aggregates_its_own_way(store: SqliteHistoryStore) -> None:
    for i in range(10):
        store.record(T0 + i, {GRID: i, BUY: 10 * i, STATE: 7 if i == 3 else 1})
    result = store.query_timeseries_data(T0, T0 + 10, [GRID, BUY, STATE], 5)
    assert result["data"] == {GRID: [2.0, 7.0], BUY: [40, 90], STATE: [7, 1]}


def test_none_is_a_gap_not_a_zero(store: SqliteHistoryStore) -> None:
    store.record(T0, {GRID: 10})
    store.record(T0 + 1, {GRID: None})
    store.record(T0 + 2, {GRID: 30.5})
    store.record(T0 + 3, {GRID: "garbage"})  # type: ignore[dict-item]
    store.record(T0 + 4, {GRID: 10**400})
    store.record(T0 + 5, {GRID: math.inf})
    store.record(T0 + 6, {GRID: -math.inf})
    store.record(T0 + 7, {GRID: math.nan})
    assert store.query_timeseries_data(T0, T0 + 8, [GRID], 1)["data"][GRID] == [
        10,
        None,
        30.5,
        *[None] * 5,
    ]
    assert store.query_timeseries_data(T0, T0 + 4, [GRID], 4)["data"][GRID] == [20.25]
    assert store.query_timeseries_data(T0 + 60, T0 + 120, [GRID], 60)["data"][GRID] == [None]


def test_undeclared_addresses_are_not_recorded(store: SqliteHistoryStore) -> None:
    store.record(T0, {GRID: 1, "meter9/Whatever": 2})
    store.declare("meter9/Whatever", "power")
    store.record(T0 + 1, {GRID: 1, "meter9/Whatever": 3})
    result = store.query_timeseries_data(T0, T0 + 2, ["meter9/Whatever"], 1)
    assert result["data"]["meter9/Whatever"] == [None, 3]


def test_declare_many_declares_all_or_none(tmp_path: Path) -> None:
    store = SqliteHistoryStore(tmp_path / "h.sqlite")
    with pytest.raises(HistoryQueryError, match="component/Channel"):
        store.declare_many([("meter9/A", "power"), ("no-slash", "power")])
    with pytest.raises(HistoryQueryError, match="never declared"):
        store.query_timeseries_data(T0, T0 + 1, ["meter9/A"], 1)
    store.declare_many([("meter9/A", "power"), ("meter9/B", "counter")])
    store.record(T0 + 1, {"meter9/A": 2, "meter9/B": 7})
    store.close()
    reopened = SqliteHistoryStore(tmp_path / "h.sqlite")  # declarations are stored
    reopened.record(T0 + 2, {"meter9/A": 3})
    result = reopened.query_timeseries_data(T0 + 1, T0 + 3, ["meter9/A", "meter9/B"], 1)
    assert result["data"] == {"meter9/A": [2, 3], "meter9/B": [7, None]}
    reopened.close()


def test_timestamps_follow_the_timezone(store: SqliteHistoryStore) -> None:
    result = store.query_timeseries_data(T0, T0 + 900, [GRID], 300, "Europe/Berlin")
    assert result["timestamps"] == [
        "2026-11-24T01:00:00+01:00",
        "2026-11-24T01:05:00+01:00",
        "2026-11-24T01:10:00+01:00",
    ]
    assert result["data"][GRID] == [None, None, None]


def test_a_last_partial_slot_is_cut_at_to_ts(store: SqliteHistoryStore) -> None:
    for i in range(7):
        store.record(T0 + i, {GRID: i})
    result = store.query_timeseries_data(T0, T0 + 7, [GRID], 3)
    assert result["data"][GRID] == [1.0, 4.0, 6.0]
    assert len(result["timestamps"]) == 3


def test_data_survives_a_restart_and_the_chunk_keeps_filling(db_path: Path) -> None:
    first = SqliteHistoryStore(db_path)
    first.declare(GRID, "power")
    for i in range(10):
        first.record(T0 + i, {GRID: i})
    first.close()
    second = SqliteHistoryStore(db_path)
    for i in range(10, 20):
        second.record(T0 + i, {GRID: i})
    result = second.query_timeseries_data(T0, T0 + 20, [GRID], 1)
    second.close()
    assert result["data"][GRID] == list(range(20))


def test_late_samples_merge_into_a_committed_chunk(store: SqliteHistoryStore) -> None:
    for i in range(0, 900, 2):
        store.record(T0 + i, {GRID: i})
    store.flush()
    store.record(T0 + 1, {GRID: 1})  # a cycle that arrives late, chunks ago
    store.flush()
    result = store.query_timeseries_data(T0, T0 + 4, [GRID], 1)
    assert result["data"][GRID] == [0, 1, 2, None]
    average = (sum(range(0, 300, 2)) + 1) / 151
    assert store.query_timeseries_data(T0, T0 + 300, [GRID], 300)["data"][GRID] == [average]


def test_redeclaring_changes_only_the_aggregation(store: SqliteHistoryStore) -> None:
    for i in range(4):
        store.record(T0 + i, {STATE: i})
    store.declare(STATE, "power")
    assert store.query_timeseries_data(T0, T0 + 4, [STATE], 4)["data"][STATE] == [1.5]


def test_record_commits_once_per_batch(db_path: Path) -> None:
    store = SqliteHistoryStore(db_path, HistoryConfig(batch_s=5))
    store.declare(GRID, "power")
    for i in range(7):
        store.record(T0 + i, {GRID: i})
    # A second connection sees only what a commit made durable.
    other = SqliteHistoryStore(db_path)
    seen = other.query_timeseries_data(T0, T0 + 7, [GRID], 1)["data"][GRID]
    assert seen == [0, 1, 2, 3, 4, 5, None]
    store.close()
    other.close()


def test_close_is_idempotent(db_path: Path) -> None:
    store = SqliteHistoryStore(db_path)
    store.close()
    store.close()


@pytest.mark.parametrize("value", [0.1, -3.25, 1e-9, 123456789.123, 2**62, -(2**40)])
def test_values_come_back_exactly(store: SqliteHistoryStore, value: float) -> None:
    store.record(T0, {GRID: value})
    assert store.query_timeseries_data(T0, T0 + 1, [GRID], 1)["data"][GRID] == [value]


def test_record_does_not_wait_for_a_query_holding_the_database(store: SqliteHistoryStore) -> None:
    store.record(T0, {GRID: 1})
    with store._lock:  # what a long query in another thread does
        store.record(T0 + 1, {GRID: 2})  # would deadlock here if record() waited
    store.record(T0 + 2, {GRID: 3})
    assert store.query_timeseries_data(T0, T0 + 3, [GRID], 1)["data"][GRID] == [1, 2, 3]


def test_parked_cycles_reach_the_database_on_close(db_path: Path) -> None:
    store = SqliteHistoryStore(db_path)
    store.declare(GRID, "power")
    with store._lock:
        store.record(T0, {GRID: 7})
    store.close()
    reopened = SqliteHistoryStore(db_path)
    assert reopened.query_timeseries_data(T0, T0 + 1, [GRID], 1)["data"][GRID] == [7]
    reopened.close()


def test_public_api_is_pinned() -> None:
    import wattkeeper.history as history

    assert sorted(history.__all__) == [
        "HistoryConfig",
        "HistoryJsonRpc",
        "HistoryQueryError",
        "HistoryStore",
        "Kind",
        "Period",
        "Resolution",
        "SqliteHistoryStore",
    ]


def test_the_package_imports_no_other_wattkeeper_subpackage() -> None:
    source = Path(__file__).resolve().parents[2] / "src" / "wattkeeper" / "history"
    for module in source.glob("*.py"):
        for line in module.read_text().splitlines():
            if line.startswith(("import wattkeeper", "from wattkeeper")):
                assert line.startswith("from wattkeeper.history"), f"{module.name}: {line}"


@pytest.mark.parametrize("ts", [math.nan, math.inf, -math.inf])
def test_a_broken_timestamp_is_dropped_not_raised(store: SqliteHistoryStore, ts: float) -> None:
    store.record(ts, {GRID: 1})
    store.record(T0, {GRID: 2})
    assert store.query_timeseries_data(T0, T0 + 1, [GRID], 1)["data"][GRID] == [2]


def test_an_in_memory_store_serves_other_packages_tests() -> None:
    store = SqliteHistoryStore(":memory:")
    store.declare(GRID, "power")
    store.record(T0, {GRID: 42})
    assert store.query_timeseries_data(T0, T0 + 1, [GRID], 1)["data"][GRID] == [42]
    store.close()
