"""The cycle thread records while another thread queries: nothing is lost or torn."""

import threading
from pathlib import Path

from conftest import T0
from wattkeeper.history import HistoryConfig, SqliteHistoryStore

GRID = "_sum/GridActivePower"


def test_queries_in_another_thread_lose_no_cycle(db_path: Path) -> None:
    store = SqliteHistoryStore(db_path, HistoryConfig(batch_s=5, prune_interval_s=None))
    store.declare(GRID, "power")
    done = threading.Event()
    answers: list[int] = []
    errors: list[BaseException] = []

    def query_loop() -> None:
        try:
            while not done.is_set():
                values = store.query_timeseries_data(T0, T0 + 3000, [GRID], 1)["data"][GRID]
                present = [v for v in values if v is not None]
                # Whatever a query sees is a prefix of the cycles: nothing torn or reordered.
                assert present == list(range(len(present)))
                answers.append(len(present))
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)

    reader = threading.Thread(target=query_loop)
    reader.start()
    try:
        for i in range(3000):
            store.record(T0 + i, {GRID: i})
    finally:
        done.set()
        reader.join(timeout=30)
    assert not errors
    assert answers  # the reader did overlap with the recording
    result = store.query_timeseries_data(T0, T0 + 3000, [GRID], 1)
    store.close()
    assert result["data"][GRID] == list(range(3000))
