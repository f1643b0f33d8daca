"""The weather-based PV forecast fetched off the cycle (a worker thread, backoff on failure),
and the production forecast the planner reads: the weather where it is fresh and reaches,
the history × clear sky everywhere else."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from wattkeeper.forecast import forecast_solar, open_meteo
from wattkeeper.forecast.profile import QuarterProfile
from wattkeeper.forecast.weather import PvForecast, Roof, WeatherError

REFRESH = timedelta(hours=1)  # Forecast.Solar's public plan allows 12 calls an hour per IP
FIRST_RETRY = timedelta(minutes=5)
LAST_RETRY = timedelta(hours=1)
# a forecast fetched longer ago than this is "late": the history takes over
MAX_AGE = timedelta(hours=3)
FETCHERS: dict[str, tuple[str, Callable[[httpx.Client, str, Roof], PvForecast]]] = {
    "forecast.solar": (forecast_solar.BASE_URL, forecast_solar.fetch),
    "open-meteo": (open_meteo.BASE_URL, open_meteo.fetch),
}


@dataclass(frozen=True)
class WeatherSource:
    kind: str  # a key of FETCHERS
    roof: Roof
    url: str | None = None  # overrides the service's address (a proxy)

    def fetch(self, client: httpx.Client) -> PvForecast:
        base_url, fetch = FETCHERS[self.kind]
        return fetch(client, self.url or base_url, self.roof)


class Weather:
    """`poll(now)` once a cycle: starts a fetch when one is due, takes a finished one; a
    failure waits 5 min, then twice as long each time, at most an hour."""

    def __init__(self, source: WeatherSource) -> None:
        self.source = source
        self.forecast: PvForecast | None = None
        self.fetched: datetime | None = None
        self.error = ""
        self.version = 0
        self._future: Future[PvForecast] | None = None
        self._next_try: datetime | None = None
        self._retry = FIRST_RETRY
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="tou-weather")

    def poll(self, now: datetime) -> None:
        if self._future is not None and self._future.done():
            future, self._future = self._future, None
            try:
                self.forecast = future.result()
                self.fetched = now
                self.error = ""
                self.version += 1
                self._next_try = now + REFRESH
                self._retry = FIRST_RETRY
            except Exception as exc:  # any failure is a state; the cycle goes on
                self.error = (
                    str(exc) if isinstance(exc, WeatherError) else f"forecast fetch failed: {exc}"
                )
                self._next_try = now + self._retry
                self._retry = min(self._retry * 2, LAST_RETRY)
        if self._future is None and (self._next_try is None or now >= self._next_try):
            self._future = self._executor.submit(self._fetch)

    def usable(self, now: datetime) -> PvForecast | None:
        """The forecast while it is fresh and still reaches past now; None otherwise."""
        if self.forecast is None or self.fetched is None or now - self.fetched > MAX_AGE:
            return None
        reach = self.forecast.reaches()
        return self.forecast if reach is not None and reach > now else None

    def state(self, now: datetime) -> str:
        """ok, late (too old or ended: the history is used) or missing (none yet)."""
        if self.forecast is None:
            return "missing"
        return "ok" if self.usable(now) is not None else "late"

    def wait(self, timeout: float) -> None:
        """Until the running fetch ends (tests; the cycle never waits)."""
        if self._future is not None:
            self._future.exception(timeout=timeout)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _fetch(self) -> PvForecast:
        with httpx.Client() as client:
            return self.source.fetch(client)


class WeatherOrHistory:
    """The production forecast (QuarterProfile): the weather forecast's quarter where it has
    one, the history's otherwise. It learns into the history; what it expects is what the
    ProductionForecastError channel measures, so the error is the error of what was used."""

    def __init__(self, history: QuarterProfile) -> None:
        self.history = history
        self.weather: PvForecast | None = None

    def add(self, start: datetime, mean: float) -> None:
        self.history.add(start, mean)

    def expect(self, start: datetime) -> float:
        value = None if self.weather is None else self.weather.at(start)
        return self.history.expect(start) if value is None else value
