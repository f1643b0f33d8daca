"""SqliteHistoryStore: the history store on one SQLite file (WAL, batched commits)."""

import logging
import math
import sqlite3
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path

from wattkeeper.history.buffer import CycleBuffer
from wattkeeper.history.codec import CHUNK_S
from wattkeeper.history.config import HistoryConfig
from wattkeeper.history.csv_export import render_csv
from wattkeeper.history.energy import counter_energy, energy_per_period
from wattkeeper.history.errors import HistoryQueryError
from wattkeeper.history.kinds import Kind, check_kind
from wattkeeper.history.protocol import JsonDict, Period, Resolution, TimeZoneLike
from wattkeeper.history.reader import ChannelReader
from wattkeeper.history.retention import delete_expired
from wattkeeper.history.schema import connect
from wattkeeper.history.slots import calendar_edges, check_range, slot_edges
from wattkeeper.history.timefmt import iso_seconds, iso_timestamps
from wattkeeper.history.timeseries import channel_series
from wattkeeper.history.writer import commit_buffer
from wattkeeper.history.zones import resolve_zone

_log = logging.getLogger(__name__)
# While the disk refuses writes, keep at most this many 5-minute chunks (one hour) in memory.
MAX_BUFFERED_CHUNKS = 12


class SqliteHistoryStore:
    """History in one SQLite file; safe to share between the cycle and query threads."""

    def __init__(self, path: str | Path, config: HistoryConfig | None = None) -> None:
        self.config = config or HistoryConfig()
        self.path = Path(path)
        self._conn = connect(path)
        self._lock = threading.Lock()
        self._buffer = CycleBuffer()
        self._parked: deque[tuple[float, dict[str, float | int | None]]] = deque()
        self._last_prune: float | None = None
        self._failing = False
        self._closed = False
        self._ids: dict[str, int] = {}
        self._kinds: dict[str, Kind] = {}
        for channel_id, address, kind in self._conn.execute(
            "SELECT id, address, kind FROM channel"
        ):
            self._ids[address] = channel_id
            self._kinds[address] = check_kind(kind)

    # -- recording -------------------------------------------------------------------------

    def declare(self, address: str, kind: Kind) -> None:
        """Record `address` from now on; redeclaring only changes how queries aggregate it."""
        self.declare_many([(address, kind)])

    def declare_many(self, entries: Sequence[tuple[str, Kind]]) -> None:
        """Declare every (address, kind) in one transaction (an edge declares ~60 at start)."""
        checked = []
        for address, kind in entries:
            if not isinstance(address, str) or "/" not in address:
                raise HistoryQueryError(
                    f"address must look like 'component/Channel', got {address!r}"
                )
            checked.append((address, check_kind(kind)))
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                self._conn.executemany(
                    "INSERT INTO channel (address, kind) VALUES (?, ?)"
                    " ON CONFLICT (address) DO UPDATE SET kind = excluded.kind",
                    checked,
                )
                ids = {
                    address: channel_id
                    for channel_id, address in self._conn.execute("SELECT id, address FROM channel")
                }
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            for address, kind in checked:
                self._ids[address] = ids[address]
                self._kinds[address] = kind

    def record(self, ts: float, values: Mapping[str, float | int | None]) -> None:
        """Buffer one cycle (undeclared addresses are ignored); commits once per batch.

        Never waits for a query running in another thread: while one holds the database,
        the cycle is parked in a queue that the next record(), flush() or query drains.
        """
        if not math.isfinite(ts):
            return  # a broken clock must not stop the cycle; there is no slot for it
        if not self._lock.acquire(blocking=False):
            self._parked.append((ts, dict(values)))  # deque.append is atomic
            return
        try:
            self._drain_parked()
            self._buffer.put(ts, values, self._ids)
            first = self._buffer.first_ts
            if first is not None and abs(ts - first) >= self.config.batch_s:
                self._batch_due(ts)
        finally:
            self._lock.release()

    def _batch_due(self, ts: float) -> None:
        """Commit (and now and then prune) without ever raising into the control cycle."""
        try:
            self._commit()
            interval = self.config.prune_interval_s
            if interval is not None and (
                self._last_prune is None or abs(ts - self._last_prune) >= interval
            ):
                self._prune(ts)
        except Exception as exc:  # the cycle must go on whatever history runs into
            # Keep the samples and retry after another batch, not on every cycle.
            self._buffer.first_ts = ts
            self._buffer.keep_newest(MAX_BUFFERED_CHUNKS)
            if not self._failing:
                _log.warning(
                    "history: cannot write %s (%s); buffering, will retry",
                    self.path,
                    exc,
                    exc_info=not isinstance(exc, sqlite3.Error),  # a bug: show where
                )
            self._failing = True
            return
        if self._failing:
            _log.info("history: writing to %s again", self.path)
        self._failing = False

    def _commit_for_query(self) -> None:
        """Queries answer from what is on disk even when committing the buffer fails."""
        try:
            self._commit()
        except sqlite3.Error as exc:
            _log.debug("history: commit before query failed: %s", exc)

    def _drain_parked(self) -> None:
        while self._parked:
            ts, values = self._parked.popleft()
            self._buffer.put(ts, values, self._ids)

    def flush(self) -> None:
        """Commit everything buffered."""
        with self._lock:
            self._commit()

    def prune(self, now: float) -> None:
        """Drop raw chunks and aggregates that ended before their retention window."""
        with self._lock:
            self._commit()
            self._prune(now)

    def close(self) -> None:
        """Flush and close the database; the store is unusable afterwards (twice is fine)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                self._commit()
            finally:
                self._conn.close()

    def _commit(self) -> None:
        self._drain_parked()
        if self._buffer.chunks and self._buffer.first_ts is not None:
            commit_buffer(self._conn, self._buffer, self._ids)

    def _prune(self, now: float) -> None:
        delete_expired(
            self._conn,
            list(self._ids.values()),
            raw_before=now - self.config.raw_retention_s - CHUNK_S,
            aggregates_before=now - self.config.aggregate_retention_s - CHUNK_S,
        )
        self._last_prune = now

    # -- queries ---------------------------------------------------------------------------

    def _reader(self, address: str) -> tuple[ChannelReader, Kind]:
        if address not in self._ids:
            raise HistoryQueryError(f"unknown channel {address!r}: it was never declared")
        return ChannelReader(self._conn, self._ids[address]), self._kinds[address]

    def _check_addresses(self, addresses: Sequence[str]) -> list[str]:
        if isinstance(addresses, str) or not all(isinstance(a, str) for a in addresses):
            raise HistoryQueryError("addresses must be a list of channel addresses")
        for address in addresses:
            self._reader(address)
        return list(addresses)

    def query_timeseries_data(
        self,
        from_ts: float,
        to_ts: float,
        addresses: Sequence[str],
        resolution_s: Resolution,
        tz: TimeZoneLike = None,
    ) -> JsonDict:
        """Average (power), maximum (state) or last value (counter) per slot."""
        zone = resolve_zone(tz)
        edges = slot_edges(from_ts, to_ts, resolution_s, zone, self.config.max_points)
        wanted = self._check_addresses(addresses)
        # Whole seconds at 1 s resolution: slots are the raw samples themselves (fast path).
        seconds = resolution_s == 1 and float(from_ts).is_integer() and float(to_ts).is_integer()
        with self._lock:
            self._commit_for_query()
            data = {a: channel_series(*self._reader(a), edges, seconds) for a in wanted}
        if seconds:
            stamps = iso_seconds(int(from_ts), len(edges) - 1, zone)
        else:
            stamps = iso_timestamps(edges[:-1], zone)
        return {"timestamps": stamps, "data": data}

    def query_timeseries_energy(
        self, from_ts: float, to_ts: float, addresses: Sequence[str]
    ) -> JsonDict:
        """Counter difference over the range, per address."""
        check_range(from_ts, to_ts)
        wanted = self._check_addresses(addresses)
        with self._lock:
            self._commit_for_query()
            return {"data": {a: counter_energy(self._counter(a), from_ts, to_ts) for a in wanted}}

    def query_timeseries_energy_per_period(
        self,
        from_ts: float,
        to_ts: float,
        addresses: Sequence[str],
        period: Period,
        tz: TimeZoneLike = None,
    ) -> JsonDict:
        """Counter difference per local day or month."""
        zone = resolve_zone(tz)
        check_range(from_ts, to_ts)
        edges = calendar_edges(from_ts, to_ts, period, zone, self.config.max_points)
        wanted = self._check_addresses(addresses)
        with self._lock:
            self._commit_for_query()
            data = {a: energy_per_period(self._counter(a), edges) for a in wanted}
        return {"timestamps": iso_timestamps(edges[:-1], zone), "data": data}

    def last_counter(self, address: str, before_ts: float) -> tuple[float, float] | None:
        """Newest recorded counter value at or before the moment (None if never recorded)."""
        with self._lock:
            if address not in self._ids:
                return None
            self._commit_for_query()
            found = self._counter(address).last_before(math.floor(before_ts))
        return None if found is None else (found[0], float(found[1]))

    def _counter(self, address: str) -> ChannelReader:
        reader, kind = self._reader(address)
        if kind != "counter":
            raise HistoryQueryError(
                f"channel {address!r} is a {kind} channel; energy needs a counter channel"
            )
        return reader

    def export_csv(
        self,
        from_ts: float,
        to_ts: float,
        addresses: Sequence[str],
        resolution_s: Resolution,
        tz: TimeZoneLike = None,
    ) -> str:
        """The time-series query as CSV with local ISO timestamps."""
        result = self.query_timeseries_data(from_ts, to_ts, addresses, resolution_s, tz)
        return render_csv(result, list(addresses))
