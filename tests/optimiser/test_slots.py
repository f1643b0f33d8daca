"""The planning grid: quarter hours for the first six hours, then hours; series averaged onto it."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from wattkeeper.optimiser.slots import average, durations_h, grid

T0 = datetime(2026, 12, 7, 6, 15, tzinfo=UTC)


def test_quarter_hours_for_six_hours_then_hours_aligned_to_the_clock() -> None:
    bounds = grid(T0, T0 + timedelta(hours=36))
    d = durations_h(bounds)
    assert d[:24] == (0.25,) * 24
    # 12:15 -> 13:00 closes the hour, then whole hours to 18:15 next day (ends mid-hour)
    assert d[24] == 0.75
    assert set(d[25:-1]) == {1.0}
    assert d[-1] == 0.25
    assert sum(d) == pytest.approx(36.0)
    assert len(d) == 24 + 1 + 29 + 1


def test_a_grid_off_the_quarter_hour_is_refused() -> None:
    with pytest.raises(ValueError, match="quarter hour"):
        grid(T0 + timedelta(minutes=1), T0 + timedelta(hours=1))


def test_series_are_averaged_by_time_and_gaps_are_nan() -> None:
    bounds = [
        T0,
        T0 + timedelta(minutes=15),
        T0 + timedelta(hours=1, minutes=15),
        T0 + timedelta(hours=2, minutes=15),
    ]
    hour = timedelta(hours=1)
    start = T0.replace(minute=0)
    series = [(start, start + hour, 0.2), (start + hour, start + 2 * hour, 0.4)]
    got = average(bounds, series)
    assert got[0] == pytest.approx(0.2)
    # 06:30..07:30: half in the 06:00 hour, half in the 07:00 hour
    assert got[1] == pytest.approx((0.2 + 0.4) / 2)
    assert math.isnan(got[2])
