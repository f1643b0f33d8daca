"""The App Center: write access is an app unlocked with a licence key."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.api.conftest import EVENING, OWNER, Api
from tests.conftest import EdgeRunner
from wattkeeper.config.site import SiteConfig, demo_site
from wattkeeper.edge.app import Edge
from wattkeeper.licence_vendor import VendorDB, demo_signing_key, generate_key, issue_offline
from wattkeeper.licence_vendor.background import BackgroundServer
from wattkeeper.licence_vendor.server import build_license_app
from wattkeeper.testing.fake_clock import FakeClock

RW = "App.Api.RestJson.ReadWrite"
RO = "App.Api.RestJson.ReadOnly"


def swap_adjacent_different(digits: str) -> str:
    """A transposition typo: swap the first two neighbouring digits that differ."""
    i = next(i for i in range(3, len(digits) - 1) if digits[i] != digits[i + 1])
    return digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]


async def fresh_demo(
    data_dir: Path, service_url: str | None = None, site: SiteConfig | None = None
) -> Api:
    """The demo home as it ships (or `site`): started, so the App Center installs its defaults."""
    site = site or demo_site()
    site.licensing.service_url = service_url or site.licensing.service_url
    clock = FakeClock(EVENING)
    edge = Edge(site, data_dir, clock)
    await edge.start()
    runner = EdgeRunner(edge, clock)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=edge.asgi, client=("127.0.0.1", 1)),
        base_url="http://edge",
    )
    runner.step()
    return Api(runner, client)


async def app_call(api: Api, method: str, params: dict | None = None, auth=OWNER) -> httpx.Response:
    return await api.rpc(
        "componentJsonApi",
        {"componentId": "_appManager", "payload": {"method": method, "params": params or {}}},
        auth=auth,
    )


async def apps(api: Api) -> dict[str, dict]:
    response = await app_call(api, "getApps")
    return {a["appId"]: a for a in response.json()["result"]["apps"]}


async def install(api: Api, key: str | None, app_id: str = RW) -> httpx.Response:
    return await app_call(
        api, "addAppInstance", {"appId": app_id, "key": key, "alias": "", "properties": {}}
    )


async def test_the_demo_ships_read_only(tmp_path: Path) -> None:
    api = await fresh_demo(tmp_path)
    catalog = await apps(api)
    assert catalog[RO]["installed"] and not catalog[RW]["installed"]
    assert catalog[RW]["licensed"] and not catalog[RW]["hasLicence"]
    assert catalog["App.Ess.SelfConsumptionOptimization"]["installed"]
    assert catalog["App.Ess.EmergencyCapacityReserve"]["installed"]
    assert (await api.get("/rest/channel/_sum/EssSoc")).status_code == 200
    response = await api.post("ess0/SetActivePowerEquals", {"value": 5000})
    assert response.status_code == 403
    message = response.json()["error"]["message"]
    assert "write access is not installed" in message and RW in message and "licence key" in message


async def test_offline_key_install_write_remove(tmp_path: Path) -> None:
    api = await fresh_demo(tmp_path)
    key = issue_offline(RW, tmp_path).key.formatted()
    response = await install(api, key.lower().replace("-", " "))
    assert response.status_code == 200, response.text
    instance = response.json()["result"]["instance"]
    assert instance["appId"] == RW
    assert (await api.post("ess0/SetActivePowerEquals", {"value": 5000})).status_code == 200
    api.step(2)
    assert await api.value("ess0/ActivePower") == 5000
    catalog = await apps(api)
    assert catalog[RW]["installed"] and not catalog[RO]["installed"]

    assert (
        await app_call(api, "deleteAppInstance", {"instanceId": instance["instanceId"]})
    ).status_code == 200
    api.step(2)
    # held setpoints released at once; self-consumption is back in charge
    assert await api.value("ess0/ActivePower") != 5000
    assert abs(await api.value("_sum/GridActivePower")) < 300
    assert (await api.post("ess0/SetActivePowerEquals", {"value": 5000})).status_code == 403
    assert (await apps(api))[RO]["installed"]


async def test_update_app_instance_changes_the_timeout(tmp_path: Path) -> None:
    api = await fresh_demo(tmp_path)
    key = issue_offline(RW, tmp_path).key.formatted()
    instance = (await install(api, key)).json()["result"]["instance"]
    response = await app_call(
        api,
        "updateAppInstance",
        {"instanceId": instance["instanceId"], "properties": {"apiTimeout": 15}},
    )
    assert response.status_code == 200, response.text
    assert api.edge.manager.get("ctrlApiRest0").config.api_timeout == 15
    bad = await app_call(
        api,
        "updateAppInstance",
        {"instanceId": instance["instanceId"], "properties": {"apiTimeout": -1}},
    )
    assert bad.status_code == 400 and "API_TIMEOUT" in bad.json()["error"]["message"]


@pytest.mark.parametrize(
    ("make_key", "status", "message"),
    [
        (lambda good: good[:-1] + str((int(good[-1]) + 1) % 10), 400, "check digit"),
        (lambda good: swap_adjacent_different(good), 400, "check digit"),
        (lambda good: "1234-5678", 400, "16 digits"),
        (lambda good: generate_key(RW).formatted(), 404, "no licence file for key"),  # never issued
        (
            lambda good: generate_key("App.Api.ModbusTcp.ReadWrite").formatted(),
            400,
            "App.Api.ModbusTcp.ReadWrite",
        ),
        (lambda good: None, 400, "needs a 16-digit licence key"),
    ],
)
async def test_bad_keys_are_refused_and_nothing_changes(
    tmp_path: Path, make_key, status, message
) -> None:
    api = await fresh_demo(tmp_path)
    good = issue_offline(RW, tmp_path / "elsewhere").key.digits
    response = await install(api, make_key(good))
    assert response.status_code == status, response.text
    assert message in response.json()["error"]["message"]
    assert (await apps(api))[RO]["installed"]
    assert (await api.post("ess0/SetActivePowerEquals", {"value": 1})).status_code == 403


async def test_forged_licence_file_is_refused(tmp_path: Path) -> None:
    api = await fresh_demo(tmp_path)
    issued = issue_offline(RW, tmp_path)
    issued.path.write_text(
        issued.path.read_text().replace('"edgeId": null', '"edgeId": "edge-forged"')
    )
    response = await install(api, issued.key.formatted())
    assert response.status_code == 400
    assert "signature" in response.json()["error"]["message"].lower()


async def test_installing_twice_and_unknown_apps(tmp_path: Path) -> None:
    api = await fresh_demo(tmp_path)
    assert (await install(api, None, RO)).status_code == 409
    assert (await install(api, None, "App.Nope")).status_code == 404
    guest = await app_call(
        api, "addAppInstance", {"appId": RW}, auth={"Authorization": "Basic eDp1c2Vy"}
    )
    assert guest.status_code == 403


async def test_installed_apps_survive_a_restart(tmp_path: Path) -> None:
    api = await fresh_demo(tmp_path)
    await install(api, issue_offline(RW, tmp_path).key.formatted())
    await api.edge.stop()
    again = await fresh_demo(tmp_path)
    assert (await apps(again))[RW]["installed"]
    assert (await again.post("ess0/SetActivePowerEquals", {"value": 100})).status_code == 200


async def test_a_key_redeemed_on_one_edge_is_refused_on_another(tmp_path: Path) -> None:
    vendor_db = tmp_path / "vendor.sqlite"
    key = VendorDB(vendor_db).issue(RW).key.formatted()
    app = build_license_app(vendor_db, demo_signing_key(), admin_token=None)
    with BackgroundServer(app) as service:
        first = await fresh_demo(tmp_path / "edge-a", service.url)
        assert (await install(first, key)).status_code == 200
        second = await fresh_demo(tmp_path / "edge-b", service.url)
        refused = await install(second, key)
        assert refused.status_code == 409
        assert "already redeemed" in refused.json()["error"]["message"]
        assert (await second.post("ess0/SetActivePowerEquals", {"value": 1})).status_code == 403
        # the same edge again is harmless (remove, then install with the same key)
        instance = (await apps(first))[RW]["instanceIds"][0]
        await app_call(first, "deleteAppInstance", {"instanceId": instance})
        assert (await install(first, key)).status_code == 200


async def test_licence_service_down_is_a_clear_error(tmp_path: Path) -> None:
    key = VendorDB(tmp_path / "v.sqlite").issue(RW).key.formatted()
    api = await fresh_demo(tmp_path / "edge", "http://127.0.0.1:9")
    response = await install(api, key)
    assert response.status_code in (502, 503, 400)
    assert (
        "licence service" in response.json()["error"]["message"].lower()
        or "license service" in response.json()["error"]["message"].lower()
    )


async def test_set_channel_value_of_a_setpoint_needs_the_write_app(tmp_path: Path) -> None:
    api = await fresh_demo(tmp_path)
    params = {"componentId": "ess0", "channelId": "SetActivePowerEquals", "value": 1000}
    response = await api.rpc("setChannelValue", params)
    assert response.status_code == 403
    assert "write access is not installed" in response.json()["error"]["message"]


async def test_removing_read_access_switches_the_rest_api_off(tmp_path: Path) -> None:
    api = await fresh_demo(tmp_path)
    instance = (await apps(api))[RO]["instanceIds"][0]
    assert (await app_call(api, "deleteAppInstance", {"instanceId": instance})).status_code == 200
    response = await api.get("/rest/channel/_sum/EssSoc")
    assert response.status_code == 403
    assert "App.Api.RestJson.ReadOnly" in response.json()["error"]["message"]
    assert (await install(api, None, RO)).status_code == 200
    assert (await api.get("/rest/channel/_sum/EssSoc")).status_code == 200
