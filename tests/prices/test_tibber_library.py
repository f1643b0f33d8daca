"""Tibber prices against `pyTibber`, the library Home Assistant's Tibber integration runs: it asks
a loopback stand-in for Tibber's GraphQL API with its own queries, and the stand-in answers
each in the API's shape from our recorded price list (tests/fixtures/prices). Both sides then
read the same prices at the same instants. Slow: the library imports aiohttp and gql."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any

import pytest

from tests.prices.loopback import Recorded, fixture, serving
from wattkeeper.prices import tibber

pytestmark = pytest.mark.slow

HOME = "96a14971-525a-4420-aae9-e5aedaa129ff"  # the recorded home


def _stand_in(recorded_home: dict[str, Any]) -> Recorded:
    """Tibber's API as pyTibber asks it: the viewer's homes first, then one home's prices."""

    def answer(_: dict[str, list[str]], headers: dict[str, str], body: bytes) -> Any:
        assert headers.get("authorization") == "Bearer a-token"
        if b"priceInfo" in body:  # one home: viewer.home (pyTibber asks by id)
            data = {"viewer": {"home": recorded_home}}
        else:  # the viewer: its homes and their subscriptions
            home = {"id": recorded_home["id"], "subscriptions": [{"status": "running"}]}
            data = {"viewer": {"name": "x", "userId": "u", "homes": [home]}}
        return 200, "application/json", json.dumps({"data": data}).encode()

    return Recorded(routes={"/v1-beta/gql": answer})


def _ranks(prices: list[tuple[Any, float]]) -> dict[Any, float]:
    """pyTibber's rank of each price among the prices of its (UTC) day: 1/n cheapest … 1."""
    by_day: dict[date, list[tuple[Any, float]]] = {}
    for at, price in prices:
        by_day.setdefault(at.date(), []).append((at, price))
    ranks = {}
    for day in by_day.values():
        for i, (at, _) in enumerate(sorted(day, key=lambda p: p[1]), start=1):
            ranks[at] = i / len(day)
    return ranks


def test_pytibber_reads_the_same_price_at_every_instant(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    import aiohttp
    import tibber as pytibber  # the library (ours is wattkeeper.prices.tibber)

    body = fixture("tibber-priceinfo.json")
    recorded_home = json.loads(body)["data"]["viewer"]["homes"][0]
    assert recorded_home["id"] == HOME
    ours = tibber.parse(body)

    async def theirs(base: str) -> tuple[dict[str, float], list[float | None]]:
        monkeypatch.setattr(pytibber, "API_ENDPOINT", f"{base}/v1-beta/gql")
        async with aiohttp.ClientSession() as session:
            connection = pytibber.Tibber(
                "a-token", websession=session, user_agent="wattkeeper-test", time_zone=dt.UTC
            )
            await connection.update_info()
            (home,) = connection.get_homes()
            await home.update_info_and_price_info()
            # its rank of a price is found only at an instant it parsed itself: ours
            found = [home.current_price_rank(home.price_total, s.start) for s in ours.steps]
            return dict(home.price_total), found

    with serving(_stand_in(recorded_home)) as base:
        price_total, found = asyncio.run(theirs(base))

    assert len(price_total) == len(ours.steps) == 24  # the recorded day, hourly
    assert sorted(price_total.values()) == sorted(step.price for step in ours.steps)
    expected = _ranks([(step.start, step.price) for step in ours.steps])
    assert found == [expected[step.start] for step in ours.steps]
