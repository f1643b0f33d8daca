"""Day-ahead prices fetched off the cycle: a worker thread, a retry pace, and a visible state."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta

import httpx

from wattkeeper.prices.series import PriceError, PriceSeries
from wattkeeper.prices.source import DayAheadSource

RETRY = timedelta(minutes=15)
REFRESH = timedelta(hours=1)
# prices that do not reach this far ahead are "late" (the next day is published around noon)
AHEAD = timedelta(hours=6)


class Market:
    """`poll(now)` once a cycle: starts a fetch when one is due, takes a finished one."""

    def __init__(self, source: DayAheadSource) -> None:
        self.source = source
        self.series = PriceSeries(())
        self.error = ""
        self.version = 0
        self._future: Future[PriceSeries] | None = None
        self._next_try: datetime | None = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="tou-prices")

    def poll(self, now: datetime) -> None:
        if self._future is not None and self._future.done():
            future, self._future = self._future, None
            try:
                fetched = future.result()
                self.series = self.series.merged(fetched)
                self.error = ""
                self.version += 1
                self._next_try = now + REFRESH
            except Exception as exc:  # any failure is a state; the cycle goes on
                self.error = (
                    str(exc) if isinstance(exc, PriceError) else f"price fetch failed: {exc}"
                )
                self._next_try = now + RETRY
        if self._future is None and (self._next_try is None or now >= self._next_try):
            start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
            self._future = self._executor.submit(self._fetch, start, start + timedelta(days=2))

    def state(self, now: datetime) -> str:
        """ok, late (prices end within 6 h) or missing (none for now)."""
        if self.series.at(now) is None:
            return "missing"
        return "late" if self.series.reaches(now) < now + AHEAD else "ok"

    def wait(self, timeout: float) -> None:
        """Until the running fetch ends (tests; the cycle never waits)."""
        if self._future is not None:
            self._future.exception(timeout=timeout)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _fetch(self, start: datetime, end: datetime) -> PriceSeries:
        with httpx.Client() as client:
            return self.source.fetch(start, end, client)
