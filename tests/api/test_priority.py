"""The priority table of rest-json-api.md §4, end to end through the HTTP API.

The higher-priority writer is a `Controller.Ess.FixActivePower` created over JSON-RPC; the second
writer is the REST write API. The result is read back with GET ess0/ActivePower.
"""

from __future__ import annotations

import pytest

SITE = """
[[components]]
id = "ess0"
factory = "Simulator.EssSymmetric.Reacting"
[components.properties]
capacity = 1000000
maxChargePower = 100000
maxDischargePower = 100000
maxApparentPower = 100000

[[components]]
id = "ctrlApiRest0"
factory = "Controller.Api.Rest.ReadWrite"
"""

TABLE = [
    (("EQUALS", 10000), ("Equals", 5000), 10000),
    (("EQUALS", -10000), ("Equals", 5000), -10000),
    (("LESS_OR_EQUALS", 500), ("LessOrEquals", -300), -300),
    (("GREATER_OR_EQUALS", 500), ("GreaterOrEquals", 800), 800),
    (("LESS_OR_EQUALS", 500), ("GreaterOrEquals", 800), 500),
    (None, ("GreaterOrEquals", 800), 800),
    (("EQUALS", 500), ("LessOrEquals", 300), 500),
]


@pytest.mark.parametrize(("first", "second", "expected"), TABLE)
async def test_two_writers_in_priority_order(make_api, first, second, expected) -> None:
    api = make_api(SITE)
    if first is not None:
        relationship, power = first
        response = await api.rpc(
            "createComponentConfig",
            {
                "factoryPid": "Controller.Ess.FixActivePower",
                "properties": [
                    {"name": "id", "value": "ctrlFixActivePower0"},
                    {"name": "ess.id", "value": "ess0"},
                    {"name": "power", "value": power},
                    {"name": "relationship", "value": relationship},
                ],
            },
        )
        assert response.status_code == 200, response.text
    relation, value = second
    response = await api.post(f"ess0/SetActivePower{relation}", {"value": value})
    assert response.status_code == 200
    api.step(2)
    assert await api.value("ess0/ActivePower") == expected
