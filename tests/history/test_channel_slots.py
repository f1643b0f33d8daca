"""slot_values: several channels per slot from a real store; a never-declared one is gaps."""

from __future__ import annotations

from pathlib import Path

from wattkeeper.history import SqliteHistoryStore
from wattkeeper.history.channel_slots import slot_values

T0 = 1_782_043_200  # on a quarter hour


def test_means_per_quarter_and_gaps_for_what_was_never_recorded(tmp_path: Path) -> None:
    store = SqliteHistoryStore(tmp_path / "h.sqlite")
    store.declare("_sum/GridActivePower", "power")
    store.declare("ctrl0/StateMachine", "state")
    for second in range(0, 1800, 10):
        first_quarter = second < 900
        store.record(
            T0 + second,
            {
                "_sum/GridActivePower": 100 if first_quarter else 300,
                "ctrl0/StateMachine": 1 if second != 1000 else 3,
            },
        )
    found = slot_values(
        store, T0, T0 + 2700, ["_sum/GridActivePower", "ctrl0/StateMachine", "_sum/EssSoc"], 900
    )
    assert found == {
        "_sum/GridActivePower": [100.0, 300.0, None],
        "ctrl0/StateMachine": [1, 3, None],
        "_sum/EssSoc": [None, None, None],
    }
    store.close()
