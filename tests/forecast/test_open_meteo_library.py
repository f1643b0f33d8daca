"""Open-Meteo against the library Home Assistant's open_meteo integration uses (`open-meteo`):
both ask the same loopback server and read the same recorded body (the shapes are described in
test_weather_clients.py). Slow: importing the library builds its models (~6 s of CPU), so it
is imported inside the tests, and the fast stage leaves them out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import httpx
import pytest
from aiohttp import (
    ClientHandlerType,
    ClientMiddlewareType,
    ClientRequest,
    ClientResponse,
    ClientSession,
)
from yarl import URL

from tests.forecast.test_weather_clients import ROOF, fixture, routed
from tests.prices.loopback import serving
from wattkeeper.forecast import open_meteo
from wattkeeper.forecast.weather import QUARTER, Roof, WeatherError

if TYPE_CHECKING:
    # the `open-meteo` library (an absolute import; `open_meteo` above is our client module)
    from open_meteo import Forecast

pytestmark = pytest.mark.slow


def _to_loopback(base: str, plain: ClientSession) -> ClientMiddlewareType:
    """The `open-meteo` library's URLs are fixed to https://api.open-meteo.com, so the session it
    is given (`session=`, its documented way in) carries this aiohttp client middleware (a public
    aiohttp hook): each request is sent again, same method, path and query, by a plain session
    to our loopback server, and the middleware never calls `handler`, so nothing connects to
    the real host. No private attribute of the library is touched; a request for any other
    host fails the test instead of leaving the machine."""
    loopback = URL(base)

    async def middleware(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        assert request.url.host == "api.open-meteo.com", request.url
        target = loopback.with_path(request.url.path).with_query(request.url.query)
        return await plain.request(request.method, target)

    return middleware


async def _library_forecast(base: str, roof: Roof) -> Forecast:
    """The library's own forecast call, asked for what our client asks for."""
    from open_meteo import HourlyParameters, OpenMeteo

    async with (
        ClientSession() as plain,
        ClientSession(middlewares=(_to_loopback(base, plain),)) as session,
    ):
        return await OpenMeteo(session=session).forecast(
            latitude=roof.latitude,
            longitude=roof.longitude,
            timezone="GMT",
            minutely_15=[HourlyParameters.GLOBAL_TILTED_IRRADIANCE],
            tilt=roof.tilt,
            azimuth=roof.azimuth,
            forecast_days=2,
        )


async def test_home_assistants_open_meteo_library_reads_the_same_quarter_hours() -> None:
    """The other side: `open-meteo` (the library Home Assistant's open_meteo integration uses)
    asks our loopback server for the same variables and parses the same recorded body into its
    models; every quarter hour of ours is the roof power of the library's value stamped at the
    quarter's end."""
    recorded = routed(fixture("open-meteo-minutely15-gti.json"))
    with serving(recorded) as base:
        with httpx.Client() as client:
            ours = open_meteo.fetch(client, base, ROOF)
        theirs = await _library_forecast(base, ROOF)
    (_, our_path, our_query, _, _), (_, their_path, their_query, _, _) = recorded.requests
    assert our_path == their_path == "/v1/forecast"
    # every parameter we send, the library sends too, with the same value (numbers as numbers)
    for key, [value] in our_query.items():
        [their_value] = their_query[key]
        if key in {"latitude", "longitude", "tilt", "azimuth", "forecast_days"}:
            assert float(value) == float(their_value), key
        else:
            assert value == their_value, key
    expected = _roof_power_of(theirs)
    assert len(expected) == 192 and max(expected.values()) > 500  # a day with sun in it
    assert ours.quarters == pytest.approx(expected)


def _roof_power_of(theirs: Forecast) -> dict[datetime, float]:
    """Our documented conversions applied to what the library parsed: the power of each quarter
    hour keyed by its UTC start."""
    assert theirs.minutely_15 is not None and theirs.minutely_15_units is not None
    assert theirs.minutely_15_units.global_tilted_irradiance == "W/m²"
    # the library leaves stamps naive in the asked timezone: utc_offset_seconds turns them to
    # UTC; each value is the mean of the 15 minutes before its stamp (open-meteo.com/en/docs)
    offset = timedelta(seconds=theirs.utc_offset_seconds)
    watts_per_irradiance = ROOF.kwp * 1000.0 * open_meteo.PERFORMANCE_RATIO
    irradiances = theirs.minutely_15.global_tilted_irradiance or []
    return {
        (stamp - offset).replace(tzinfo=UTC) - QUARTER: max(irradiance, 0.0)
        / open_meteo.STC_IRRADIANCE
        * watts_per_irradiance
        for stamp, irradiance in zip(theirs.minutely_15.time, irradiances, strict=True)
        if irradiance is not None
    }


def test_a_local_time_answer_maps_to_the_same_utc_quarters_as_the_librarys_offset() -> None:
    """We ask for GMT, but an answer in local time (stamps an hour later, utc_offset_seconds
    3600, as for timezone=Europe/Berlin in winter) lands on the same UTC quarters as the
    library's stamps less its offset: the recorded body shifted, not retyped."""
    document = json.loads(fixture("open-meteo-minutely15-gti.json"))
    block = document["minutely_15"]
    block["time"] = [
        (datetime.fromisoformat(t) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        for t in block["time"]
    ]
    document |= {
        "utc_offset_seconds": 3600,
        "timezone": "Europe/Berlin",
        "timezone_abbreviation": "GMT+1",
    }
    body = json.dumps(document, ensure_ascii=False).encode()
    from open_meteo import Forecast

    theirs = Forecast.from_json(body)
    ours = open_meteo.parse(body, ROOF.kwp)
    assert ours.quarters == pytest.approx(_roof_power_of(theirs))
    assert ours.quarters == pytest.approx(
        open_meteo.parse(fixture("open-meteo-minutely15-gti.json"), ROOF.kwp).quarters
    )


async def test_open_meteos_refusal_reason_reaches_us_and_the_library_alike() -> None:
    # the service's answer to a bad parameter (open-meteo/open-meteo issue 68), HTTP 400
    from open_meteo import OpenMeteoResponseError

    body = b'{"error":true,"reason":"Past days is invalid. Allowed range 0 to 92. Given 93."}'
    with serving(routed(body, 400)) as base:
        with httpx.Client() as client, pytest.raises(WeatherError) as ours:
            open_meteo.fetch(client, base, ROOF)
        with pytest.raises(OpenMeteoResponseError) as theirs:
            await _library_forecast(base, ROOF)
    assert theirs.value.status == 400
    assert theirs.value.reason == json.loads(body)["reason"]
    assert "HTTP 400" in str(ours.value) and theirs.value.reason in str(ours.value)
