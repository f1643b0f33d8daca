"""aWATTar prices against `awattar`, a small aWATTar client on PyPI: it asks a loopback stand-in
for aWATTar's API with its own URL and its own start/end in milliseconds, the stand-in answers
both sides from our recorded marketdata, and both read the same prices at the same instants.
Not marked slow: the library's import and the test take ~0.4 s together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.prices.loopback import Recorded, fixture, serving
from wattkeeper.prices import awattar

DAY = datetime(2026, 12, 6, 23, 0, tzinfo=UTC)  # the recorded day (CET), hourly
WINDOW = (DAY, DAY + timedelta(days=1))


def _ms(at: datetime) -> str:
    return str(int(at.timestamp()) * 1000)


def _stand_in() -> Recorded:
    """aWATTar answers the prices of the window asked: here only the recorded day is known."""

    def answer(query: dict[str, list[str]], _: dict[str, str], __: bytes) -> Any:
        if query != {"start": [_ms(WINDOW[0])], "end": [_ms(WINDOW[1])]}:
            return 400, "text/plain", b"only the recorded day"
        return 200, "application/json", fixture("awattar-marketdata.json")

    return Recorded(routes={"/v1/marketdata": answer})


def test_awattar_library_reads_the_same_price_at_every_instant(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import awattar.client as library  # the library (ours is wattkeeper.prices.awattar)

    origin = awattar.BASE_URLS["DE"]
    make_url = library.AwattarClient._make_url
    recorded = _stand_in()

    with serving(recorded) as base, httpx.Client() as client:

        def to_stand_in(self: Any, start: datetime, end: datetime) -> str:
            # its own URL and query, with the stand-in in place of aWATTar (never asked)
            url: str = make_url(self, start, end)
            assert url.startswith(f"{origin}/v1/marketdata?"), url
            return base + url.removeprefix(origin)

        # the address is a literal inside its _make_url: no constant to point elsewhere
        monkeypatch.setattr(library.AwattarClient, "_make_url", to_stand_in)
        ours = awattar.fetch(client, base, *WINDOW)
        theirs = library.AwattarClient(country="DE")
        items = theirs.request(*WINDOW)

    # both asked for the same day in the same milliseconds (the stand-in knows no other)
    (_, _, our_query, _, _), (_, _, their_query, _, _) = recorded.requests
    assert our_query == their_query

    # its own reading of start_timestamp/end_timestamp (ms) gives our UTC steps
    assert len(items) == len(ours.steps) == 24
    assert [(i.start_datetime.astimezone(UTC), i.end_datetime.astimezone(UTC)) for i in items] == [
        (step.start, step.end) for step in ours.steps
    ]
    # ours in €/MWh, its price_per_kWh in €/kWh (converted by the unit it reads itself)
    assert {(i.currency, i.energy_unit) for i in items} == {("Eur", "MWh")}
    assert [i.price_per_kWh for i in items] == [step.price / 1000 for step in ours.steps]

    # its lookup by instant, over the hours it parsed itself, finds each of our steps' prices
    for step in ours.steps:
        found = theirs.for_timestamp(step.start)
        assert found is not None and found.marketprice == step.price, step
    assert theirs.for_timestamp(ours.steps[-1].end) is None
    # and its cheapest and dearest hours are ours at the instants it says
    for extreme in (theirs.min(), theirs.max()):
        assert ours.at(extreme.start_datetime) == extreme.marketprice
