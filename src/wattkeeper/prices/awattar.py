"""aWATTar's public day-ahead API: `GET /v1/marketdata?start=&end=` (ms), prices in €/MWh."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx

from wattkeeper.prices.fetch import exchange
from wattkeeper.prices.series import PriceError, PriceSeries, PriceStep

# api.awattar.de (Germany) and api.awattar.at (Austria) answer the same shape
BASE_URLS = {"DE": "https://api.awattar.de", "AT": "https://api.awattar.at"}
MAX_STEPS = 2000


def parse(body: bytes) -> PriceSeries:
    """{"object": "list", "data": [{start_timestamp, end_timestamp, marketprice, unit}]}."""
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise PriceError(f"aWATTar answer is not JSON: {exc}") from exc
    rows = document.get("data") if isinstance(document, dict) else None
    if not isinstance(rows, list):
        raise PriceError('aWATTar answer has no "data" list')
    if len(rows) > MAX_STEPS:
        raise PriceError(f"aWATTar answer has {len(rows)} prices, more than {MAX_STEPS}")
    steps = []
    for row in rows:
        if not isinstance(row, dict):
            raise PriceError("aWATTar price entry is not an object")
        unit = row.get("unit")
        if not isinstance(unit, str) or unit.lower() != "eur/mwh":
            raise PriceError(f"aWATTar price unit {unit!r}, expected Eur/MWh")
        start, end, price = (
            row.get("start_timestamp"),
            row.get("end_timestamp"),
            row.get("marketprice"),
        )
        if not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in (start, end, price)
        ):
            raise PriceError(f"aWATTar price entry without numbers: {row}")
        steps.append(PriceStep(_ms(start), _ms(end), float(price)))  # type: ignore[arg-type]
    return PriceSeries.of(steps)


def fetch(client: httpx.Client, base_url: str, start: datetime, end: datetime) -> PriceSeries:
    """Market prices (€/MWh) from start to end; apply `Retail` for what the household pays."""
    params = {"start": str(int(start.timestamp() * 1000)), "end": str(int(end.timestamp() * 1000))}
    return parse(exchange(client, "GET", f"{base_url}/v1/marketdata", params=params))


def _ms(value: float) -> datetime:
    try:
        return datetime.fromtimestamp(value / 1000.0, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise PriceError(f"aWATTar timestamp out of range: {value}") from exc
