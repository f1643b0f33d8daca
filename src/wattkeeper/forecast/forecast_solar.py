"""Forecast.Solar's public estimate: `GET /estimate/:lat/:lon/:dec/:az/:kwp?time=utc`, watts
at points in time (hourly, plus sunrise and sunset), interpolated to quarter-hour means."""

from __future__ import annotations

import bisect
from datetime import datetime, timedelta

import httpx

from wattkeeper.forecast.weather import (
    MAX_POINTS,
    QUARTER,
    PvForecast,
    Roof,
    WeatherError,
    checked_watts,
    get,
    json_object,
    quarter_of,
)
from wattkeeper.prices.fetch import aware_time

BASE_URL = "https://api.forecast.solar"


def url_for(base_url: str, roof: Roof) -> str:
    # the service keeps 4 decimals of the site and integer degrees of the plane
    return (
        f"{base_url}/estimate/{roof.latitude:.4f}/{roof.longitude:.4f}/"
        f"{round(roof.tilt)}/{round(roof.azimuth)}/{roof.kwp:g}"
    )


def fetch(client: httpx.Client, base_url: str, roof: Roof) -> PvForecast:
    # time=utc: timestamps as 2017-09-17T22:00:00+00:00 instead of the site's local wall time
    return parse(get(client, url_for(base_url, roof), {"time": "utc"}), roof.kwp)


def parse(body: bytes, kwp: float) -> PvForecast:
    """{"result": {"watts": {timestamp: W}, "watt_hours_period": …, "watt_hours_day": …},
    "message": {"code": 0, "type": "success", …}}."""
    document = json_object(body, "Forecast.Solar")
    message = document.get("message")
    if isinstance(message, dict) and message.get("type") not in (None, "success"):
        raise WeatherError(f"Forecast.Solar refused: {message.get('text')!r}")
    result = document.get("result")
    watts = result.get("watts") if isinstance(result, dict) else None
    if not isinstance(watts, dict) or not watts:
        raise WeatherError('Forecast.Solar answer has no "result.watts"')
    if len(watts) > MAX_POINTS:
        raise WeatherError(f"Forecast.Solar answer has {len(watts)} points, more than {MAX_POINTS}")
    points = sorted(
        (
            aware_time(stamp, "Forecast.Solar timestamp", WeatherError),
            checked_watts(value, kwp, f"Forecast.Solar at {stamp}"),
        )
        for stamp, value in watts.items()
    )
    return PvForecast(_quarter_means(points))


def _quarter_means(points: list[tuple[datetime, float]]) -> dict[datetime, float]:
    """Watts between two points change linearly (night: sunset 0 to sunrise 0); a quarter's
    mean is Simpson's rule over its start, middle and end. Quarters outside the points are
    unknown."""
    times = [t for t, _ in points]

    def value(at: datetime) -> float:
        i = bisect.bisect_right(times, at)
        if i == 0:
            return points[0][1]
        if i == len(points):
            return points[-1][1]
        (t0, w0), (t1, w1) = points[i - 1], points[i]
        share = (at - t0) / (t1 - t0)
        return w0 + (w1 - w0) * share

    quarters = {}
    start = quarter_of(times[0])
    if start < times[0]:
        start += QUARTER
    half = timedelta(minutes=7, seconds=30)
    while start + QUARTER <= times[-1]:
        mean = (value(start) + 4 * value(start + half) + value(start + QUARTER)) / 6
        quarters[start] = mean
        start += QUARTER
    return quarters
