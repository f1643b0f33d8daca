"""A simulated week at 1 Hz, across the end of summer time in Europe/Berlin, queried back."""

import itertools
import math
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from wattkeeper.history import HistoryConfig, SqliteHistoryStore
from wattkeeper.history.codec import decode
from wattkeeper.history.stats import Stats, of_samples

# simulates hours of cycles: left out of the fast stage
pytestmark = pytest.mark.slow

BERLIN = ZoneInfo("Europe/Berlin")
START = int(datetime(2026, 10, 22, tzinfo=BERLIN).timestamp())  # summer time ends on Oct 25
STOP = int(datetime(2026, 10, 29, 1, tzinfo=BERLIN).timestamp())
POWER, COUNTER, STATE = "_sum/GridActivePower", "_sum/GridBuyActiveEnergy", "ess0/State"
KINDS = {POWER: "power", COUNTER: "counter", STATE: "state"}
Signal = dict[str, list[float | None]]


def _signal() -> Signal:
    """Integer watts, a Wh counter and a state; each unavailable for a while."""
    seconds = range(STOP - START)
    power: list[float | None] = [
        int(2000 * math.sin(s / 13751) + 300 * math.sin(s / 97)) + s * 7919 % 101 - 50
        for s in seconds
    ]
    counter: list[float | None] = [1_000_000 + s // 3 + (s // 3600) * 7 for s in seconds]
    state: list[float | None] = [(s // 1000) % 4 for s in seconds]
    power[100_000:100_600] = [None] * 600
    counter[200_000:200_777] = [None] * 777
    state[300_123:300_124] = [None]
    return {POWER: power, COUNTER: counter, STATE: state}


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SqliteHistoryStore, Signal]]:
    signal = _signal()
    path = tmp_path_factory.mktemp("week") / "history.sqlite"
    # Hourly batches keep the fixture fast; batching does not change what is stored.
    config = HistoryConfig(raw_retention_s=2 * 86_400, batch_s=3600, prune_interval_s=None)
    store = SqliteHistoryStore(path, config)
    for address, kind in KINDS.items():
        store.declare(address, kind)  # type: ignore[arg-type]
    power, counter, state = signal[POWER], signal[COUNTER], signal[STATE]
    record = store.record
    for s in range(STOP - START):
        record(START + s, {POWER: power[s], COUNTER: counter[s], STATE: state[s]})
    store.flush()
    yield store, signal
    store.close()


def _expected(
    signal: Signal, address: str, resolution: int, start: int, stop: int
) -> list[float | None]:
    out: list[float | None] = []
    for a in range(start, stop, resolution):
        stats = of_samples(signal[address][a - START : min(a + resolution, stop) - START])
        out.append(None if stats is None else stats.value(KINDS[address]))  # type: ignore[arg-type]
    return out


def _pruned_copy(store: SqliteHistoryStore, target: Path) -> SqliteHistoryStore:
    """A copy of the week with raw data older than two days pruned away."""
    with sqlite3.connect(store.path) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    pruned = SqliteHistoryStore(target, store.config)
    pruned.prune(STOP)
    return pruned


def test_aggregates_match_the_raw_samples_exactly(week: tuple[SqliteHistoryStore, Signal]) -> None:
    store, signal = week
    with sqlite3.connect(store.path) as db:
        names = dict(db.execute("SELECT id, address FROM channel"))
        raw = {(names[c], b): decode(d) for c, b, d in db.execute("SELECT * FROM raw_chunk")}
        rows = db.execute("SELECT * FROM aggregate_5m").fetchall()
    assert len(rows) == 3 * (STOP - START) // 300 - 3  # buckets wholly inside the gaps
    for channel_id, bucket, *stats in rows:
        address = names[channel_id]
        from_signal = of_samples(signal[address][bucket - START : bucket - START + 300])
        assert Stats(*stats) == from_signal
        assert of_samples(raw[address, bucket]) == from_signal


@pytest.mark.parametrize("resolution", [1, 7, 60, 300, 900, 3600, 86_400])
def test_queries_match_the_signal_at_any_resolution(
    week: tuple[SqliteHistoryStore, Signal], resolution: int
) -> None:
    store, signal = week
    start = START + 86_400 + 13  # unaligned on purpose: raw samples must answer
    stop = min(start + 300 * resolution, start + 2 * 86_400)
    result = store.query_timeseries_data(start, stop, list(KINDS), resolution)
    for address in KINDS:
        expected = _expected(signal, address, resolution, start, stop)
        assert result["data"][address] == expected
    assert len(result["timestamps"]) == len(expected)


def test_energy_per_local_day_is_the_counter_difference(
    week: tuple[SqliteHistoryStore, Signal], tmp_path: Path
) -> None:
    store, signal = week
    counter = signal[COUNTER]
    midnights = [int(datetime(2026, 10, d, tzinfo=BERLIN).timestamp()) for d in range(22, 30)]
    assert midnights[4] - midnights[3] == 25 * 3600  # the day summer time ends

    def before(t: int) -> float:
        # The first day starts at the first sample: there is none before it.
        earlier = [v for v in counter[: t - START] if v is not None] or [counter[0] or 0.0]
        return float(earlier[-1])

    expected = [before(b) - before(a) for a, b in itertools.pairwise(midnights)]
    for history in (store, _pruned_copy(store, tmp_path / "pruned.sqlite")):
        result = history.query_timeseries_energy_per_period(
            midnights[0], midnights[-1], [COUNTER], "day", "Europe/Berlin"
        )
        assert result["data"][COUNTER] == expected
        assert result["timestamps"][3:5] == [
            "2026-10-25T00:00:00+02:00",
            "2026-10-26T00:00:00+01:00",
        ]
        total = history.query_timeseries_energy(midnights[0], midnights[-1], [COUNTER])
        assert total["data"][COUNTER] == sum(expected)


def test_pruned_week_answers_from_aggregates(
    week: tuple[SqliteHistoryStore, Signal], tmp_path: Path
) -> None:
    store, signal = week
    pruned = _pruned_copy(store, tmp_path / "pruned.sqlite")
    for resolution in (300, 3600):
        result = pruned.query_timeseries_data(START, STOP, list(KINDS), resolution)
        for address in KINDS:
            expected = _expected(signal, address, resolution, START, STOP)
            assert result["data"][address] == expected
    # Full resolution is gone for old days (a 5-minute value sits at its bucket start) ...
    old = pruned.query_timeseries_data(START + 600, START + 610, [POWER], 1)["data"][POWER]
    assert old == [*_expected(signal, POWER, 300, START + 600, START + 900), *[None] * 9]
    # ... and kept for the last two.
    recent = pruned.query_timeseries_data(STOP - 10, STOP, [POWER], 1)["data"][POWER]
    assert recent == signal[POWER][-10:]
    # Across the oldest raw chunk: 5-minute values first, then the samples.
    raw_start = STOP - 2 * 86_400 - 300
    across = pruned.query_timeseries_data(raw_start - 600, raw_start + 10, [POWER], 1)
    averages = _expected(signal, POWER, 300, raw_start - 600, raw_start)
    assert across["data"][POWER] == [
        averages[0],
        *[None] * 299,
        averages[1],
        *[None] * 299,
        *signal[POWER][raw_start - START : raw_start - START + 10],
    ]
    pruned.close()
