"""The grid's terms laid on the plan's slots: a §14a dimming window lowers the import limit
only where it is in force, feed-in follows the market where it has prices, the export limit;
and a contradiction in the configuration is refused with the reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from wattkeeper.controllers.time_of_use.config import TouConfig
from wattkeeper.controllers.time_of_use.inputs import GridTerms, export_prices, import_limits
from wattkeeper.optimiser.slots import grid
from wattkeeper.prices.series import PriceSeries, PriceStep

# 2026-12-07 16:00 UTC = 17:00 in Berlin (CET)
NOW = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def config(**properties: object) -> TouConfig:
    return TouConfig.model_validate(properties)


def test_a_dimming_window_limits_import_only_while_it_is_in_force() -> None:
    window = {"days": EVERY_DAY, "start": "18:00", "end": "20:00", "limit": 4200}
    cfg = config(gridImportLimit=11_000, dimmingWindows=[window])
    bounds = tuple(grid(NOW, NOW + timedelta(hours=8)))  # quarter hours for 6 h, then hours
    limits = import_limits(bounds, GridTerms(0.08, None, 11.0, cfg.dimming()))
    assert limits is not None
    by_start = dict(zip(bounds[:-1], limits, strict=True))
    assert by_start[NOW] == 11.0  # 17:00 local
    assert by_start[NOW + timedelta(hours=1)] == 4.2  # 18:00 local
    assert by_start[NOW + timedelta(hours=2, minutes=45)] == 4.2  # 19:45 local
    assert by_start[NOW + timedelta(hours=3)] == 11.0  # 20:00 local


def test_without_a_fuse_only_the_windows_limit() -> None:
    window = {"days": EVERY_DAY, "start": "18:00", "end": "19:00", "limit": 4200}
    cfg = config(dimmingWindows=[window])
    bounds = tuple(grid(NOW, NOW + timedelta(hours=3)))
    limits = import_limits(bounds, GridTerms(0.08, None, None, cfg.dimming()))
    assert limits is not None
    assert limits[0] == float("inf") and limits[4] == 4.2 and limits[-1] == float("inf")
    assert import_limits(bounds, GridTerms(0.08)) is None


def test_feed_in_follows_the_market_where_it_has_prices() -> None:
    bounds = tuple(grid(NOW, NOW + timedelta(hours=2)))
    market = PriceSeries((PriceStep(NOW, NOW + timedelta(hours=1), -0.02),))
    prices = export_prices(bounds, GridTerms(0.08, market))
    assert prices[:4] == (-0.02,) * 4  # negative prices are paid for feeding in, too
    assert prices[4:] == (0.08,) * 4  # no market price yet: the fixed tariff
    assert export_prices(bounds, GridTerms(0.08)) == (0.08,) * 8


def test_market_feed_in_without_market_prices_is_refused_with_the_reason() -> None:
    with pytest.raises(ValidationError, match="feedInSource 'market' needs day-ahead prices"):
        config(feedInSource="market")
    assert config(feedInSource="market", priceSource="awattar").feed_in_source == "market"


def test_a_bad_dimming_window_is_refused() -> None:
    window = {"days": ["someday"], "start": "18:00", "end": "20:00", "limit": 4200}
    with pytest.raises(ValidationError, match="unknown weekday"):
        config(dimmingWindows=[window])
