"""A fixed time-of-use tariff from configuration: price windows per weekday, a default price."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from wattkeeper.prices.series import PriceError, PriceSeries, PriceStep

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


@dataclass(frozen=True)
class Window:
    """`price` from `start` to `end` (local "HH:MM"; end "24:00" or before start: past midnight)."""

    days: tuple[str, ...]
    start: str
    end: str
    price: float


@dataclass(frozen=True)
class FixedTariff:
    default_price: float
    windows: tuple[Window, ...]
    timezone: str = "Europe/Berlin"

    def validate(self) -> None:
        for window in self.windows:
            for day in window.days:
                if day not in DAYS:
                    raise PriceError(f"unknown weekday {day!r}: use one of {', '.join(DAYS)}")
            for text in (window.start, window.end):
                if not _CLOCK.match(text) or text > "24:00":
                    raise PriceError(f"a window's time must be HH:MM, got {text!r}")

    def series(self, start: datetime, end: datetime) -> PriceSeries:
        """Steps covering [start, end): each local day split at its windows' edges."""
        self.validate()
        zone = ZoneInfo(self.timezone)
        local_day = start.astimezone(zone).date() - timedelta(days=1)
        steps: list[PriceStep] = []
        while _midnight(local_day, zone) < end:
            steps.extend(self._day(local_day, zone))
            local_day += timedelta(days=1)
        clipped = [
            PriceStep(max(s.start, start), min(s.end, end), s.price)
            for s in steps
            if s.end > start and s.start < end
        ]
        return PriceSeries.of(clipped)

    def _day(self, day: date, zone: ZoneInfo) -> list[PriceStep]:
        """One local day as steps; windows crossing midnight spill into the next day."""
        day_start, day_end = _midnight(day, zone), _midnight(day + timedelta(days=1), zone)
        marks = {day_start: self.default_price}
        spans = []
        for offset in (-1, 0):
            this = day + timedelta(days=offset)
            for window in self.windows:
                if DAYS[this.weekday()] not in window.days:
                    continue
                a = _at(this, window.start, zone)
                b = _at(this, window.end, zone)
                if b <= a:
                    b = _at(this + timedelta(days=1), window.end, zone)
                spans.append((max(a, day_start), min(b, day_end), window.price))
        edges = sorted({day_start, day_end, *(a for a, _, _ in spans), *(b for _, b, _ in spans)})
        steps = []
        for a, b in itertools.pairwise(edges):
            if not day_start <= a < day_end:
                continue
            price = marks[day_start]
            for s, e, p in spans:
                if s <= a < e:
                    price = p  # the last window listed wins where windows overlap
            steps.append(PriceStep(a, b, price))
        return steps


def _at(day: date, clock: str, zone: ZoneInfo) -> datetime:
    hours, minutes = int(clock[:2]), int(clock[3:])
    # wall-clock arithmetic in the zone, then UTC: steps compare and subtract by real time
    wall = datetime.combine(day, time(0), zone) + timedelta(hours=hours, minutes=minutes)
    return wall.astimezone(UTC)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(UTC)
