"""Tibber's GraphQL API (with the user's token): today's and tomorrow's prices incl. VAT, €/kWh."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx

from wattkeeper.prices.fetch import aware_time, exchange
from wattkeeper.prices.series import PriceError, PriceSeries, PriceStep

URL = "https://api.tibber.com/v1-beta/gql"
QUERY = (
    "{ viewer { homes { id currentSubscription { priceInfo { "
    "today { total startsAt } tomorrow { total startsAt } } } } } }"
)
MAX_STEPS = 500


def parse(body: bytes, home: str | None = None) -> PriceSeries:
    """data.viewer.homes[].currentSubscription.priceInfo.{today,tomorrow}[{total, startsAt}];
    each price lasts until the next one starts (the last: as long as the one before)."""
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise PriceError(f"Tibber answer is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise PriceError("Tibber answer is not an object")
    if document.get("errors"):
        raise PriceError(f"Tibber refused: {_first_error(document['errors'])}")
    homes = _get(document, "data", "viewer", "homes")
    if not isinstance(homes, list) or not homes:
        raise PriceError("Tibber answer has no home")
    chosen = next((h for h in homes if isinstance(h, dict) and h.get("id") == home), homes[0])
    info = _get(chosen, "currentSubscription", "priceInfo")
    if not isinstance(info, dict):
        raise PriceError("Tibber home has no price information (no active subscription?)")
    rows = [*(info.get("today") or []), *(info.get("tomorrow") or [])]
    if len(rows) > MAX_STEPS:
        raise PriceError(f"Tibber answer has more than {MAX_STEPS} prices")
    points = []
    for row in rows:
        total, starts = (
            (row.get("total"), row.get("startsAt")) if isinstance(row, dict) else (None, None)
        )
        if (
            not isinstance(total, int | float)
            or isinstance(total, bool)
            or not isinstance(starts, str)
        ):
            raise PriceError(f"Tibber price entry without total and startsAt: {row}")
        points.append((aware_time(starts, "Tibber startsAt", PriceError), float(total)))
    points.sort(key=lambda p: p[0])
    steps = []
    for i, (at, total) in enumerate(points):
        if i + 1 < len(points):
            end = points[i + 1][0]
        else:
            end = at + (at - points[i - 1][0] if i else timedelta(hours=1))
        steps.append(PriceStep(at, end, total))
    return PriceSeries.of(steps)


def fetch(client: httpx.Client, token: str, home: str | None = None, url: str = URL) -> PriceSeries:
    headers = {"Authorization": f"Bearer {token}"}
    return parse(exchange(client, "POST", url, headers=headers, json={"query": QUERY}), home)


def _get(node: Any, *path: str) -> Any:
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _first_error(errors: Any) -> str:
    first = errors[0] if isinstance(errors, list) and errors else errors
    message = first.get("message") if isinstance(first, dict) else first
    return str(message)[:200]
