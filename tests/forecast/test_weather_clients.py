"""Forecast.Solar and Open-Meteo clients over real HTTP on loopback, against response bodies in
the shapes the providers document:

* Forecast.Solar: doc.forecast.solar/api:estimate (result.watts / watt_hours_period /
  watt_hours / watt_hours_day, message.type/info/ratelimit) and doc.forecast.solar/api
  (`?time=utc` timestamps as 2017-09-17T22:00:00+00:00; sunrise and sunset points added).
* Open-Meteo: open-meteo.com/en/docs (minutely_15=global_tilted_irradiance with tilt and
  azimuth, 0 = south; each value the mean of the preceding 15 minutes, W/m²; errors as
  {"error": true, "reason": …} with HTTP 400).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.prices.loopback import Recorded, serving
from wattkeeper.forecast import forecast_solar, open_meteo
from wattkeeper.forecast.weather import Roof, WeatherError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "forecast"
ROOF = Roof(52.52, 13.40, tilt=35, azimuth=0, kwp=5.0)
NOON = datetime(2025, 11, 25, 11, 0, tzinfo=UTC)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def routed(body: bytes, status: int = 200) -> Recorded:
    """Every path answers the same (Forecast.Solar puts the roof into the path)."""
    return Recorded(fallback=lambda q, h, b: (status, "application/json", body))


def test_forecast_solar_asks_for_the_roof_and_gives_quarter_hour_means() -> None:
    recorded = routed(fixture("forecast-solar-estimate.json"))
    with serving(recorded) as base, httpx.Client() as client:
        forecast = forecast_solar.fetch(client, base, ROOF)
    _, path, query, _, _ = recorded.requests[0]
    assert path == "/estimate/52.5200/13.4000/35/0/5"
    assert query == {"time": ["utc"]}
    # 11:00 is 1156 W, 12:00 1044 W: the quarter 11:00-11:15 lies on that line
    assert forecast.at(NOON) == pytest.approx(1156 - (1156 - 1044) * 0.125, abs=0.5)
    # sunrise 06:47 at 0 W: the first whole quarter starts 07:00; night is 0 W
    assert forecast.at(datetime(2025, 11, 25, 18, 0, tzinfo=UTC)) == pytest.approx(0.0)
    assert forecast.at(datetime(2025, 11, 25, 6, 30, tzinfo=UTC)) is None
    assert forecast.reaches() is not None and forecast.reaches() <= datetime(
        2025, 11, 26, 14, 55, tzinfo=UTC
    )
    # the day's energy agrees with what the service says it is (watt_hours_day)
    day = json.loads(fixture("forecast-solar-estimate.json"))["result"]["watt_hours_day"]
    quarters = [v for k, v in forecast.quarters.items() if k.day == 25]
    assert sum(quarters) / 4 == pytest.approx(day["2025-11-25"], rel=0.03)


def test_open_meteo_asks_for_tilted_irradiance_and_turns_it_into_the_roofs_power() -> None:
    recorded = routed(fixture("open-meteo-minutely15-gti.json"))
    with serving(recorded) as base, httpx.Client() as client:
        forecast = open_meteo.fetch(client, base, ROOF)
    _, path, query, _, _ = recorded.requests[0]
    assert path == "/v1/forecast"
    assert query["minutely_15"] == ["global_tilted_irradiance"]
    assert query["tilt"] == ["35"] and query["azimuth"] == ["0"]
    assert query["latitude"] == ["52.5200"] and query["timezone"] == ["GMT"]
    document = json.loads(fixture("open-meteo-minutely15-gti.json"))["minutely_15"]
    # the value stamped 11:15 is the mean of 11:00-11:15
    at = document["time"].index("2025-11-25T11:15")
    irradiance = document["global_tilted_irradiance"][at]
    expected = irradiance * 5.0 * open_meteo.PERFORMANCE_RATIO
    assert forecast.at(NOON) == pytest.approx(expected)
    assert forecast.at(NOON + timedelta(minutes=7)) == pytest.approx(expected)
    assert len(forecast.quarters) == 192
    assert forecast.reaches() == datetime(2025, 11, 26, 23, 45, tzinfo=UTC)


def _open_meteo(**changes: object) -> bytes:
    document = json.loads(fixture("open-meteo-minutely15-gti.json"))
    for key, value in changes.items():
        document[key] = value
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (
            429,
            b'{"result": null, "message": {"code": 429, "type": "error", '
            b'"text": "Rate limit for API calls reached.", "ratelimit": {"period": 3600, '
            b'"limit": 12, "remaining": 0}}}',
            "HTTP 429.*Rate limit for API calls reached",
        ),
        (500, b"Internal Server Error", "HTTP 500"),
        (200, fixture("forecast-solar-estimate.json")[:300], "not JSON"),
        (200, b'{"result": {"watts": {"2025-11-25 11:00:00": 800}}}', "no UTC offset"),
        # kW where watts belong make a 5 kWp roof give 1156 kW
        (
            200,
            b'{"result": {"watts": {"2025-11-25T11:00:00+00:00": 1156000}}}',
            "impossible",
        ),
        (200, b'{"result": {"watts": {"2025-11-25T11:00:00+00:00": "1.1 kW"}}}', "not a number"),
        (200, b'{"result": []}', 'no "result.watts"'),
    ],
)
def test_forecast_solar_failures_say_what_went_wrong(
    status: int, body: bytes, message: str
) -> None:
    with (
        serving(routed(body, status)) as base,
        httpx.Client() as client,
        pytest.raises(WeatherError, match=message),
    ):
        forecast_solar.fetch(client, base, ROOF)


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (
            400,
            b'{"error": true, "reason": "Parameter \'tilt\' must be between 0 and 90"}',
            "HTTP 400.*tilt",
        ),
        (429, b'{"error": true, "reason": "Minutely API request limit exceeded"}', "HTTP 429"),
        (500, b"oops", "HTTP 500"),
        (200, fixture("open-meteo-minutely15-gti.json")[:500], "not JSON"),
        (
            200,
            _open_meteo(minutely_15_units={"time": "iso8601", "global_tilted_irradiance": "kW/m²"}),
            "unit 'kW/m²'",
        ),
        (200, _open_meteo(minutely_15={"time": ["2025-11-25T11:15"]}), 'no "minutely_15"'),
        (
            200,
            _open_meteo(
                minutely_15={"time": ["2025-11-25T11:15"], "global_tilted_irradiance": [90000]}
            ),
            "impossible",
        ),
        (200, b'{"error": true, "reason": "No data"}', "Open-Meteo refused: 'No data'"),
    ],
)
def test_open_meteo_failures_say_what_went_wrong(status: int, body: bytes, message: str) -> None:
    with (
        serving(routed(body, status)) as base,
        httpx.Client() as client,
        pytest.raises(WeatherError, match=message),
    ):
        open_meteo.fetch(client, base, ROOF)


def test_an_oversized_forecast_is_refused_before_it_is_read_whole() -> None:
    huge = b'{"result": {"watts": {' + b'"x": 0,' * 80_000 + b'"y": 0}}}'
    with (
        serving(routed(huge)) as base,
        httpx.Client() as client,
        pytest.raises(WeatherError, match="more than 524288"),
    ):
        forecast_solar.fetch(client, base, ROOF)


def test_open_meteo_without_data_at_the_end_leaves_it_unknown_and_darkness_is_not_negative() -> (
    None
):
    body = _open_meteo(
        minutely_15={
            "time": ["2025-11-25T11:15", "2025-11-25T11:30", "2025-11-25T11:45"],
            "global_tilted_irradiance": [-1.6, 100.0, None],
        }
    )
    forecast = open_meteo.parse(body, 5.0)
    assert forecast.at(NOON) == 0.0
    assert forecast.at(NOON + timedelta(minutes=15)) == pytest.approx(430.0)
    assert forecast.at(NOON + timedelta(minutes=30)) is None


async def test_home_assistants_forecast_solar_library_reads_the_same_estimate() -> None:
    """The other side: `forecast-solar` (Home Assistant's integration) asks our loopback server
    for the same roof and reads the recorded estimate; our quarter-hour means lie on its watts
    and our day sums match its watt_hours_day, and it asks for the same path."""
    from forecast_solar import ForecastSolar
    from yarl import URL

    recorded = routed(fixture("forecast-solar-estimate.json"))
    # the service's rate-limit headers (doc.forecast.solar/api#headers), as in the body's message
    recorded.headers = {
        "X-Ratelimit-Period": "3600",
        "X-Ratelimit-Limit": "12",
        "X-Ratelimit-Remaining": "11",
    }
    with serving(recorded) as base:
        with httpx.Client() as client:
            ours = forecast_solar.fetch(client, base, ROOF)
        library = ForecastSolar(
            latitude=ROOF.latitude, longitude=ROOF.longitude, declination=ROOF.tilt,
            azimuth=ROOF.azimuth, kwp=ROOF.kwp,
        )  # fmt: skip
        library._base_url = URL(base)  # loopback instead of api.forecast.solar
        try:
            estimate = await library.estimate()
        finally:
            await library.close()
    ours_path, theirs_path = (request[1] for request in recorded.requests[:2])
    assert [float(p) for p in ours_path.split("/")[2:]] == [
        float(p) for p in theirs_path.split("/")[-5:]
    ]
    watts = {when.astimezone(UTC): w for when, w in estimate.watts.items()}
    at_11, at_12 = watts[NOON], watts[NOON + timedelta(hours=1)]
    assert ours.at(NOON) == pytest.approx(at_11 + (at_12 - at_11) * 0.125, abs=0.5)
    for day, energy in estimate.wh_days.items():
        quarters = [v for k, v in ours.quarters.items() if k.date() == day.date()]
        if quarters:
            assert sum(quarters) / 4 == pytest.approx(energy, rel=0.03)
