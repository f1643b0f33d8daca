"""PV forecast from the edge's own history scaled by the clear sky of the site: each quarter
hour's measured power over its clear-sky irradiance (a "clear-sky index" in W per W/m²) is
learnt, and the forecast is the clear sky of the day asked for times that index's median, so
a history from June does not predict June's noon sun in December."""

from __future__ import annotations

import statistics
from collections import defaultdict, deque
from datetime import datetime, timedelta

from wattkeeper.forecast.clearsky import ghi
from wattkeeper.forecast.profile import quarter_of

# below this the sun is too low for a ratio to mean anything (W/m²)
MIN_GHI = 20.0
MID = timedelta(minutes=7, seconds=30)


class ClearSkyScaledProfile:
    """Same interface as Profile (`add`, `expect`, `samples`) for production."""

    def __init__(self, latitude: float, longitude: float, days: int = 14) -> None:
        self.latitude = latitude
        self.longitude = longitude
        self._by_quarter: dict[int, deque[float]] = defaultdict(lambda: deque(maxlen=days))
        self._all: deque[float] = deque(maxlen=96 * days)

    def _clear(self, start: datetime) -> float:
        return ghi(start + MID, self.latitude, self.longitude)

    def add(self, start: datetime, mean: float) -> None:
        clear = self._clear(start)
        if clear < MIN_GHI:
            return
        index = max(mean, 0.0) / clear
        self._by_quarter[quarter_of(start)].append(index)
        self._all.append(index)

    def expect(self, start: datetime) -> float:
        clear = self._clear(start)
        if clear < MIN_GHI or not self._all:
            return 0.0
        samples = self._by_quarter.get(quarter_of(start)) or self._all
        return clear * statistics.median(samples)

    @property
    def samples(self) -> int:
        return len(self._all)
