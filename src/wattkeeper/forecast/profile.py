"""A robust profile by weekday and quarter hour: the median of what was measured at that time."""

from __future__ import annotations

import statistics
from collections import defaultdict, deque
from datetime import datetime
from typing import Protocol

QUARTERS = 96


class QuarterProfile(Protocol):
    """What the optimiser's inputs need of a forecast: learn a quarter hour, expect one (W)."""

    def add(self, start: datetime, mean: float) -> None: ...

    def expect(self, start: datetime) -> float: ...


def quarter_of(when: datetime) -> int:
    return when.hour * 4 + when.minute // 15


class Profile:
    """Per (weekday, quarter hour) the last `weeks` quarter-hour means; medians resist outliers
    (a sauna evening does not move next week's plan). Falls back to the same quarter hour on
    any day, then to the median of everything, then to `default`."""

    def __init__(self, weeks: int = 4, default: float = 0.0) -> None:
        self._by_day: dict[tuple[int, int], deque[float]] = defaultdict(lambda: deque(maxlen=weeks))
        self._by_quarter: dict[int, deque[float]] = defaultdict(lambda: deque(maxlen=7 * weeks))
        self._all: deque[float] = deque(maxlen=QUARTERS * 7)
        self.default = default

    def add(self, start: datetime, mean: float) -> None:
        """The mean measured over the quarter hour starting at `start` (local time)."""
        quarter = quarter_of(start)
        self._by_day[(start.weekday(), quarter)].append(mean)
        self._by_quarter[quarter].append(mean)
        self._all.append(mean)

    def expect(self, start: datetime) -> float:
        quarter = quarter_of(start)
        for samples in (
            self._by_day.get((start.weekday(), quarter)),
            self._by_quarter.get(quarter),
        ):
            if samples:
                return statistics.median(samples)
        return statistics.median(self._all) if self._all else self.default

    @property
    def samples(self) -> int:
        return len(self._all)


class QuarterAverager:
    """Turns per-cycle readings into quarter-hour means; hands each finished quarter on."""

    def __init__(self) -> None:
        self._start: datetime | None = None
        self._total = 0.0
        self._count = 0

    def add(self, when: datetime, value: float | None) -> tuple[datetime, float] | None:
        """Feed one reading; returns (quarter start, mean) when a quarter hour has just ended."""
        start = when.replace(minute=when.minute // 15 * 15, second=0, microsecond=0)
        finished = None
        if self._start is not None and start != self._start and self._count:
            finished = (self._start, self._total / self._count)
        if start != self._start:
            self._start, self._total, self._count = start, 0.0, 0
        if value is not None:
            self._total += value
            self._count += 1
        return finished
