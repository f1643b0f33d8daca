"""Forecasts from the edge's own history: robust consumption profile, PV scaled by the clear sky."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from wattkeeper.forecast.clearsky import ghi, zenith_deg
from wattkeeper.forecast.error import ForecastError
from wattkeeper.forecast.profile import Profile, QuarterAverager
from wattkeeper.forecast.pv import ClearSkyScaledProfile

BERLIN = ZoneInfo("Europe/Berlin")

# pvlib 0.16.1, Location(52.52, 13.40, altitude=34).get_clearsky(model="haurwitz") and
# get_solarposition()["apparent_zenith"] (computed once in a separate venv; pvlib is no
# dependency of this project)
PVLIB = [
    ("2026-06-21T06:00:00+00:00", 423.95, 63.811),
    ("2026-06-21T11:00:00+00:00", 896.61, 29.116),
    ("2026-06-21T16:00:00+00:00", 465.96, 61.322),
    ("2026-12-07T11:00:00+00:00", 224.54, 75.095),
    ("2026-12-07T14:30:00+00:00", 8.35, 87.87),
    ("2026-03-20T08:15:00+00:00", 413.11, 64.445),
]


@pytest.mark.parametrize(("when", "irradiance", "zenith"), PVLIB)
def test_the_clear_sky_agrees_with_pvlib(when: str, irradiance: float, zenith: float) -> None:
    at = datetime.fromisoformat(when)
    assert zenith_deg(at, 52.52, 13.40) == pytest.approx(zenith, abs=0.6)
    assert ghi(at, 52.52, 13.40) == pytest.approx(irradiance, rel=0.02, abs=3.0)


def test_night_has_no_sun() -> None:
    assert ghi(datetime(2026, 12, 7, 23, 0, tzinfo=UTC), 52.52, 13.40) == 0.0


def test_a_june_history_forecasts_december_by_the_december_sky() -> None:
    pv = ClearSkyScaledProfile(52.52, 13.40)
    june = datetime(2026, 6, 14, 0, 0, tzinfo=UTC)
    for q in range(7 * 96):
        start = june + timedelta(minutes=15 * q)
        # a 5 kWp roof that turns 5 W per W/m² of clear sky into power
        pv.add(start, 5.0 * ghi(start + timedelta(minutes=7.5), 52.52, 13.40))
    december_noon = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)
    expected = 5.0 * ghi(december_noon + timedelta(minutes=7.5), 52.52, 13.40)
    assert pv.expect(december_noon) == pytest.approx(expected, rel=1e-6)
    assert pv.expect(december_noon) < 0.3 * pv.expect(datetime(2026, 6, 21, 11, 0, tzinfo=UTC))
    assert pv.expect(datetime(2026, 12, 7, 20, 0, tzinfo=UTC)) == 0.0


def test_the_consumption_profile_is_robust_to_one_odd_evening() -> None:
    profile = Profile(default=400.0)
    assert profile.expect(datetime(2026, 12, 7, 19, 0, tzinfo=BERLIN)) == 400.0
    for week, watts in enumerate([800.0, 820.0, 9000.0, 790.0]):  # a sauna evening in week 3
        profile.add(datetime(2026, 11, 9, 19, 0, tzinfo=BERLIN) + timedelta(weeks=week), watts)
    monday = datetime(2026, 12, 7, 19, 0, tzinfo=BERLIN)
    assert profile.expect(monday) == pytest.approx(810.0)
    # another weekday at the same time: the same quarter hour of any day
    assert profile.expect(monday + timedelta(days=1)) == pytest.approx(810.0)


def test_quarter_means_and_their_error() -> None:
    averager = QuarterAverager()
    start = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    assert averager.add(start, 100.0) is None
    assert averager.add(start + timedelta(minutes=14), 300.0) is None
    assert averager.add(start + timedelta(minutes=15), 50.0) == (start, 200.0)
    error = ForecastError(window=2)
    assert error.mean_absolute is None
    error.add(100.0, 150.0)
    error.add(100.0, 90.0)
    error.add(100.0, 100.0)  # the first falls out of the window
    assert error.mean_absolute == pytest.approx(5.0)
