"""POST /rest/channel: validation before acceptance, roles, readback, audit, wake-up."""

from __future__ import annotations

import pytest

from tests.api.conftest import ADMIN, GUEST, OWNER, basic


async def test_owner_write_discharges_the_battery(api) -> None:
    response = await api.post("ess0/SetActivePowerEquals", {"value": 5000})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {}
    api.step()
    assert await api.value("ess0/DebugSetActivePower") == 5000
    api.step()
    assert await api.value("ess0/ActivePower") == 5000
    assert await api.value("_sum/EssDischargePower") == 5000
    assert await api.value("ctrlApiRest0/ApiWorkerLog") == "ess0/SetActivePowerEquals:5000"
    assert await api.value("ctrlApiRest0/OverrideActive") == 1
    assert await api.value("ctrlApiRest0/OverrideRemaining") == 58


async def test_accepted_write_wakes_the_cycle(api) -> None:
    api.edge.cycle._wake.clear()
    await api.post("ess0/SetActivePowerEquals", {"value": 1000})
    assert api.edge.cycle._wake.is_set()


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"value": 3000}'),
        ("text/plain;charset=UTF-8", b'{"value": 3000}'),
        (None, b'{"value": 3000}'),
        ("application/x-www-form-urlencoded", b'{"value":3000.0}'),
    ],
)
async def test_body_is_json_whatever_the_content_type(api, content_type, body) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = await api.post("ess0/SetActivePowerEquals", body, headers=headers)
    assert response.status_code == 200, response.text
    assert api.worker.held["ess0/SetActivePowerEquals"].value == 3000


async def test_float_for_integer_channel_is_rounded(api) -> None:
    await api.post("ess0/SetActivePowerEquals", {"value": 2500.6})
    assert api.worker.held["ess0/SetActivePowerEquals"].value == 2501


async def test_null_releases_the_held_value(api) -> None:
    await api.post("ess0/SetActivePowerEquals", {"value": 5000})
    api.step(2)
    assert await api.value("ess0/ActivePower") == 5000
    assert (await api.post("ess0/SetActivePowerEquals", {"value": None})).status_code == 200
    api.step(2)
    assert api.worker.held == {}
    assert await api.value("ctrlApiRest0/OverrideActive") == 0
    assert await api.value("ess0/ActivePower") != 5000  # balancing again


BAD_INPUTS = [
    ("ess0/SetActivePowerEquals", b'{"value": "5000"}', 400, "expects a number, got a string"),
    ("ess0/SetActivePowerEquals", b'{"value": true}', 400, "got a boolean"),
    ("ess0/SetActivePowerEquals", b'{"value": NaN}', 400, "NaN"),
    ("ess0/SetActivePowerEquals", b'{"value": Infinity}', 400, "Infinity"),
    ("ess0/SetActivePowerEquals", b'{"value": -Infinity}', 400, "Infinity"),
    ("ess0/SetActivePowerEquals", b'{"value": 1e400}', 400, "not a finite number"),
    ("ess0/SetActivePowerEquals", b'{"value": 3000000000}', 400, "out of range"),
    ("ess0/SetActivePowerEquals", b'{"value": [1]}', 400, "got an array"),
    ("ess0/SetActivePowerEquals", b'{"value": {"a": 1}}', 400, "got an object"),
    ("ess0/SetActivePowerEquals", b'{"valu": 5000}', 400, 'has no "value"'),
    ("ess0/SetActivePowerEquals", b"[5000]", 400, "must be a JSON object"),
    ("ess0/SetActivePowerEquals", b"5000", 400, "must be a JSON object"),
    ("ess0/SetActivePowerEquals", b"value=5000", 400, "not valid JSON"),
    ("ess0/SetActivePowerEquals", b"", 400, "Empty request body"),
    ("ess0/SetActivePowerEquals", b"\xff\xfe", 400, "not"),
    ("ess9/SetActivePowerEquals", b'{"value": 5000}', 404, "Component [ess9] is not available"),
    ("ess0/SetActivePowerEqual", b'{"value": 5000}', 404, "Channel [ess0/SetActivePowerEqual]"),
    ("ess0/Soc", b'{"value": 50}', 400, "[ess0/Soc] is read-only"),
    ("ess0/.*", b'{"value": 50}', 404, "Channel [ess0/.*] is not available"),
    ("ess0/SetReactivePowerEquals", b'{"value": 1000}', 400, "cannot control reactive power"),
]


@pytest.mark.parametrize(("address", "body", "status", "message"), BAD_INPUTS)
async def test_bad_input_is_refused_and_nothing_changes(
    api, address, body, status, message
) -> None:
    api.step(2)
    before = await api.value("ess0/ActivePower")
    response = await api.post(address, body)
    assert response.status_code == status
    error = response.json()["error"]
    assert message in error["message"]
    assert error["code"] in (1, 1000, 2000)
    assert api.worker.held == {}
    assert api.edge.api.audit.read() == []
    api.step()
    assert abs(await api.value("ess0/ActivePower") - before) < 400  # still balancing


async def test_guest_cannot_write(api) -> None:
    response = await api.post("ess0/SetActivePowerEquals", {"value": 5000}, auth=GUEST)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == 1002
    assert "needs role owner" in response.json()["error"]["message"]
    assert api.worker.held == {}


@pytest.mark.parametrize("auth", [OWNER, ADMIN, basic("installer"), basic("owner", user="anyone")])
async def test_owner_and_above_may_write(api, auth) -> None:
    assert (
        await api.post("ess0/SetActivePowerEquals", {"value": 100}, auth=auth)
    ).status_code == 200


async def test_wrong_or_missing_password_is_401_with_a_challenge(api) -> None:
    for headers in (
        basic("wrong"),
        {},
        {"Authorization": "Bearer abc"},
        {"Authorization": "Basic !!!"},
    ):
        response = await api.client.get("/rest/channel/_sum/EssSoc", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Basic realm=")
        assert response.json()["error"]["code"] == 1003


async def test_named_user_is_checked_against_their_own_password(api) -> None:
    # user "guest" with the owner's password: the name selects the user, so this fails
    assert (
        await api.get("/rest/channel/_sum/EssSoc", auth=basic("owner", user="guest"))
    ).status_code == 401
    assert (
        await api.get("/rest/channel/_sum/EssSoc", auth=basic("user", user="guest"))
    ).status_code == 200


async def test_every_accepted_write_is_audited(api) -> None:
    await api.post("ess0/SetActivePowerEquals", {"value": 4200})
    entries = api.edge.api.audit.read()
    assert entries[0]["channel"] == "ess0/SetActivePowerEquals"
    assert entries[0]["value"] == 4200
    assert entries[0]["role"] == "owner"
    assert entries[0]["remote"] == "127.0.0.1"
    assert entries[0]["time"].endswith("+00:00")
    response = await api.rpc("getAuditLog", {"limit": 5}, auth=OWNER)
    assert response.json()["result"]["entries"][0]["value"] == 4200
    assert (api.edge.data_dir / "audit.sqlite").exists()


async def test_write_to_a_cluster_goes_to_the_cluster(make_api) -> None:
    api = make_api(
        """
[[components]]
id = "ess1"
factory = "Simulator.EssSymmetric.Reacting"
[[components]]
id = "ess2"
factory = "Simulator.EssSymmetric.Reacting"
[[components]]
id = "ess0"
factory = "Ess.Cluster"
[components.properties]
"ess.ids" = ["ess1", "ess2"]
[[components]]
id = "ctrlApiRest0"
factory = "Controller.Api.Rest.ReadWrite"
"""
    )
    assert (await api.post("ess0/SetActivePowerEquals", {"value": 6000})).status_code == 200
    api.step(3)
    assert await api.value("ess0/ActivePower") == 6000
    assert await api.value("ess1/ActivePower") == 3000
    assert await api.value("ess2/ActivePower") == 3000
