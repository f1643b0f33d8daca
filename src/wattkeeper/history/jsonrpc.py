"""Adapts OpenEMS `queryHistoric*` JSON-RPC params to a HistoryStore and back."""

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any, Final

from wattkeeper.history.errors import HistoryQueryError
from wattkeeper.history.protocol import HistoryStore, JsonDict, Period, Resolution
from wattkeeper.history.zones import resolve_zone

_UNIT_SECONDS: Final = {"seconds": 1, "minutes": 60, "hours": 3600}
_UNIT_PERIODS: Final[dict[str, Period]] = {"days": "day", "months": "month"}


def _field(params: Mapping[str, Any], name: str) -> Any:
    if not isinstance(params, Mapping):
        raise HistoryQueryError("params must be a JSON object")
    if name not in params:
        raise HistoryQueryError(f"missing field '{name}'")
    return params[name]


def _zone(params: Mapping[str, Any]) -> tzinfo:
    value = _field(params, "timezone")
    if isinstance(value, int) and not isinstance(value, bool):
        # Older OpenEMS UIs send JavaScript's getTimezoneOffset() in seconds: UTC minus local.
        if abs(value) > 18 * 3600:
            raise HistoryQueryError(f"field 'timezone': offset {value} s is out of range")
        return timezone(timedelta(seconds=-value))
    if not isinstance(value, str):
        raise HistoryQueryError(f"field 'timezone' must be an IANA name or seconds, got {value!r}")
    try:
        return resolve_zone(value)
    except HistoryQueryError as exc:
        raise HistoryQueryError(f"field 'timezone': {exc}") from exc


def _date(params: Mapping[str, Any], name: str) -> date:
    value = _field(params, name)
    message = f"field '{name}' must be a date like 2026-11-24, got {value!r}"
    if not isinstance(value, str):
        raise HistoryQueryError(message)
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise HistoryQueryError(message) from exc


def _local_midnight(day: date, zone: tzinfo) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()


def _range(params: Mapping[str, Any], zone: tzinfo) -> tuple[float, float, int]:
    """Epoch bounds of fromDate..toDate (inclusive, local) and the number of days."""
    first, last = _date(params, "fromDate"), _date(params, "toDate")
    if last < first:
        raise HistoryQueryError(f"field 'toDate' ({last}) is before 'fromDate' ({first})")
    days = (last - first).days + 1
    try:
        return _local_midnight(first, zone), _local_midnight(last + timedelta(days=1), zone), days
    except (OverflowError, ValueError, OSError) as exc:
        raise HistoryQueryError(f"field 'toDate' ({last}) is out of range") from exc


def _channels(params: Mapping[str, Any]) -> list[str]:
    value = _field(params, "channels")
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise HistoryQueryError("field 'channels' must be a list of channel addresses")
    return value


def _resolution(params: Mapping[str, Any], days: int) -> Resolution:
    value = params.get("resolution")
    if value is None:
        return _default_resolution(days)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value  # older OpenEMS versions send plain seconds
    if not isinstance(value, Mapping):
        raise HistoryQueryError(f"field 'resolution' must be {{value, unit}}, got {value!r}")
    amount, unit = value.get("value"), value.get("unit")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise HistoryQueryError(
            f"field 'resolution.value' must be a positive integer, got {amount!r}"
        )
    key = unit.lower() if isinstance(unit, str) else ""
    if key in _UNIT_SECONDS:
        return amount * _UNIT_SECONDS[key]
    if key in _UNIT_PERIODS and amount == 1:
        return _UNIT_PERIODS[key]
    raise HistoryQueryError(
        f"field 'resolution.unit' must be Seconds, Minutes, Hours, or Days/Months with value 1, "
        f"got {unit!r} (value {amount})"
    )


def _default_resolution(days: int) -> Resolution:
    """At most ~300 points per chart, on bucket boundaries so the aggregates answer."""
    if days <= 1:
        return 300
    if days <= 3:
        return 900
    if days <= 7:
        return 3600
    return "day" if days <= 366 else "month"


class HistoryJsonRpc:
    """The three OpenEMS history methods, as params dict in and result dict out."""

    def __init__(self, store: HistoryStore) -> None:
        self._store = store
        self.methods: dict[str, Callable[[Mapping[str, Any]], JsonDict]] = {
            "queryHistoricTimeseriesData": self.query_historic_timeseries_data,
            "queryHistoricTimeseriesEnergy": self.query_historic_timeseries_energy,
            "queryHistoricTimeseriesEnergyPerPeriod": self.query_historic_energy_per_period,
        }

    def handle(self, method: str, params: Mapping[str, Any]) -> JsonDict:
        """Dispatch by JSON-RPC method name; KeyError for a method that is not ours."""
        return self.methods[method](params)

    def query_historic_timeseries_data(self, params: Mapping[str, Any]) -> JsonDict:
        """`{timestamps, data}` for fromDate..toDate, at `resolution` or one picked by span."""
        zone = _zone(params)
        start, stop, days = _range(params, zone)
        channels = _channels(params)
        resolution = _resolution(params, days)
        return self._store.query_timeseries_data(start, stop, channels, resolution, zone)

    def query_historic_timeseries_energy(self, params: Mapping[str, Any]) -> JsonDict:
        """`{data: {address: Wh}}` over fromDate..toDate."""
        zone = _zone(params)
        start, stop, _ = _range(params, zone)
        return self._store.query_timeseries_energy(start, stop, _channels(params))

    def query_historic_energy_per_period(self, params: Mapping[str, Any]) -> JsonDict:
        """`{timestamps, data}` with Wh per local day or month."""
        zone = _zone(params)
        start, stop, _ = _range(params, zone)
        channels = _channels(params)
        period = _resolution(params, 1) if "resolution" in params else None
        if not isinstance(period, str):
            raise HistoryQueryError(
                'field \'resolution\' must be {"value": 1, "unit": "Days"} or "Months"'
            )
        return self._store.query_timeseries_energy_per_period(start, stop, channels, period, zone)
