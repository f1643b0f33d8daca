"""ENTSO-E day-ahead prices against `entsoe-py`, the client most ENTSO-E users run: its own
price parser reads the same recorded A44 document as ours (the shape is described in
tests/fixtures/prices/README.md). Slow: the library imports pandas, so it is imported inside
the test, and the fast stage leaves it out."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

import pytest

from tests.prices.loopback import fixture
from wattkeeper.prices import entsoe

pytestmark = pytest.mark.slow


def test_entsoe_py_reads_the_same_price_for_every_quarter_hour_including_a_left_out_one() -> None:
    # the `entsoe-py` library (an absolute import; `entsoe` above is our client module)
    from entsoe.parsers import parse_prices

    parse_theirs: Any = parse_prices  # untyped: returns {resolution: pandas Series}
    body = fixture("entsoe-a44-15min.xml")
    theirs: dict[str, Any] = parse_theirs(body.decode("utf-8"))
    # one Period of PT15M: nothing at the other resolutions
    assert theirs["30min"].empty and theirs["60min"].empty
    quarters: Any = theirs["15min"]
    expected = [(at.to_pydatetime(), float(price)) for at, price in quarters.items()]
    assert all(at.utcoffset() == timedelta(0) for at, _ in expected)

    ours = entsoe.parse(body)
    assert [(step.start, step.price) for step in ours.steps] == expected
    assert all(step.end - step.start == timedelta(minutes=15) for step in ours.steps)

    # the fixture leaves out one position (curve type A03); both sides repeat the price before it
    ns = "{urn:iec62325.351:tc57wg16:451-3:publicationdocument:7:3}"
    given = {int(p.text or "") for p in ET.fromstring(body).iter(f"{ns}position")}
    left_out = sorted(set(range(1, len(expected) + 1)) - given)
    assert left_out == [3]
    for position in left_out:
        assert expected[position - 1][1] == expected[position - 2][1]
        assert ours.steps[position - 1].price == expected[position - 2][1]
