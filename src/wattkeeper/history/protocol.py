"""The interface every history backend offers; SQLite is the first implementation."""

from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import Any, Literal, Protocol

from wattkeeper.history.kinds import Kind

Period = Literal["day", "month"]
Resolution = float | Period
"""Seconds per slot, or a calendar period in the query's timezone."""
TimeZoneLike = str | tzinfo | None
"""An IANA name, a tzinfo, or None for UTC."""
JsonDict = dict[str, Any]


class HistoryStore(Protocol):
    """Records one value per channel per cycle and answers OpenEMS-style history queries."""

    def declare(self, address: str, kind: Kind) -> None:
        """Record `address` from now on, aggregated as `kind`."""

    def declare_many(self, entries: Sequence[tuple[str, Kind]]) -> None:
        """`declare` each (address, kind) at once: all of them, or none if one is invalid."""

    def record(self, ts: float, values: Mapping[str, float | int | None]) -> None:
        """Buffer one cycle's values (epoch seconds; None = unavailable); cheap."""

    def flush(self) -> None:
        """Commit everything buffered."""

    def prune(self, now: float) -> None:
        """Drop data older than the retention windows, counted back from `now`."""

    def close(self) -> None:
        """Flush and release the database."""

    def last_counter(self, address: str, before_ts: float) -> tuple[float, float] | None:
        """The newest recorded value of a counter at or before `before_ts`, and when; or None."""
        ...

    def query_timeseries_data(
        self,
        from_ts: float,
        to_ts: float,
        addresses: Sequence[str],
        resolution_s: Resolution,
        tz: TimeZoneLike = None,
    ) -> JsonDict:
        """`{"timestamps": [...], "data": {address: [value | None, ...]}}`."""
        ...

    def query_timeseries_energy(
        self, from_ts: float, to_ts: float, addresses: Sequence[str]
    ) -> JsonDict:
        """`{"data": {address: Wh | None}}` from counter differences."""
        ...

    def query_timeseries_energy_per_period(
        self,
        from_ts: float,
        to_ts: float,
        addresses: Sequence[str],
        period: Period,
        tz: TimeZoneLike = None,
    ) -> JsonDict:
        """`{"timestamps": [...], "data": {address: [Wh | None per period]}}`."""
        ...

    def export_csv(
        self,
        from_ts: float,
        to_ts: float,
        addresses: Sequence[str],
        resolution_s: Resolution,
        tz: TimeZoneLike = None,
    ) -> str:
        """CSV text: a `timestamp,<address>...` header, then one row per slot."""
        ...
