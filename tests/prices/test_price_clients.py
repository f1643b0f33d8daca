"""aWATTar, ENTSO-E and Tibber clients over real HTTP against their recorded response shapes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.prices.loopback import Recorded, fixture, serving
from wattkeeper.prices import awattar, entsoe, tibber
from wattkeeper.prices.fetch import exchange
from wattkeeper.prices.retail import Retail
from wattkeeper.prices.series import PriceError

DAY = datetime(2026, 12, 6, 23, 0, tzinfo=UTC)


def test_awattar_prices_become_retail_prices_per_kwh() -> None:
    recorded = Recorded(
        routes={
            "/v1/marketdata": lambda q, h, b: (
                200,
                "application/json",
                fixture("awattar-marketdata.json"),
            )
        }
    )
    with serving(recorded) as base, httpx.Client(verify=False) as client:
        market = awattar.fetch(client, base, DAY, DAY + timedelta(days=1))
    _, path, query, _, _ = recorded.requests[0]
    assert path == "/v1/marketdata"
    assert query == {
        "start": [str(int(DAY.timestamp() * 1000))],
        "end": [str(int((DAY + timedelta(days=1)).timestamp() * 1000))],
    }
    assert len(market.steps) == 24
    assert market.steps[0].start == DAY and market.steps[-1].end == DAY + timedelta(days=1)
    assert market.at(DAY + timedelta(hours=17, minutes=30)) == 172.5
    # 172.5 €/MWh + 18 ct/kWh fees, 19 % VAT: (0.1725 + 0.18) * 1.19
    retail = Retail(surcharge_per_kwh=0.18, vat=0.19).apply(market)
    assert retail.at(DAY + timedelta(hours=17)) == pytest.approx(0.419475)
    assert retail.reaches(DAY + timedelta(hours=3)) == DAY + timedelta(days=1)


def test_entsoe_fills_a_left_out_position_with_the_price_before_it_and_sends_the_token() -> None:
    recorded = Recorded(
        routes={"/api": lambda q, h, b: (200, "application/xml", fixture("entsoe-a44-15min.xml"))}
    )
    with serving(recorded) as base, httpx.Client(verify=False) as client:
        market = entsoe.fetch(
            client, "my-token", entsoe.ZONES["DE-LU"], DAY, DAY + timedelta(days=1), base_url=base
        )
    query = recorded.requests[0][2]
    assert query["securityToken"] == ["my-token"]
    assert query["documentType"] == ["A44"]
    assert query["in_Domain"] == query["out_Domain"] == ["10Y1001A1001A82H"]
    assert query["periodStart"] == ["202612062300"] and query["periodEnd"] == ["202612072300"]
    assert len(market.steps) == 96
    assert market.steps[1].end - market.steps[1].start == timedelta(minutes=15)
    assert market.steps[2].price == market.steps[1].price  # position 3 repeats position 2


def test_entsoe_without_prices_yet_says_why() -> None:
    recorded = Recorded(
        routes={
            "/api": lambda q, h, b: (200, "application/xml", fixture("entsoe-acknowledgement.xml"))
        }
    )
    with (
        serving(recorded) as base,
        httpx.Client(verify=False) as client,
        pytest.raises(PriceError, match="No matching data found"),
    ):
        entsoe.fetch(client, "t", "10Y1001A1001A82H", DAY, DAY + timedelta(days=1), base_url=base)


def test_entsoe_refuses_entity_declarations() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    with pytest.raises(PriceError, match="DTD"):
        entsoe.parse(bomb)


def test_tibber_posts_the_query_with_the_token_and_reads_totals() -> None:
    def answer(q: object, headers: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        if headers.get("authorization") != "Bearer good":
            return 200, "application/json", fixture("tibber-unauthenticated.json")
        return 200, "application/json", fixture("tibber-priceinfo.json")

    recorded = Recorded(routes={"/v1-beta/gql": answer})
    with serving(recorded) as base, httpx.Client(verify=False) as client:
        prices = tibber.fetch(client, "good", url=f"{base}/v1-beta/gql")
        with pytest.raises(PriceError, match="Tibber refused: invalid token"):
            tibber.fetch(client, "bad", url=f"{base}/v1-beta/gql")
    assert b'"query"' in recorded.requests[0][4]
    assert len(prices.steps) == 24
    assert prices.steps[0].start == DAY
    assert prices.steps[-1].end - prices.steps[-1].start == timedelta(hours=1)
    assert prices.at(DAY) == pytest.approx(0.2241 + 0.0884 * 1.19, abs=1e-4)


def test_a_server_error_and_an_oversized_answer_are_errors_not_crashes() -> None:
    recorded = Recorded(
        routes={
            "/fail": lambda q, h, b: (503, "text/plain", b"maintenance"),
            "/big": lambda q, h, b: (200, "application/json", b"[" + b"1," * 100_000 + b"1]"),
        }
    )
    with serving(recorded) as base, httpx.Client(verify=False) as client:
        with pytest.raises(PriceError, match="HTTP 503: maintenance"):
            exchange(client, "GET", f"{base}/fail")
        with pytest.raises(PriceError, match="200003 bytes, more than 1000"):
            exchange(client, "GET", f"{base}/big", max_body=1000)
    with (
        httpx.Client(verify=False) as client,
        pytest.raises(PriceError, match="could not be reached"),
    ):
        exchange(client, "GET", "http://127.0.0.1:9/")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "not JSON"),
        (b'{"data": 3}', 'no "data" list'),
        (
            b'{"data": [{"start_timestamp": 1, "end_timestamp": 2, "marketprice": 3, "unit": "ct/kWh"}]}',
            "unit",
        ),
        (
            b'{"data": [{"start_timestamp": "x", "end_timestamp": 2, "marketprice": 3, "unit": "Eur/MWh"}]}',
            "without numbers",
        ),
        (
            b'{"data": [{"start_timestamp": 2, "end_timestamp": 1, "marketprice": 3, "unit": "Eur/MWh"}]}',
            "before its end",
        ),
        (
            b'{"data": [{"start_timestamp": 1e30, "end_timestamp": 2e30, "marketprice": 3, "unit": "Eur/MWh"}]}',
            "out of range",
        ),
    ],
)
def test_awattar_answers_that_are_not_prices_say_what_is_wrong(body: bytes, message: str) -> None:
    with pytest.raises(PriceError, match=message):
        awattar.parse(body)
