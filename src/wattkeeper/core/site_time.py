"""Simulated time: the site's wall clock, running `speed` times faster than real time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from wattkeeper.core.clock import Clock


class SiteTime:
    def __init__(self, clock: Clock, speed: float = 1.0, timezone: str = "Europe/Berlin") -> None:
        self.clock = clock
        self.speed = speed
        self.zone = ZoneInfo(timezone)
        self._start_wall = clock.time()
        self._start_mono = clock.monotonic()

    def now(self) -> float:
        """Simulated epoch seconds."""
        return self._start_wall + (self.clock.monotonic() - self._start_mono) * self.speed

    def local(self) -> datetime:
        return datetime.fromtimestamp(self.now(), self.zone)

    def hour(self) -> float:
        local = self.local()
        return local.hour + local.minute / 60.0 + local.second / 3600.0

    def elapsed(self, mono_before: float, mono_now: float) -> float:
        """Simulated seconds between two monotonic readings."""
        return max(mono_now - mono_before, 0.0) * self.speed
