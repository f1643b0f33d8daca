"""Keeps recorded energy counters continuous when a device or the edge restarts them."""

from __future__ import annotations

import logging

from wattkeeper.history import HistoryQueryError, HistoryStore

log = logging.getLogger(__name__)

LOOKBACK_S = 7 * 86_400


class CounterContinuity:
    """Energy per period is a counter difference, so a counter that starts again at 0 (a
    simulated meter after a restart, a replaced device) would make it negative. A decrease is
    turned into an offset instead, so the recorded counter only ever grows."""

    def __init__(self, store: HistoryStore) -> None:
        self.store = store
        self._offset: dict[str, float] = {}
        self._last: dict[str, float] = {}

    def adjust(self, address: str, value: float, ts: float) -> float:
        if address not in self._offset:
            stored = self._last_stored(address, ts)
            self._offset[address] = stored - value if stored is not None and value < stored else 0.0
        last = self._last.get(address)
        if last is not None and value < last:
            self._offset[address] += last - value
            log.info("%s went back from %s to %s: recorded as continuing", address, last, value)
        self._last[address] = value
        return value + self._offset[address]

    def _last_stored(self, address: str, ts: float) -> float | None:
        """The newest value the store holds for a counter (once per counter and run)."""
        try:
            result = self.store.query_timeseries_data(ts - LOOKBACK_S, ts, [address], "day")
        except HistoryQueryError:
            return None
        known = [v for v in result["data"].get(address, []) if isinstance(v, int | float)]
        return float(known[-1]) if known else None
