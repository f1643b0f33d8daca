"""ENTSO-E Transparency Platform day-ahead prices (document A44) with the user's security token."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import httpx

from wattkeeper.prices.fetch import exchange
from wattkeeper.prices.series import PriceError, PriceSeries, PriceStep

BASE_URL = "https://web-api.tp.entsoe.eu"
# bidding zone EIC codes; DE-LU and AT as examples the docs list
ZONES = {"DE-LU": "10Y1001A1001A82H", "AT": "10YAT-APG------L"}
_RESOLUTION = {
    "PT15M": timedelta(minutes=15),
    "PT30M": timedelta(minutes=30),
    "PT60M": timedelta(hours=1),
}
MAX_POINTS = 10_000


def parse(body: bytes) -> PriceSeries:
    """Publication_MarketDocument: TimeSeries/Period(timeInterval, resolution, Point(position,
    price.amount)) in €/MWh; a position left out repeats the price before it (curve type A03)."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise PriceError("ENTSO-E answer declares a DTD or entities: refused")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise PriceError(f"ENTSO-E answer is not XML: {exc}") from exc
    ns = _namespace(root.tag)
    if root.tag.endswith("Acknowledgement_MarketDocument"):
        reason = root.findtext(f".//{ns}Reason/{ns}text") or "no reason given"
        raise PriceError(f"ENTSO-E has no prices: {reason}")
    steps: dict[datetime, PriceStep] = {}
    count = 0
    for period in root.iter(f"{ns}Period"):
        start = _time(period.findtext(f"{ns}timeInterval/{ns}start"))
        end = _time(period.findtext(f"{ns}timeInterval/{ns}end"))
        step = _RESOLUTION.get(period.findtext(f"{ns}resolution") or "")
        if step is None:
            raise PriceError(f"ENTSO-E resolution {period.findtext(f'{ns}resolution')!r} unknown")
        prices: dict[int, float] = {}
        for point in period.iter(f"{ns}Point"):
            count += 1
            if count > MAX_POINTS:
                raise PriceError(f"ENTSO-E answer has more than {MAX_POINTS} prices")
            try:
                position = int(point.findtext(f"{ns}position") or "")
                prices[position] = float(point.findtext(f"{ns}price.amount") or "")
            except ValueError as exc:
                raise PriceError(f"ENTSO-E point without a number: {exc}") from exc
        slots = int((end - start) / step)
        if slots > MAX_POINTS:
            raise PriceError("ENTSO-E period too long")
        last = None
        for position in range(1, slots + 1):
            last = prices.get(position, last)
            if last is None:
                raise PriceError("ENTSO-E period does not start with a price")
            at = start + (position - 1) * step
            steps[at] = PriceStep(at, at + step, last)
    return PriceSeries.of(steps.values())


def fetch(
    client: httpx.Client,
    token: str,
    zone: str,
    start: datetime,
    end: datetime,
    base_url: str = BASE_URL,
) -> PriceSeries:
    """Day-ahead prices (€/MWh) of bidding zone `zone` (an EIC code) from start to end."""
    params = {
        "securityToken": token,
        "documentType": "A44",
        "in_Domain": zone,
        "out_Domain": zone,
        "periodStart": start.astimezone(UTC).strftime("%Y%m%d%H%M"),
        "periodEnd": end.astimezone(UTC).strftime("%Y%m%d%H%M"),
    }
    return parse(exchange(client, "GET", f"{base_url}/api", params=params))


def _namespace(tag: str) -> str:
    match = re.match(r"^(\{[^}]*\})", tag)
    return match.group(1) if match else ""


def _time(text: str | None) -> datetime:
    # "2026-12-06T23:00Z"
    try:
        return datetime.strptime(text or "", "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise PriceError(f"ENTSO-E time {text!r} is not YYYY-MM-DDTHH:MMZ") from exc
