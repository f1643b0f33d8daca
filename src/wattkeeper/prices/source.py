"""A day-ahead price source as configured: which API, its token and zone, surcharges and VAT."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import httpx

from wattkeeper.prices import awattar, entsoe, tibber
from wattkeeper.prices.retail import Retail
from wattkeeper.prices.series import PriceError, PriceSeries, PriceStep


@dataclass(frozen=True)
class DayAheadSource:
    """`kind` is awattar, entsoe or tibber; `url` overrides the provider's address (a proxy)."""

    kind: str
    retail: Retail
    token: str | None = None
    zone: str = "DE-LU"
    url: str | None = None

    def fetch(self, start: datetime, end: datetime, client: httpx.Client) -> PriceSeries:
        """What the household pays, €/kWh, from start to end (as far as published)."""
        if self.kind == "awattar":
            market = awattar.fetch(client, self.url or awattar.BASE_URLS["DE"], start, end)
            return self.retail.apply(market)
        if self.kind == "entsoe":
            if not self.token:
                raise PriceError("ENTSO-E needs a security token (property token)")
            zone = entsoe.ZONES.get(self.zone, self.zone)
            market = entsoe.fetch(client, self.token, zone, start, end, self.url or entsoe.BASE_URL)
            return self.retail.apply(market)
        if self.kind == "tibber":
            if not self.token:
                raise PriceError("Tibber needs an access token (property token)")
            # Tibber's totals already hold its fees and VAT: only the user's own surcharge
            series = tibber.fetch(client, self.token, url=self.url or tibber.URL)
            extra = self.retail.surcharge_per_kwh
            return PriceSeries(
                tuple(PriceStep(s.start, s.end, s.price + extra) for s in series.steps)
            )
        raise PriceError(f"unknown price source {self.kind!r}")


ClientFactory = Callable[[], httpx.Client]
