"""Open-Meteo's forecast API: `GET /v1/forecast?minutely_15=global_tilted_irradiance&tilt=
&azimuth=`, irradiance on the roof's plane (W/m², the mean of the preceding 15 minutes),
turned into the roof's power by its peak power and a performance ratio."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
)

BASE_URL = "https://api.open-meteo.com"
VARIABLE = "global_tilted_irradiance"
# inverter, wiring, temperature and soiling losses: PVWatts' default system losses (14 %)
PERFORMANCE_RATIO = 0.86
STC_IRRADIANCE = 1000.0  # W/m² at which a module gives its peak power


def params_for(roof: Roof, days: int = 2) -> dict[str, str]:
    return {
        "latitude": f"{roof.latitude:.4f}",
        "longitude": f"{roof.longitude:.4f}",
        "minutely_15": VARIABLE,
        "tilt": f"{roof.tilt:g}",
        "azimuth": f"{roof.azimuth:g}",
        "timezone": "GMT",
        "forecast_days": str(days),
        # parse() reads ISO 8601 stamps: ask for them rather than lean on the API's default
        "timeformat": "iso8601",
    }


def fetch(client: httpx.Client, base_url: str, roof: Roof) -> PvForecast:
    return parse(get(client, f"{base_url}/v1/forecast", params_for(roof)), roof.kwp)


def parse(body: bytes, kwp: float) -> PvForecast:
    """{"utc_offset_seconds": 0, "minutely_15_units": {"time": "iso8601", VARIABLE: "W/m²"},
    "minutely_15": {"time": ["2025-11-25T07:00", …], VARIABLE: [12.5, …]}}."""
    document = json_object(body, "Open-Meteo")
    if document.get("error"):
        raise WeatherError(f"Open-Meteo refused: {document.get('reason')!r}")
    units = document.get("minutely_15_units")
    unit = units.get(VARIABLE) if isinstance(units, dict) else None
    if unit != "W/m²":
        raise WeatherError(f"Open-Meteo {VARIABLE} unit {unit!r}, expected 'W/m²'")
    offset = document.get("utc_offset_seconds", 0)
    if not isinstance(offset, int) or abs(offset) > 18 * 3600:
        raise WeatherError(f"Open-Meteo utc_offset_seconds {offset!r} is not an offset")
    block = document.get("minutely_15")
    times = block.get("time") if isinstance(block, dict) else None
    values = block.get(VARIABLE) if isinstance(block, dict) else None
    if not isinstance(times, list) or not isinstance(values, list) or len(times) != len(values):
        raise WeatherError(f'Open-Meteo answer has no "minutely_15" time and {VARIABLE} lists')
    if len(times) > MAX_POINTS:
        raise WeatherError(f"Open-Meteo answer has {len(times)} points, more than {MAX_POINTS}")
    watts_per_irradiance = kwp * 1000.0 * PERFORMANCE_RATIO / STC_IRRADIANCE
    quarters = {}
    for stamp, irradiance in zip(times, values, strict=True):
        if irradiance is None:
            continue  # past the weather model's reach: unknown, not dark
        end = _time(stamp, offset)
        # slightly negative irradiance happens (open-meteo issue 1355): it is no light
        power = checked_watts(
            max(_irradiance(irradiance, stamp), 0.0) * watts_per_irradiance,
            kwp,
            f"Open-Meteo at {stamp}",
        )
        quarters[end - QUARTER] = power
    return PvForecast(quarters)


def _irradiance(value: object, stamp: object) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise WeatherError(f"Open-Meteo at {stamp}: {value!r} is not a number")
    if value > 1500:  # above the solar constant (1361 W/m²): not W/m²
        raise WeatherError(f"Open-Meteo at {stamp}: {value:g} W/m² is impossible (wrong unit?)")
    return float(value)


def _time(stamp: object, offset: int) -> datetime:
    if not isinstance(stamp, str):
        raise WeatherError(f"Open-Meteo time {stamp!r} is not a string")
    try:
        local = datetime.fromisoformat(stamp)
    except ValueError as exc:
        raise WeatherError(f"Open-Meteo time {stamp!r} is not ISO 8601") from exc
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    return (local - timedelta(seconds=offset)).replace(tzinfo=UTC)
