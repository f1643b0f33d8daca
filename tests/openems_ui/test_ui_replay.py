"""OpenEMS's UI, replayed: the requests it sent against `wattkeeper run` (recorded in Chromium,
tests/fixtures/openems-ui), now sent to a real server on loopback, with the answers checked for
what the UI reads from them: the login shape, natureIds per factory, a Timedata component, every
channel it subscribes or queries declared, and every key of an App Center entry."""

from __future__ import annotations

from typing import Any

import httpx

from tests.openems_ui.conftest import Replay, inner_method, recorded, unwrap
from wattkeeper.licence_vendor import issue_offline

NATURE = "io.openems.edge."
TIMEDATA = NATURE + "timedata.api.Timedata"
HISTORY_QUERIES = {"queryHistoricTimeseriesData", "queryHistoricTimeseriesEnergy"}
# requests of pages outside what this edge offers; each must fail cleanly, as an answer
NOT_OFFERED = {
    "getProtocolsCoreInfo": "a backend request (OpenEMS's online monitoring), not an edge's",
    "subscribeSystemLog": "the edge's log is the process's own output, not streamed",
    "_host/getNetworkConfig": "the network is the operating system's to configure",
}
# the UI compares edge.version against these to switch features (licence keys, min/max powers)
UI_VERSION_CHECKS = ["2023.1.2", "2024.2.2", "2025.1.2", "2025.12.4"]


def declared(config: dict[str, Any]) -> set[str]:
    return {
        f"{component_id}/{channel}"
        for component_id, component in config["components"].items()
        for channel in component["channels"]
    }


def queried_channels(request: dict[str, Any]) -> list[str]:
    params = request["params"]
    while "payload" in params:
        params = params["payload"]["params"]
    channels: list[str] = params.get("channels", [])
    return channels


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("-")[0].split("."))


async def replay_session(replay: Replay, name: str) -> dict[str, dict[str, Any]]:
    """Every request of a recording; the last reply of each method, errors checked on the way."""
    replies: dict[str, dict[str, Any]] = {}
    config: dict[str, Any] | None = None
    for request in recorded(name):
        method = inner_method(request)
        reply = await replay.send(request)
        inner = unwrap(reply)
        if method in NOT_OFFERED:
            assert inner["error"]["message"], (method, inner)
            continue
        assert "error" not in inner, (method, inner)
        result = inner["result"]
        replies[method] = result
        if method in ("authenticateWithPassword", "authenticateWithToken"):
            replay.learn("{TOKEN}", result["token"])
        elif method == "getEdgeConfig":
            config = result
        elif method == "_appManager/addAppInstance":
            replay.learn("{INSTANCE_ID}", result["instanceId"])
        if method == "subscribeChannels" or method in HISTORY_QUERIES:
            assert config is not None, "the UI reads getEdgeConfig first"
            missing = set(queried_channels(request)) - declared(config)
            assert not missing, f"{method} asks for undeclared channels {sorted(missing)}"
        replay.runner.step()
    return replies


async def test_login_edges_and_config_as_the_ui_reads_them(replay: Replay) -> None:
    replies = await replay_session(replay, "live-and-history")
    login = replies["authenticateWithPassword"]
    assert login["user"] == {
        "id": "owner",
        "name": "owner",
        "hasMultipleEdges": False,
        "settings": {},
        "globalRole": "owner",
    }
    assert login["edges"] == []
    assert replies["authenticateWithToken"]["user"]["id"] == "owner"  # after a page reload
    (edge,) = replies["getEdges"]["edges"]
    assert edge["id"] == "0" and edge["isOnline"] is True and edge["role"] == "owner"
    assert all(version(edge["version"]) >= version(check) for check in UI_VERSION_CHECKS)

    config = replies["getEdgeConfig"]
    factories, components = config["factories"], config["components"]
    for factory_id, factory in factories.items():
        assert factory["natureIds"][0] == NATURE + "common.component.OpenemsComponent", factory_id
    for component_id, component in components.items():
        assert component["factoryId"] in ("", *factories), component_id

    def natures(component_id: str) -> set[str]:
        factory = factories.get(components[component_id]["factoryId"])  # "": a singleton
        return set(factory["natureIds"]) if factory else set()

    assert {
        NATURE + "ess.api.SymmetricEss",
        NATURE + "ess.api.ManagedSymmetricEss",
        NATURE + "ess.api.HybridEss",
    } <= natures("ess0")
    assert NATURE + "ess.dccharger.api.EssDcCharger" in natures("charger0")
    meter = NATURE + "meter.api.ElectricityMeter"
    types = {components[m]["properties"]["type"] for m in components if meter in natures(m)}
    assert types == {"GRID", "PRODUCTION", "CONSUMPTION_METERED"}
    assert NATURE + "controller.api.Controller" in natures("ctrlBalancing0")
    timedata = [c for c in components if TIMEDATA in natures(c)]
    assert timedata == ["timedata0"]  # "Historical data is currently unavailable" otherwise
    assert "_appManager" in components  # read before an install

    live = [m["params"]["payload"]["params"] for m in replay.pushed if "payload" in m["params"]]
    current = [p for p in live if "_sum/EssSoc" in p]
    assert current and isinstance(current[-1]["_sum/EssSoc"], int)

    history = replies["queryHistoricTimeseriesData"]
    assert history["timestamps"] and all(
        len(values) == len(history["timestamps"]) for values in history["data"].values()
    )
    assert replies["queryHistoricTimeseriesEnergy"]["data"]


async def test_app_center_lists_installs_with_a_key_updates_and_removes(replay: Replay) -> None:
    edge = replay.runner.edge
    replay.learn(
        "{KEY}", issue_offline("App.Api.RestJson.ReadWrite", edge.data_dir).key.formatted()
    )
    replies = await replay_session(replay, "app-center")

    for app in replies["_appManager/getApps"]["apps"]:
        assert {"categorys", "cardinality", "appId", "name", "image", "status"} <= set(app)
        assert {"instanceIds", "flags"} <= set(app)
        assert app["cardinality"] in ("SINGLE", "SINGLE_IN_CATEGORY", "MULTIPLE")
        assert app["image"].startswith("data:image/")  # nothing fetched from the internet
        assert all(set(c) == {"name", "readableName"} for c in app["categorys"])
        status = app["status"]
        assert status["name"] in ("INCOMPATIBLE", "COMPATIBLE", "INSTALLABLE")
        assert {"errorCompatibleMessages", "errorInstallableMessages"} <= set(status)
    assert replies["_appManager/getApp"]["app"]["appId"] == "App.Api.RestJson.ReadWrite"
    assert replies["appCenter/isKeyApplicable"]["isKeyApplicable"] is True
    assert replies["appCenter/isAppFree"] == {"isAppFree": False}

    assistant = replies["_appManager/getAppAssistant"]
    assert {f["key"] for f in assistant["fields"]} == {"CONTROLLER_ID", "API_TIMEOUT"}
    added = replies["_appManager/addAppInstance"]
    assert added["instance"]["properties"]["API_TIMEOUT"] == 60
    assert added["instance"]["dependencies"] == [] and added["warnings"] == []

    updated = replies["_appManager/updateAppInstance"]["instance"]
    assert updated["properties"]["API_TIMEOUT"] == 120  # the UI's form sent "120"
    assert replies["_appManager/deleteAppInstance"] == {}
    # removing write access brings read access back, as before the install
    assert edge.manager.get("ctrlApiRest0").factory_id == "Controller.Api.Rest.ReadOnly"


async def test_the_install_unlocks_the_documents_write(replay: Replay) -> None:
    edge = replay.runner.edge
    replay.learn(
        "{KEY}", issue_offline("App.Api.RestJson.ReadWrite", edge.data_dir).key.formatted()
    )
    session = recorded("app-center")
    install = [r for r in session if inner_method(r) == "_appManager/addAppInstance"]
    upto = session[: session.index(install[0]) + 1]
    for request in upto:
        reply = unwrap(await replay.send(request))
        assert "error" not in reply, reply
        if "token" in reply.get("result", {}):
            replay.learn("{TOKEN}", reply["result"]["token"])
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{replay.port}") as http:
        write = await http.post(
            "/rest/channel/ess0/SetActivePowerEquals", json={"value": 1000}, auth=("x", "owner")
        )
    assert write.status_code == 200, write.text


async def test_system_update_and_settings_pages(replay: Replay) -> None:
    replies = await replay_session(replay, "settings")
    update = replies["_host/getSystemUpdateState"]
    assert set(update) <= {"unknown", "updated", "available", "running"} and len(update) == 1
    assert replies["_updateManager/getUpdateables"] == {"updateables": []}


async def test_channel_view_in_settings(replay: Replay) -> None:
    replies = await replay_session(replay, "channels")
    channels = {c["id"]: c for c in replies["_componentManager/getChannelsOfComponent"]["channels"]}
    assert {"id", "address", "type", "accessMode", "unit", "text"} <= set(channels["Soc"])
    assert channels["Soc"]["address"] == "ess0/Soc" and channels["Soc"]["unit"] == "%"
