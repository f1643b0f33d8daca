"""Bad queries raise HistoryQueryError with a message that names the problem."""

import math
from typing import Any

import pytest

from conftest import T0
from wattkeeper.history import HistoryConfig, HistoryJsonRpc, HistoryQueryError, SqliteHistoryStore

GRID = "_sum/GridActivePower"
BUY = "_sum/GridBuyActiveEnergy"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda s: s.query_timeseries_data(T0, T0 + 60, ["nope/Nope"], 1),
            "unknown channel 'nope/Nope'",
        ),
        (lambda s: s.query_timeseries_data(T0 + 60, T0, [GRID], 1), "is after to_ts"),
        (
            lambda s: s.query_timeseries_data(T0, T0 + 60, [GRID], 0),
            "resolution must be a positive",
        ),
        (
            lambda s: s.query_timeseries_data(T0, T0 + 60, [GRID], -5),
            "resolution must be a positive",
        ),
        (lambda s: s.query_timeseries_data(T0, T0 + 60, [GRID], math.nan), "resolution must"),
        (lambda s: s.query_timeseries_data(T0, T0 + 60, [GRID], "week"), "period must be one of"),
        (lambda s: s.query_timeseries_data(math.inf, T0, [GRID], 1), "from_ts must be epoch"),
        (lambda s: s.query_timeseries_data(T0, math.nan, [GRID], 1), "to_ts must be epoch"),
        (lambda s: s.query_timeseries_energy(-1, T0, [BUY]), "from_ts must be epoch"),
        (
            lambda s: s.query_timeseries_energy_per_period(0, 2.5e11, [BUY], "day"),
            "more than 200000 days",
        ),
        (lambda s: s.query_timeseries_data(T0, T0 + 10**7, [GRID], 1), "at most 200000"),
        (lambda s: s.query_timeseries_data(T0, T0 + 60, GRID, 1), "addresses must be a list"),
        (
            lambda s: s.query_timeseries_data(T0, T0 + 60, [GRID], 1, "Mars/Base"),
            "unknown timezone",
        ),
        (lambda s: s.query_timeseries_energy(T0, T0 + 60, [GRID]), "energy needs a counter"),
        (lambda s: s.query_timeseries_energy(T0 + 1, T0, [BUY]), "is after to_ts"),
        (
            lambda s: s.query_timeseries_energy_per_period(T0, T0 + 60, [BUY], "year"),
            "period must be one of day, month",
        ),
        (lambda s: s.declare("ess0/Soc", "percent"), "kind must be one of"),
        (lambda s: s.declare("Soc", "power"), "component/Channel"),
    ],
)
def test_store_rejects_bad_queries(store: SqliteHistoryStore, call: Any, message: str) -> None:
    with pytest.raises(HistoryQueryError, match=message):
        call(store)


GOOD = {"fromDate": "2026-11-24", "toDate": "2026-11-24", "channels": [GRID], "timezone": "UTC"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fromDate": 20261124}, "field 'fromDate' must be a date"),
        ({"fromDate": "24.11.2026"}, "field 'fromDate' must be a date"),
        ({"toDate": "2026-11-23"}, "field 'toDate' .* is before 'fromDate'"),
        ({"toDate": "9999-12-31"}, "field 'toDate' .* is out of range"),
        ({"channels": "_sum/GridActivePower"}, "field 'channels' must be a list"),
        ({"channels": ["ghost0/Power"]}, "unknown channel 'ghost0/Power'"),
        ({"timezone": "Europe/Atlantis"}, "field 'timezone': unknown timezone"),
        ({"timezone": 1.5}, "field 'timezone' must be an IANA name or seconds"),
        ({"timezone": 10**6}, "field 'timezone': offset"),
        ({"resolution": {"value": 0, "unit": "Minutes"}}, "field 'resolution.value'"),
        ({"resolution": {"value": 5, "unit": "Fortnights"}}, "field 'resolution.unit'"),
        ({"resolution": "5m"}, "field 'resolution' must be"),
    ],
)
def test_jsonrpc_rejects_bad_params_naming_the_field(
    store: SqliteHistoryStore, change: dict[str, Any], message: str
) -> None:
    params = {**GOOD, **change}
    rpc = HistoryJsonRpc(store)
    with pytest.raises(HistoryQueryError, match=message):
        rpc.query_historic_timeseries_data(params)


def test_jsonrpc_reports_missing_fields(store: SqliteHistoryStore) -> None:
    rpc = HistoryJsonRpc(store)
    for field in ("fromDate", "toDate", "channels", "timezone"):
        params = {k: v for k, v in GOOD.items() if k != field}
        with pytest.raises(HistoryQueryError, match=f"missing field '{field}'"):
            rpc.query_historic_timeseries_energy(params)
    with pytest.raises(HistoryQueryError, match="params must be a JSON object"):
        rpc.query_historic_timeseries_energy([])  # type: ignore[arg-type]


def test_energy_per_period_needs_days_or_months(store: SqliteHistoryStore) -> None:
    rpc = HistoryJsonRpc(store)
    params = {**GOOD, "channels": [BUY], "resolution": {"value": 15, "unit": "Minutes"}}
    with pytest.raises(HistoryQueryError, match="field 'resolution' must be"):
        rpc.query_historic_energy_per_period(params)


def test_bad_configuration_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="batch_s must be > 0"):
        HistoryConfig(batch_s=0)
