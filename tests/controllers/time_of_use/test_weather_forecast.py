"""The weather-based PV forecast in the controller: the plan uses it while it is fresh, falls
back to the history × clear sky visibly when the service fails or goes late, and the
ProductionForecastError channel measures whichever forecast was used."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.controllers.time_of_use.test_controller import CID, home
from tests.forecast.test_weather_clients import fixture
from tests.prices.loopback import Recorded, serving
from wattkeeper.controllers.time_of_use.controller import TimeOfUse
from wattkeeper.controllers.time_of_use.inputs import slot_mean
from wattkeeper.controllers.time_of_use.observer import Observer
from wattkeeper.controllers.time_of_use.weather import Weather, WeatherOrHistory, WeatherSource
from wattkeeper.forecast.clearsky import ghi
from wattkeeper.forecast.profile import QuarterProfile
from wattkeeper.forecast.weather import PvForecast, Roof
from wattkeeper.testing.one_cycle import OneCycle

BERLIN = ZoneInfo("Europe/Berlin")
NOON = datetime(2025, 11, 25, 11, 0, tzinfo=UTC)
ROOF: dict[str, Any] = {
    "latitude": 52.52,
    "longitude": 13.40,
    "pvTilt": 35,
    "pvAzimuth": 0,
    "pvPeakPower": 5000,
}


class Service:
    """The loopback forecast service; `status` switches it between answering and failing."""

    def __init__(self, body: bytes) -> None:
        self.status = 200
        self.body = body
        self.recorded = Recorded(fallback=lambda q, h, b: (self.status, "application/json",
                                                           self.body if self.status == 200
                                                           else b"Internal Server Error"))  # fmt: skip


def taught(controller: TimeOfUse) -> QuarterProfile:
    """A week of a sunny history: the history forecast is far from the weather's."""
    history = controller._pv.history
    start = datetime(2025, 11, 17, 23, 0, tzinfo=UTC)
    for q in range(7 * 96):
        at = start + timedelta(minutes=15 * q)
        history.add(at.astimezone(BERLIN), 8.0 * ghi(at + timedelta(minutes=7.5), 52.52, 13.40))
    return history


def cycle_until_planned(harness: OneCycle, controller: TimeOfUse) -> None:
    """Cycles until the fetch and the plan it causes have finished (never sleeping)."""
    assert controller.weather is not None
    harness.run()
    controller.weather.wait(30)
    controller.planner.wait(30)
    harness.run()  # takes the forecast (a new plan is due)
    controller.planner.wait(30)
    harness.run()  # takes the plan


def noon_pv_kw(controller: TimeOfUse) -> tuple[float, datetime, datetime]:
    schedule = controller.schedule
    assert schedule is not None
    for i, (a, b) in enumerate(itertools.pairwise(schedule.bounds)):
        if a <= NOON < b:
            return schedule.problem.pv_kw[i], a, b
    raise AssertionError("noon is not in the plan")


def weather_mean_kw(forecast: PvForecast, a: datetime, b: datetime) -> float:
    quarters = [
        forecast.at(a + timedelta(minutes=15 * i)) for i in range((b - a) // timedelta(minutes=15))
    ]
    assert all(q is not None for q in quarters)
    return sum(q for q in quarters if q is not None) / len(quarters) / 1000.0


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("open-meteo", "open-meteo-minutely15-gti.json"),
        ("forecast.solar", "forecast-solar-estimate.json"),
    ],
)
def test_the_plan_uses_the_weather_forecast_and_falls_back_when_it_goes_late(
    source: str, name: str
) -> None:
    service = Service(fixture(name))
    with serving(service.recorded) as base:
        harness, _battery, controller = home(pvForecastSource=source, pvForecastUrl=base, **ROOF)
        history = taught(controller)
        cycle_until_planned(harness, controller)
        assert harness.value(f"{CID}/PvForecastState") == "ok"
        assert harness.value(f"{CID}/PvForecastError") is None
        assert controller.weather is not None and controller.weather.forecast is not None
        planned, a, b = noon_pv_kw(controller)
        from_weather = weather_mean_kw(controller.weather.forecast, a, b)
        from_history = slot_mean(history, a, b, BERLIN)
        assert planned == pytest.approx(from_weather)
        assert abs(from_history - from_weather) > 0.3  # the two forecasts tell apart

        # the service fails from now on; four hours later its forecast is too old to use
        service.status = 500
        harness.run(4 * 3600)
        controller.weather.wait(30)
        controller.planner.wait(30)
        harness.run()
        controller.planner.wait(30)
        harness.run()
        assert harness.value(f"{CID}/PvForecastState") == "late"
        assert "HTTP 500" in str(harness.value(f"{CID}/PvForecastError"))
        planned, a, b = noon_pv_kw(controller)
        assert planned == pytest.approx(slot_mean(history, a, b, BERLIN))


def test_garbage_from_the_service_is_a_visible_state_and_the_history_plans() -> None:
    service = Service(b'{"result": {"watts": {"2025-11-25T11:00:00+00:00": 99999999}}}')
    with serving(service.recorded) as base:
        harness, _battery, controller = home(
            pvForecastSource="forecast.solar", pvForecastUrl=base, **ROOF
        )
        history = taught(controller)
        cycle_until_planned(harness, controller)
    assert harness.value(f"{CID}/PvForecastState") == "missing"
    assert "impossible" in str(harness.value(f"{CID}/PvForecastError"))
    assert harness.value(f"{CID}/PlanStatus") == "optimal"
    planned, a, b = noon_pv_kw(controller)
    assert planned == pytest.approx(slot_mean(history, a, b, BERLIN))


def test_without_a_weather_source_the_state_says_history() -> None:
    harness, _battery, controller = home()
    harness.run()
    assert harness.value(f"{CID}/PvForecastState") == "history"
    assert controller.weather is None


def test_a_weather_source_needs_the_roof() -> None:
    with pytest.raises(Exception, match="needs latitude, longitude and pvPeakPower"):
        home(pvForecastSource="open-meteo", latitude=52.5, longitude=13.4)


@pytest.mark.parametrize(("weather", "error"), [(True, 200.0), (False, 1200.0)])
def test_the_production_error_measures_the_forecast_that_was_used(
    weather: bool, error: float
) -> None:
    observer = Observer(BERLIN, 500.0)
    production = WeatherOrHistory(observer.production)  # the history knows nothing yet: 0 W
    observer.production = production
    if weather:
        production.weather = PvForecast({NOON: 1000.0})
    readings: dict[str, float | None] = {"grid": 0.0, "production": 1200.0, "consumption": 0.0,
                                         "ess": 0.0}  # fmt: skip
    for second in range(0, 15 * 60 + 1, 60):  # the quarter hour, then the next one's start
        at = NOON + timedelta(seconds=second)
        observer.cycle(at, at.timestamp(), readings, 0.3, 0.08)
    assert observer.production_error.mean_absolute == pytest.approx(error)


def test_a_failing_service_is_asked_again_later_and_later() -> None:
    service = Service(b"")
    service.status = 500
    roof = Roof(52.52, 13.40, 35, 0, 5.0)
    with serving(service.recorded) as base:
        weather = Weather(WeatherSource("open-meteo", roof, base))
        asked_at = []
        for minute in range(0, 40):
            now = NOON + timedelta(minutes=minute)
            before = len(service.recorded.requests)
            weather.poll(now)
            weather.wait(30)
            weather.poll(now)  # takes the failure at once
            if len(service.recorded.requests) > before:
                asked_at.append(minute)
        weather.close()
    # 5 min, then 10, then 20 between the tries
    assert asked_at == [0, 5, 15, 35]
    assert weather.state(NOON) == "missing" and "HTTP 500" in weather.error
