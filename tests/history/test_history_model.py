"""Property: whatever the order of cycles, commits and restarts, queries match a plain model."""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import T0
from wattkeeper.history import HistoryConfig, SqliteHistoryStore
from wattkeeper.history.stats import of_samples

KINDS = {"a/Power": "power", "a/Energy": "counter", "a/State": "state"}
SPAN = 1500  # five chunks
_value = st.one_of(st.none(), st.integers(-5000, 5000), st.integers(-100, 100).map(lambda v: v / 4))
_cycle = st.tuples(st.integers(0, SPAN - 1), st.sampled_from(list(KINDS)), _value)
_step = st.one_of(_cycle, st.sampled_from(["flush", "reopen"]))


def _model_energy(counter: dict[int, float], start: int, stop: int) -> float | None:
    """Last sample before `stop` minus the last before `start` (or the first one after it)."""
    inside = [s for s in counter if start <= s < stop]
    if not inside:
        return None
    before = [s for s in counter if s < start]
    first = counter[max(before)] if before else counter[min(inside)]
    return counter[max(inside)] - first


def _model_series(
    model: dict[str, dict[int, float]], address: str, resolution: int, offset: int
) -> list[float | None]:
    """What a time-series query must answer, computed straight from the recorded samples."""
    out: list[float | None] = []
    for start in range(offset, SPAN, resolution):
        samples = [model[address].get(s) for s in range(start, min(start + resolution, SPAN))]
        stats = of_samples(samples)
        out.append(None if stats is None else stats.value(KINDS[address]))  # type: ignore[arg-type]
    return out


def _open(path: Path) -> SqliteHistoryStore:
    store = SqliteHistoryStore(path, HistoryConfig(batch_s=60, prune_interval_s=None))
    for address, kind in KINDS.items():
        store.declare(address, kind)  # type: ignore[arg-type]
    return store


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(_step, max_size=120),
    resolution=st.sampled_from([1, 7, 60, 300, 450]),
    offset=st.sampled_from([0, 13, 300]),
)
def test_queries_match_the_model(
    steps: list[tuple[int, str, float | None] | str], resolution: int, offset: int
) -> None:
    model: dict[str, dict[int, float]] = {address: {} for address in KINDS}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.sqlite"
        store = _open(path)
        for step in steps:
            if step == "flush":
                store.flush()
            elif step == "reopen":
                store.close()
                store = _open(path)
            elif isinstance(step, tuple):
                second, address, value = step
                store.record(T0 + second, {address: value})
                if value is not None:
                    model[address][second] = value
        result = store.query_timeseries_data(T0 + offset, T0 + SPAN, list(KINDS), resolution)
        energy = store.query_timeseries_energy(T0 + offset, T0 + SPAN - 7, ["a/Energy"])
        store.close()
    assert energy["data"]["a/Energy"] == _model_energy(model["a/Energy"], offset, SPAN - 7)
    for address in KINDS:
        assert result["data"][address] == _model_series(model, address, resolution, offset)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cycles=st.lists(_cycle, max_size=120),
    resolution=st.sampled_from([300, 600, 900]),
    offset=st.sampled_from([0, 300, 600]),
)
def test_pruned_raw_data_answers_the_same_at_bucket_resolution(
    cycles: list[tuple[int, str, float | None]], resolution: int, offset: int
) -> None:
    model: dict[str, dict[int, float]] = {address: {} for address in KINDS}
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteHistoryStore(
            Path(folder) / "history.sqlite",
            HistoryConfig(raw_retention_s=600, batch_s=60, prune_interval_s=None),
        )
        for address, kind in KINDS.items():
            store.declare(address, kind)  # type: ignore[arg-type]
        for second, address, value in cycles:
            store.record(T0 + second, {address: value})
            if value is not None:
                model[address][second] = value
        store.prune(T0 + SPAN)  # the chunks of the first 10 minutes leave
        result = store.query_timeseries_data(T0 + offset, T0 + SPAN, list(KINDS), resolution)
        energy = store.query_timeseries_energy(T0 + offset, T0 + 1200, ["a/Energy"])
        store.close()
    assert energy["data"]["a/Energy"] == _model_energy(model["a/Energy"], offset, 1200)
    for address in KINDS:
        assert result["data"][address] == _model_series(model, address, resolution, offset)
