"""From a wholesale price to what the household pays: surcharges, then VAT."""

from __future__ import annotations

from dataclasses import dataclass

from wattkeeper.prices.series import PriceSeries, PriceStep


@dataclass(frozen=True)
class Retail:
    """surcharge: grid fees, levies and the supplier's margin in €/kWh; vat as a fraction."""

    surcharge_per_kwh: float = 0.0
    vat: float = 0.0

    def price(self, market_per_mwh: float) -> float:
        return (market_per_mwh / 1000.0 + self.surcharge_per_kwh) * (1.0 + self.vat)

    def apply(self, market: PriceSeries) -> PriceSeries:
        """`market` in €/MWh (as the exchanges publish it) to retail €/kWh."""
        return PriceSeries(
            tuple(PriceStep(s.start, s.end, self.price(s.price)) for s in market.steps)
        )
