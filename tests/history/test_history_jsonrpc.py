"""OpenEMS queryHistoric* params in, result dicts out."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from wattkeeper.history import HistoryConfig, HistoryJsonRpc, SqliteHistoryStore

BERLIN = ZoneInfo("Europe/Berlin")
MIDNIGHT = int(datetime(2026, 11, 23, tzinfo=BERLIN).timestamp())
SOC, BUY = "_sum/EssSoc", "_sum/GridBuyActiveEnergy"


@pytest.fixture
def rpc(db_path: Path) -> Iterator[HistoryJsonRpc]:
    """Two Berlin days (Nov 23 and 24), a sample every 10 s; 1 Wh bought per 10 s."""
    store = SqliteHistoryStore(db_path, HistoryConfig(batch_s=86_400, prune_interval_s=None))
    store.declare(SOC, "power")
    store.declare(BUY, "counter")
    for k in range(2 * 8640):
        store.record(MIDNIGHT + 10 * k, {SOC: k % 100, BUY: 1000 + k})
    yield HistoryJsonRpc(store)
    store.close()


def _params(**extra: object) -> dict[str, object]:
    return {"fromDate": "2026-11-24", "toDate": "2026-11-24", "timezone": "Europe/Berlin"} | extra


def test_timeseries_defaults_to_five_minutes_for_one_day(rpc: HistoryJsonRpc) -> None:
    result = rpc.handle("queryHistoricTimeseriesData", _params(channels=[SOC]))
    assert len(result["timestamps"]) == 288
    assert result["timestamps"][0] == "2026-11-24T00:00:00+01:00"
    assert result["timestamps"][-1] == "2026-11-24T23:55:00+01:00"
    first = [(8640 + k) % 100 for k in range(30)]
    assert result["data"][SOC][0] == sum(first) / 30


def test_timeseries_with_explicit_resolution(rpc: HistoryJsonRpc) -> None:
    params = _params(channels=[SOC, BUY], resolution={"value": 15, "unit": "Minutes"})
    result = rpc.query_historic_timeseries_data(params)
    assert len(result["timestamps"]) == 96
    assert result["data"][BUY][:2] == [1000 + 8640 + 89, 1000 + 8640 + 179]


def test_timeseries_by_day(rpc: HistoryJsonRpc) -> None:
    params = _params(fromDate="2026-11-23", channels=[BUY], resolution={"value": 1, "unit": "Days"})
    result = rpc.query_historic_timeseries_data(params)
    assert result == {
        "timestamps": ["2026-11-23T00:00:00+01:00", "2026-11-24T00:00:00+01:00"],
        "data": {BUY: [1000 + 8639, 1000 + 2 * 8640 - 1]},
    }


def test_legacy_offset_timezone_is_javascript_minutes_times_sixty(rpc: HistoryJsonRpc) -> None:
    # getTimezoneOffset() is -60 in Berlin in winter; OpenEMS sends -60 * 60.
    named = rpc.query_historic_timeseries_data(_params(channels=[SOC]))
    legacy = rpc.query_historic_timeseries_data(_params(channels=[SOC], timezone=-3600))
    assert legacy == named


def test_energy_over_the_day(rpc: HistoryJsonRpc) -> None:
    result = rpc.handle("queryHistoricTimeseriesEnergy", _params(channels=[BUY]))
    assert result == {"data": {BUY: 8640}}


def test_energy_per_day_and_month(rpc: HistoryJsonRpc) -> None:
    days = rpc.handle(
        "queryHistoricTimeseriesEnergyPerPeriod",
        _params(fromDate="2026-11-22", channels=[BUY], resolution={"value": 1, "unit": "Days"}),
    )
    assert days["timestamps"][0] == "2026-11-22T00:00:00+01:00"
    # Nothing was recorded on the 22nd; the 23rd starts at its first sample.
    assert days["data"] == {BUY: [None, 8639, 8640]}
    months = rpc.query_historic_energy_per_period(
        _params(fromDate="2026-10-01", toDate="2026-11-30", channels=[BUY])
        | {"resolution": {"value": 1, "unit": "Months"}}
    )
    assert months == {
        "timestamps": ["2026-10-01T00:00:00+02:00", "2026-11-01T00:00:00+01:00"],
        "data": {BUY: [None, 2 * 8640 - 1]},
    }


def test_plain_seconds_resolution_is_accepted(rpc: HistoryJsonRpc) -> None:
    result = rpc.query_historic_timeseries_data(_params(channels=[SOC], resolution=3600))
    assert len(result["timestamps"]) == 24
