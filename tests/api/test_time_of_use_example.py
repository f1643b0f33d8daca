"""examples/time-of-use.toml on the real edge and API: a plan from its first minute, with
forecasts from the simulated meters' own past, answered as OpenEMS's getSchedule over JSON-RPC."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.conftest import ADMIN, GUEST
from wattkeeper.config.site import ComponentEntry, SiteConfig, load_site

EXAMPLE = Path(__file__).parents[2] / "examples" / "time-of-use.toml"
NOON = 1_782_043_200.0  # 2026-06-21 12:00 UTC: 14:00 in Berlin, the sun is up
CID = "ctrlEssTimeOfUseTariff0"


def example() -> SiteConfig:
    """The example with REST access configured (the App Center would install it on start)."""
    site = load_site(EXAMPLE)
    site.components.append(
        ComponentEntry(id="ctrlApiRest0", factory="Controller.Api.Rest.ReadWrite", properties={})
    )
    return site


@pytest.mark.slow  # a whole edge and a 36-hour plan
async def test_the_example_shows_a_plan_at_once_and_answers_get_schedule(make_api) -> None:
    api = make_api(example(), start=NOON)
    controller = api.edge.manager.get(CID)
    controller.planner.wait(30)
    api.step()
    assert await api.value(f"{CID}/PlanStatus") == "optimal"
    assert await api.value(f"{CID}/QuarterlyPrices") == 360.0  # the day rate, €/MWh
    payload = {"method": "getSchedule", "params": {}}
    response = await api.rpc(
        "componentJsonApi", {"componentId": CID, "payload": payload}, auth=ADMIN
    )
    schedule = response.json()["result"]["schedule"]
    assert len(schedule) >= 36 * 4
    assert schedule[0]["timestamp"] == "2026-06-21T12:00:00Z"
    # the forecasts learnt from the simulated past: sun in the afternoon, none at night
    assert schedule[0]["production"] > 1000
    night = next(e for e in schedule if e["timestamp"] == "2026-06-21T22:00:00Z")
    assert night["production"] == 0 and night["consumption"] > 0
    assert night["price"] == 220.0
    assert all(0 <= e["soc"] <= 100 for e in schedule)


@pytest.mark.slow
async def test_pushing_prices_needs_an_owner_and_says_what_is_wrong(make_api) -> None:
    api = make_api(example(), start=NOON)
    bad = {
        "method": "setPrices",
        "params": {"prices": [{"start": "tomorrow", "end": "x", "price": 1}]},
    }
    response = await api.rpc("componentJsonApi", {"componentId": CID, "payload": bad}, auth=ADMIN)
    assert response.json()["error"]["message"] == "prices[0]: start and end must be ISO 8601 times"
    good = {
        "method": "setPrices",
        "params": {
            "prices": [
                {
                    "start": "2026-06-21T12:00:00+00:00",
                    "end": "2026-06-21T13:00:00+00:00",
                    "price": 0.5,
                }
            ]
        },
    }
    denied = await api.rpc("componentJsonApi", {"componentId": CID, "payload": good}, auth=GUEST)
    assert "error" in denied.json()
    accepted = await api.rpc("componentJsonApi", {"componentId": CID, "payload": good}, auth=ADMIN)
    assert accepted.json()["result"] == {"accepted": 1}
    api.step()
    assert await api.value(f"{CID}/QuarterlyPrices") == 500.0
