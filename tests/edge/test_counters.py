"""Energy counters in the history: continuous, and never energy that no device produced."""

from __future__ import annotations

import logging
from pathlib import Path

from wattkeeper.config.site import ComponentEntry
from wattkeeper.edge.counters import CounterContinuity, device_fingerprint
from wattkeeper.history import SqliteHistoryStore

ADDRESS = "_sum/GridBuyActiveEnergy"
T0 = 1_782_036_000.0
DEMO = device_fingerprint([ComponentEntry(id="meter0", factory="Simulator.GridMeter.Reacting")])
SUNSPEC = device_fingerprint(
    [ComponentEntry(id="meter0", factory="SunSpec.Meter", properties={"port": 5502})]
)


def record(store: SqliteHistoryStore, counters: CounterContinuity, samples) -> None:
    for ts, value in samples:
        store.record(ts, {ADDRESS: counters.adjust(ADDRESS, value, ts)})


def energy(store: SqliteHistoryStore, start: float, stop: float) -> float:
    store.flush()
    return store.query_timeseries_energy(start, stop, [ADDRESS])["data"][ADDRESS]


def open_store(tmp_path: Path) -> SqliteHistoryStore:
    store = SqliteHistoryStore(tmp_path / "history.sqlite")
    store.declare(ADDRESS, "counter")
    return store


def test_a_counter_that_jumps_within_a_run_adds_no_energy(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    counters = CounterContinuity(store, DEMO, tmp_path)
    # 1 Wh per second (3.6 kW), then the meter is replaced by one that reads 500,000 Wh
    record(store, counters, [(T0 + i, 100.0 + i) for i in range(60)])
    record(store, counters, [(T0 + 60 + i, 500_000.0 + i) for i in range(60)])
    assert energy(store, T0, T0 + 120) == 118.0  # the 118 one-second steps, not the jump


def test_a_counter_that_goes_back_adds_no_negative_energy_and_logs_once(
    tmp_path: Path, caplog
) -> None:
    store = open_store(tmp_path)
    counters = CounterContinuity(store, DEMO, tmp_path)
    caplog.set_level(logging.INFO, logger="wattkeeper.edge.counters")
    samples = []
    for i in range(30):  # a counter that restarts every 10 s
        samples.append((T0 + i, float(i % 10)))
    record(store, counters, samples)
    assert energy(store, T0, T0 + 30) == 27.0
    assert len([r for r in caplog.records if r.levelno >= logging.INFO]) == 1


def test_another_site_on_the_same_data_directory_invents_no_energy(tmp_path: Path) -> None:
    first = open_store(tmp_path)
    record(first, CounterContinuity(first, DEMO, tmp_path), [(T0 + i, 10.0 * i) for i in range(60)])
    first.close()
    # the README's SunSpec example on the demo's data directory, a few hours later: its meter
    # has counted 500,000 Wh in its life, which is not what this home bought today
    second = open_store(tmp_path)
    later = T0 + 3 * 3600
    record(
        second,
        CounterContinuity(second, SUNSPEC, tmp_path),
        [(later + i, 500_000.0 + 2 * i) for i in range(60)],
    )
    assert energy(second, T0, later + 60) == 590.0 + 118.0


def test_the_same_devices_count_on_while_the_edge_is_away(tmp_path: Path) -> None:
    first = open_store(tmp_path)
    record(
        first, CounterContinuity(first, DEMO, tmp_path), [(T0 + i, 1000.0 + i) for i in range(60)]
    )
    first.close()
    # an hour later the same meter reads 2 kWh more: bought while the edge was off
    second = open_store(tmp_path)
    later = T0 + 3600
    record(
        second, CounterContinuity(second, DEMO, tmp_path), [(later, 3059.0), (later + 1, 3060.0)]
    )
    assert energy(second, T0, later + 2) == 3060.0 - 1000.0


def test_the_same_devices_restarting_at_zero_continue(tmp_path: Path) -> None:
    first = open_store(tmp_path)
    record(
        first, CounterContinuity(first, DEMO, tmp_path), [(T0 + i, 1000.0 + i) for i in range(60)]
    )
    first.close()
    second = open_store(tmp_path)
    later = T0 + 600
    record(
        second,
        CounterContinuity(second, DEMO, tmp_path),
        [(later + i, float(i)) for i in range(10)],
    )
    assert energy(second, T0, later + 10) == 59.0 + 9.0


def test_a_read_only_data_directory_still_records(tmp_path: Path, caplog) -> None:
    store = open_store(tmp_path)
    (tmp_path / "counters.json").mkdir()  # cannot be replaced by a file: the write fails
    counters = CounterContinuity(store, DEMO, tmp_path)
    record(store, counters, [(T0 + i, float(i)) for i in range(10)])
    assert energy(store, T0, T0 + 10) == 9.0
    assert any("counters.json" in r.getMessage() for r in caplog.records)
