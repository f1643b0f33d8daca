"""The edge's history queries answered from PostgreSQL: the same params, the same answers.

The params are read by the edge's own `HistoryJsonRpc` (one parser for both sides): it hands
what it parsed to a store that only remembers the call, and the SQL runs on that."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wattkeeper.backend.store import FleetStore
from wattkeeper.history import HistoryJsonRpc, HistoryQueryError

METHODS = ("queryHistoricTimeseriesData", "queryHistoricTimeseriesEnergy")


class _Parsed(Exception):
    def __init__(self, kind: str, args: tuple[Any, ...]) -> None:
        super().__init__(kind)
        self.kind = kind
        self.args_ = args


class _Capture:
    """A HistoryStore that answers nothing: it raises what it was asked."""

    def query_timeseries_data(
        self, from_ts: float, to_ts: float, addresses: Sequence[str], res: Any, tz: Any = None
    ) -> dict[str, Any]:
        raise _Parsed("data", (from_ts, to_ts, list(addresses), res, tz))

    def query_timeseries_energy(
        self, from_ts: float, to_ts: float, addresses: Sequence[str]
    ) -> dict[str, Any]:
        raise _Parsed("energy", (from_ts, to_ts, list(addresses)))


_PARSER = HistoryJsonRpc(_Capture())  # type: ignore[arg-type]  # answers two of the methods


async def query(
    store: FleetStore, edge_id: str, method: str, params: Mapping[str, Any], now: float
) -> dict[str, Any]:
    """Raises HistoryQueryError for bad params, as the edge does."""
    try:
        _PARSER.handle(method, params)
    except _Parsed as parsed:
        if parsed.kind == "data":
            from_ts, to_ts, channels, resolution, zone = parsed.args_
            return await store.query_series(
                edge_id, from_ts, to_ts, channels, resolution, zone, now
            )
        from_ts, to_ts, channels = parsed.args_
        return await store.query_energy(edge_id, from_ts, to_ts, channels)
    raise HistoryQueryError(f"{method} is not a history query")
