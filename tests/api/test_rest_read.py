"""GET /rest/channel: regex reads, shapes, integer serialisation, headers."""

from __future__ import annotations

import pytest

from tests.api.conftest import GUEST


def addresses(body) -> list[str]:
    items = body if isinstance(body, list) else [body]
    return sorted(item["address"] for item in items)


async def test_one_channel_is_an_object_with_an_integer_value(api) -> None:
    response = await api.get("/rest/channel/_sum/EssSoc")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body == {
        "address": "_sum/EssSoc",
        "type": "INTEGER",
        "accessMode": "RO",
        "text": "Capacity-weighted SoC",
        "unit": "%",
        "value": 50,
    }
    assert '"value":50}' in response.text  # an integer, never 50.0; compact JSON


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("_sum/(EssSoc|GridActivePower)", ["_sum/EssSoc", "_sum/GridActivePower"]),
        ("(ess0|_sum)/(Soc|EssSoc)", ["_sum/EssSoc", "ess0/Soc"]),
        ("_sum/(EssSoc%7CGridActivePower)", ["_sum/EssSoc", "_sum/GridActivePower"]),
        (
            "ess0/SetActivePower(Equals%7CLessOrEquals)",
            ["ess0/SetActivePowerEquals", "ess0/SetActivePowerLessOrEquals"],
        ),
        (
            "meter%5Cd/ActivePower",
            ["meter0/ActivePower", "meter1/ActivePower", "meter2/ActivePower"],
        ),
        ("_sum/Ess[A-Z/]ctivePower", ["_sum/EssActivePower"]),
        ("meter[0/1]/ActivePower", ["meter0/ActivePower", "meter1/ActivePower"]),
    ],
)
async def test_regex_reads(api, path: str, expected: list[str]) -> None:
    response = await api.get(f"/rest/channel/{path}")
    assert response.status_code == 200, response.text
    assert addresses(response.json()) == expected


async def test_several_matches_are_an_array(api) -> None:
    body = (await api.get("/rest/channel/ess0/.*")).json()
    assert isinstance(body, list)
    assert {item["address"] for item in body} >= {
        "ess0/Soc",
        "ess0/ActivePower",
        "ess0/SetActivePowerEquals",
    }
    everything = (await api.get("/rest/channel/.*/.*")).json()
    assert len(everything) == len(api.edge.manager.all_channels())


async def test_a_4kb_alternation_works(api) -> None:
    names = [f"Nope{i:04d}" for i in range(400)] + ["EssSoc"]
    path = "/rest/channel/_sum/(" + "%7C".join(names) + ")"
    assert len(path) > 4000
    response = await api.get(path)
    assert response.status_code == 200
    assert response.json()["address"] == "_sum/EssSoc"


async def test_write_only_channels_have_no_value_key(api) -> None:
    body = (await api.get("/rest/channel/ess0/SetActivePowerEquals")).json()
    assert body["accessMode"] == "WO"
    assert "value" not in body
    assert body["unit"] == "W"


async def test_unknown_value_is_null_not_404(api) -> None:
    api.edge.manager.channel("meter0/Current").set_now(None)
    api.edge.cycle.snapshots.refresh()
    body = (await api.get("/rest/channel/meter0/Current")).json()
    assert body["value"] is None


async def test_float_in_an_integer_channel_is_serialised_as_integer(api) -> None:
    api.edge.manager.channel("ess0/Soc").set_now(57.4)
    api.edge.cycle.snapshots.refresh()
    response = await api.get("/rest/channel/ess0/Soc")
    assert '"value":57}' in response.text


async def test_cumulated_energy_unit(api) -> None:
    body = (await api.get("/rest/channel/_sum/GridBuyActiveEnergy")).json()
    assert body["unit"] == "Wh_Σ"
    assert body["type"] == "LONG"


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/rest/channel/_sum/NoSuchChannel", 404, 1000),
        ("/rest/channel/nope0/Soc", 404, 1000),
        ("/rest/channel/_sum/(EssSoc", 400, 1),
        ("/rest/channel/_sum", 400, 1),
        ("/rest/nothing", 404, 1),
    ],
)
async def test_read_errors(api, path: str, status: int, code: int) -> None:
    response = await api.get(path)
    assert response.status_code == status
    body = response.json()
    assert body["jsonrpc"] == "2.0"
    assert body["error"]["code"] == code
    assert body["error"]["message"]


async def test_no_caching_headers(api) -> None:
    response = await api.get("/rest/channel/_sum/EssSoc")
    for header in ("cache-control", "expires", "etag", "last-modified"):
        assert header not in response.headers


async def test_plus_stays_plus(api) -> None:
    # `+` is a regex quantifier here, not a space
    response = await api.get("/rest/channel/_sum/Ess(Soc)+")
    assert response.json()["address"] == "_sum/EssSoc"


async def test_other_methods_are_405(api) -> None:
    response = await api.client.put("/rest/channel/_sum/EssSoc", headers=GUEST)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


async def test_a_cached_read_sees_every_change(api) -> None:
    """`.*/.*` is answered from the last cycle's snapshot: a change between cycles shows with the
    next cycle; a configuration change at once."""
    first = (await api.get("/rest/channel/.*/.*")).json()
    again = (await api.get("/rest/channel/.*/.*")).json()
    assert first == again
    api.edge.manager.channel("_meta/Version").set_now("changed")
    same = {c["address"]: c.get("value") for c in (await api.get("/rest/channel/.*/.*")).json()}
    assert same["_meta/Version"] != "changed"  # the last finished cycle did not have it
    api.step()
    changed = {c["address"]: c.get("value") for c in (await api.get("/rest/channel/.*/.*")).json()}
    assert changed["_meta/Version"] == "changed"
    api.step()
    stepped = {c["address"]: c.get("value") for c in (await api.get("/rest/channel/.*/.*")).json()}
    assert stepped["_meta/SystemTimeUtc"] == changed["_meta/SystemTimeUtc"] + 1
    await api.edge.configurator.update("ess0", {"capacity": 9000})
    updated = {
        c["address"]: c.get("value") for c in (await api.get("/rest/channel/ess0/.*")).json()
    }
    assert updated["ess0/_PropertyCapacity"] == 9000
