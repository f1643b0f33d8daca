"""What happened: quarter-hour means for the forecasts and their error, and the money saved
against the same meters without the battery (the schedule's past comes from history: past.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from wattkeeper.core.power_history import PowerHistory
from wattkeeper.forecast.error import ForecastError
from wattkeeper.forecast.profile import Profile, QuarterAverager, QuarterProfile
from wattkeeper.forecast.pv import ClearSkyScaledProfile


class Observer:
    def __init__(
        self, zone: ZoneInfo, default_consumption: float, site: tuple[float, float] | None = None
    ) -> None:
        self.zone = zone
        self.consumption = Profile(default=default_consumption)
        # with the site's coordinates, PV history is scaled by the clear sky of the day asked
        self.production: QuarterProfile = (
            Profile(default=0.0) if site is None else ClearSkyScaledProfile(*site)
        )
        self.consumption_error = ForecastError()
        self.production_error = ForecastError()
        self._means = {k: QuarterAverager() for k in ("grid", "production", "consumption", "ess")}
        self.saved = 0.0
        self._last: float | None = None

    def cycle(
        self,
        now: datetime,
        ts: float,
        readings: dict[str, float | None],
        price: float | None,
        feed_in: float,
    ) -> None:
        finished = {k: avg.add(now, readings[k]) for k, avg in self._means.items()}
        done = next((f for f in finished.values() if f is not None), None)
        if done is not None:
            means = {k: (f[1] if f else None) for k, f in finished.items()}
            self._learn(done[0], means)
        self._count_savings(ts, readings, price, feed_in)

    def seed(self, sources: Sequence[PowerHistory], now: float, days: int = 7) -> int:
        """Fill the profiles from components that can replay their past (simulators): the
        forecasts are useful from the first plan. Returns the quarter hours learnt."""
        kinds: dict[str, QuarterProfile] = {
            "production": self.production,
            "consumption": self.consumption,
        }
        first = (now // 900 - days * 96) * 900
        learnt = 0
        for q in range(days * 96):
            start = first + q * 900
            local = datetime.fromtimestamp(start, self.zone)
            for kind, profile in kinds.items():
                values = [
                    s.past_power(start, start + 900) for s in sources if s.history_kind == kind
                ]
                known = [v for v in values if v is not None]
                if known:
                    profile.add(local, sum(known))
                    learnt += 1
        return learnt

    def _learn(self, start: datetime, means: dict[str, float | None]) -> None:
        local = start.astimezone(self.zone)
        pairs: tuple[tuple[str, QuarterProfile, ForecastError], ...] = (
            ("consumption", self.consumption, self.consumption_error),
            ("production", self.production, self.production_error),
        )
        for name, profile, error in pairs:
            value = means[name]
            if value is None:
                continue
            error.add(profile.expect(local), value)
            profile.add(local, value)

    def _count_savings(
        self, ts: float, readings: dict[str, float | None], price: float | None, feed_in: float
    ) -> None:
        grid, ess = readings["grid"], readings["ess"]
        last, self._last = self._last, ts
        if last is None or price is None or grid is None or ess is None:
            return
        hours = min(ts - last, 60.0) / 3600.0  # a long gap (restart) is not a second of power

        def bill(watts: float) -> float:
            return (price * watts if watts > 0 else feed_in * watts) / 1000.0 * hours

        # without the battery the grid would have carried the battery's power too
        self.saved += bill(grid + ess) - bill(grid)
