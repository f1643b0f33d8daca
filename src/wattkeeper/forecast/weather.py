"""A weather-based PV forecast: watts per quarter hour (UTC) for one roof, from a web service."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from wattkeeper.prices.fetch import exchange
from wattkeeper.prices.series import PriceError

QUARTER = timedelta(minutes=15)
# a forecast of a day or two at 15 minutes is ~20 kB; a megabyte is no forecast
MAX_BODY = 512 * 1024
MAX_POINTS = 16 * 96  # 16 days of quarter hours (Open-Meteo's longest forecast)
# a roof gives at most about its peak power; far above it, the numbers are not this roof's watts
PEAK_MARGIN = 1.5


class WeatherError(ValueError):
    """A forecast service answered something that is not a PV forecast; the message says what."""


@dataclass(frozen=True)
class Roof:
    """The PV plane: site, tilt (0 horizontal … 90 vertical), azimuth (0 south, -90 east,
    90 west, ±180 north; both services count it this way) and peak power in kW."""

    latitude: float
    longitude: float
    tilt: float
    azimuth: float
    kwp: float


@dataclass(frozen=True)
class PvForecast:
    """Mean PV power (W) of each quarter hour it knows, keyed by the quarter's UTC start."""

    quarters: dict[datetime, float]

    def at(self, start: datetime) -> float | None:
        """The quarter hour starting at `start` (any zone), or None where the forecast ends."""
        key = start.astimezone(UTC)
        return self.quarters.get(key.replace(minute=key.minute // 15 * 15, second=0, microsecond=0))

    def reaches(self) -> datetime | None:
        return max(self.quarters) + QUARTER if self.quarters else None


def checked_watts(value: object, kwp: float, what: str) -> float:
    """A number of watts this roof can make, or WeatherError saying why not."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise WeatherError(f"{what}: {value!r} is not a number")
    if value > kwp * 1000.0 * PEAK_MARGIN:
        raise WeatherError(
            f"{what}: {value:g} W from a {kwp:g} kWp roof is impossible (wrong unit or roof?)"
        )
    return max(float(value), 0.0)


def get(client: httpx.Client, url: str, params: dict[str, str] | None = None) -> bytes:
    """One bounded GET (size, time, status); failures become WeatherError."""
    try:
        return exchange(client, "GET", url, params=params, max_body=MAX_BODY)
    except PriceError as exc:
        raise WeatherError(str(exc)) from exc


def json_object(body: bytes, service: str) -> dict[str, object]:
    """The answer as a JSON object, or WeatherError saying what it is instead."""
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise WeatherError(f"{service} answer is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise WeatherError(f"{service} answer is not an object")
    return document


def quarter_of(when: datetime) -> datetime:
    return when.replace(minute=when.minute // 15 * 15, second=0, microsecond=0)
