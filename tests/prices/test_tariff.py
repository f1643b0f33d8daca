"""A fixed time-of-use tariff from configuration: windows per weekday, past midnight, DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from wattkeeper.prices.series import PriceError
from wattkeeper.prices.tariff import FixedTariff, Window

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
NIGHT = FixedTariff(
    default_price=0.32,
    windows=(
        Window(days=WEEKDAYS, start="22:00", end="06:00", price=0.22),
        Window(days=("sat", "sun"), start="00:00", end="24:00", price=0.25),
    ),
)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


def test_a_night_rate_on_weekdays_crosses_midnight() -> None:
    # Monday 2026-12-07
    series = NIGHT.series(local(2026, 12, 7, 0, 0), local(2026, 12, 9, 0, 0))
    # Sunday's all-day window ends at midnight; no window starts on Sunday night
    assert series.at(local(2026, 12, 7, 5, 59)) == 0.32
    assert series.at(local(2026, 12, 7, 12, 0)) == 0.32
    assert series.at(local(2026, 12, 7, 22, 0)) == 0.22
    assert series.at(local(2026, 12, 8, 5, 59)) == 0.22  # Monday's window reaches into Tuesday
    assert series.at(local(2026, 12, 8, 6, 0)) == 0.32
    assert series.reaches(local(2026, 12, 7, 0, 0)) == local(2026, 12, 9, 0, 0)


def test_friday_night_runs_into_the_weekend_rate() -> None:
    series = NIGHT.series(local(2026, 12, 11, 12, 0), local(2026, 12, 12, 12, 0))
    assert series.at(local(2026, 12, 11, 23, 0)) == 0.22
    # Saturday's own window is listed later, so it wins over Friday's spill-over
    assert series.at(local(2026, 12, 12, 3, 0)) == 0.25


def test_the_day_the_clocks_go_back_has_25_hours_of_steps() -> None:
    start = local(2026, 10, 25, 0, 0)
    end = local(2026, 10, 26, 0, 0)
    series = NIGHT.series(start, end)
    covered = sum((s.end - s.start for s in series.steps), timedelta())
    assert covered == timedelta(hours=25)
    assert series.at(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) == 0.25


@pytest.mark.parametrize(
    ("window", "message"),
    [
        (
            Window(days=("monday",), start="00:00", end="06:00", price=0.1),
            "unknown weekday 'monday'",
        ),
        (Window(days=("mon",), start="6:00", end="07:00", price=0.1), "HH:MM, got '6:00'"),
        (Window(days=("mon",), start="24:30", end="07:00", price=0.1), "HH:MM"),
    ],
)
def test_a_wrong_window_names_what_is_wrong(window: Window, message: str) -> None:
    with pytest.raises(PriceError, match=message):
        FixedTariff(default_price=0.3, windows=(window,)).series(
            local(2026, 12, 7, 0, 0), local(2026, 12, 8, 0, 0)
        )
