"""The OpenEMS UI websocket replayed against a real server on loopback (fake-clock edge)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import pytest
from websockets.asyncio.client import connect

from tests.api.conftest import EVENING, demo_with_write_access
from tests.api.ws_support import WsClient
from tests.conftest import EdgeRunner
from wattkeeper.api.live import BACKLOG
from wattkeeper.api.server import HttpServers


class Live:
    def __init__(self, runner: EdgeRunner, port: int) -> None:
        self.runner = runner
        self.port = port
        self.edge = runner.edge

    def url(self, path: str = "/websocket") -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def step(self, cycles: int = 1) -> None:
        self.runner.step(cycles)


@pytest.fixture
async def live(make_edge: Callable[..., EdgeRunner]) -> AsyncIterator[Live]:
    runner = make_edge(demo_with_write_access(), start=EVENING)
    await runner.edge.start()
    servers = HttpServers(runner.edge.asgi, "127.0.0.1", [0])
    await servers.start()
    runner.step()
    yield Live(runner, servers.bound[0])
    await servers.stop()
    await runner.edge.stop()


@pytest.fixture
async def client(live: Live) -> AsyncIterator[WsClient]:
    async with connect(live.url()) as ws:
        yield WsClient(ws)


@pytest.mark.parametrize("path", ["/", "/websocket"])
async def test_the_openems_ui_handshake(live: Live, path: str) -> None:
    async with connect(live.url(path)) as ws:
        client = WsClient(ws)
        assert await client.silent(0.2)  # nothing unsolicited on connect
        result = await client.login("owner")
        assert result["user"] == {
            "id": "owner",
            "name": "owner",
            "hasMultipleEdges": False,
            "settings": {},
            "globalRole": "owner",
        }
        assert result["edges"] == []  # an edge sends none: the client asks getEdges
        assert len(result["token"]) >= 32
        edges = await client.call("getEdges", {"page": 0, "query": "", "limit": 20})
        assert [e["id"] for e in edges["result"]["edges"]] == ["0"]
        assert edges["result"]["edges"][0]["role"] == "owner"
        assert edges["result"]["edges"][0]["isOnline"] is True
        assert (await client.call("subscribeEdges", {"edges": ["0"]}))["result"] == {}
        config = await client.edge("getEdgeConfig")
        components = config["result"]["components"]
        assert components["ctrlApiRest0"]["factoryId"] == "Controller.Api.Rest.ReadWrite"
        assert "port" in components["ctrlApiRest0"]["properties"]
        assert components["_host"]["channels"]["Hostname"]["type"] == "STRING"
        live.step(3)
        assert await client.silent(0.2)  # still nothing before a subscription
        reply = await client.edge(
            "subscribeChannels", {"count": 1, "channels": ["_sum/EssSoc", "_host/Hostname"]}
        )
        assert reply["result"] == {}
        live.step()
        note = await client.receive()
        assert "id" not in note
        assert note["method"] == "edgeRpc" and note["params"]["edgeId"] == "0"
        payload = note["params"]["payload"]
        assert payload["method"] == "currentData" and "id" not in payload
        assert payload["params"]["_sum/EssSoc"] == live.runner.value("_sum/EssSoc")
        assert isinstance(payload["params"]["_host/Hostname"], str)


async def test_one_reply_per_request_in_order(live: Live, client: WsClient) -> None:
    await client.login("user")
    sent = []
    for index in range(20):
        method = ["getEdges", "getEdge", "subscribeEdges", "nope", "edgeRpc"][index % 5]
        params = {"edgeId": "0", "payload": {"method": "getEdgeConfig", "id": "x"}}
        sent.append(await client.send(method, params))
    replies = [await client.receive() for _ in sent]
    assert [r["id"] for r in replies] == sent
    for reply in replies:
        assert ("result" in reply) != ("error" in reply)
    assert await client.silent(0.2)


async def test_current_data_every_cycle_for_the_subscribed_channels(live: Live, client) -> None:
    await client.login("user")
    await client.edge(
        "subscribeChannels", {"count": "2", "channels": ["_sum/GridActivePower", "ess0/Soc"]}
    )
    for _ in range(3):
        live.step()
        note = await client.receive()
        data = note["params"]["payload"]["params"]
        assert set(data) == {"_sum/GridActivePower", "ess0/Soc"}
        assert data["ess0/Soc"] == live.runner.value("ess0/Soc")
        assert isinstance(data["_sum/GridActivePower"], int)
    # unsubscribing stops the notifications; an unknown channel is null, not an error
    await client.edge("subscribeChannels", {"count": 0, "channels": []})
    live.step()
    assert await client.silent(0.2)
    await client.edge("subscribeChannels", {"count": 1, "channels": ["nope0/Nothing"]})
    live.step()
    assert (await client.receive())["params"]["payload"]["params"] == {"nope0/Nothing": None}


async def test_count_as_a_string_and_unknown_params_are_accepted(client: WsClient) -> None:
    await client.login("user")
    reply = await client.edge(
        "subscribeChannels", {"count": "1", "channels": ["_sum/EssSoc"], "extra": {"x": 1}}
    )
    assert reply["result"] == {}
    bad = await client.edge("subscribeChannels", {"count": "many", "channels": []})
    assert bad["error"]["message"].startswith('"count" must be a number')


async def test_wrong_password_is_an_error_and_the_socket_stays_usable(client: WsClient) -> None:
    reply = await client.call("authenticateWithPassword", {"password": "wrong"})
    assert reply["error"]["code"] == 1003
    assert "wrong password" in reply["error"]["message"]
    denied = await client.call("getEdges")
    assert denied["error"]["code"] == 1003  # not logged in yet
    assert (await client.login("owner"))["user"]["globalRole"] == "owner"


async def test_token_login_on_a_new_connection_and_logout(live: Live, client: WsClient) -> None:
    token = (await client.login("installer"))["token"]
    async with connect(live.url("/")) as ws:
        other = WsClient(ws)
        reply = await other.call("authenticateWithToken", {"token": token})
        assert reply["result"]["user"]["globalRole"] == "installer"
        assert (await other.call("logout"))["result"] == {}
        assert (await other.call("getEdges"))["error"]["code"] == 1003
    again = await client.call("authenticateWithToken", {"token": token})
    assert again["error"]["code"] == 1003  # logged out everywhere
    assert (await client.call("authenticateWithToken", {"token": "forged"}))["error"]


async def test_a_password_change_invalidates_tokens(live: Live, client: WsClient) -> None:
    token = (await client.login("owner"))["token"]
    live.edge.users.set_password("owner", "a-new-secret")
    reply = await client.call("authenticateWithToken", {"token": token})
    assert reply["error"]["code"] == 1003


async def test_guest_reads_and_cannot_write(live: Live, client: WsClient) -> None:
    await client.login("user")
    assert "result" in await client.edge("getEdgeConfig")
    for method, params in [
        (
            "setChannelValue",
            {"componentId": "ess0", "channelId": "SetActivePowerEquals", "value": 1},
        ),
        ("setOverride", {"address": "ess0/SetActivePowerEquals", "value": 1000}),
        ("updateComponentConfig", {"componentId": "ctrlApiRest0", "properties": []}),
    ]:
        reply = await client.edge(method, params)
        assert reply["error"]["code"] == 1002, reply
        assert "needs role" in reply["error"]["message"]
    assert live.edge.manager.get("ctrlApiRest0").held == {}


async def test_owner_sets_and_releases_a_setpoint_like_a_rest_post(live: Live, client) -> None:
    await client.login("owner")
    reply = await client.edge(
        "setOverride", {"address": "ess0/SetActivePowerEquals", "value": 3000.0}
    )
    assert reply["result"] == {"address": "ess0/SetActivePowerEquals", "value": 3000}
    live.step(2)
    assert live.runner.value("ess0/ActivePower") == 3000
    overrides = (await client.edge("getOverrides"))["result"]
    assert overrides["writable"] and overrides["apiTimeout"] == 60
    assert overrides["componentId"] == "ctrlApiRest0"
    [held] = overrides["overrides"]
    assert held["address"] == "ess0/SetActivePowerEquals" and held["value"] == 3000
    assert held["role"] == "owner" and held["remote"] == "127.0.0.1"
    assert held["since"].startswith("2026-06-21T")
    assert 0 < overrides["remaining"] <= 60
    audit = live.edge.api.audit.read(1)[0]
    assert audit["via"] == "websocket" and audit["channel"] == "ess0/SetActivePowerEquals"
    # admin-only in OpenEMS, as on REST
    denied = await client.edge(
        "setChannelValue", {"componentId": "ess0", "channelId": "SetActivePowerEquals", "value": 1}
    )
    assert denied["error"]["code"] == 1002
    bad = await client.edge("setOverride", {"address": "ess0/Soc", "value": 5})
    assert "read-only" in bad["error"]["message"]
    await client.edge("setOverride", {"address": "ess0/SetActivePowerEquals", "value": None})
    assert live.edge.manager.get("ctrlApiRest0").held == {}


async def test_channels_of_a_component(client: WsClient) -> None:
    await client.login("user")
    reply = await client.edge(
        "componentJsonApi",
        {
            "componentId": "_componentManager",
            "payload": {"method": "getChannelsOfComponent", "params": {"componentId": "ess0"}},
        },
    )
    channels = {c["id"]: c for c in reply["result"]["channels"]}
    assert channels["Soc"]["unit"] == "%" and channels["Soc"]["accessMode"] == "RO"
    assert channels["SetActivePowerEquals"]["accessMode"] == "WO"
    assert "value" not in channels["SetActivePowerEquals"]
    missing = await client.edge(
        "componentJsonApi",
        {
            "componentId": "_componentManager",
            "payload": {"method": "getChannelsOfComponent", "params": {"componentId": "nope"}},
        },
    )
    assert missing["error"]["code"] == 2000


async def test_edge_config_is_pushed_when_the_configuration_changes(live, client) -> None:
    await client.login("owner")
    await client.edge("subscribeChannels", {"count": 1, "channels": ["_sum/EssSoc"]})
    reply = await client.edge(
        "updateComponentConfig",
        {"componentId": "ctrlApiRest0", "properties": [{"name": "apiTimeout", "value": 30}]},
    )
    assert reply["result"] == {}
    note = await client.receive()
    payload = note["params"]["payload"]
    assert payload["method"] == "edgeConfig"
    assert payload["params"]["components"]["ctrlApiRest0"]["properties"]["apiTimeout"] == 30


async def test_malformed_and_unknown_requests(client: WsClient) -> None:
    await client.ws.send("{not json")
    reply = await client.receive()
    assert reply["error"]["code"] == 1 and "not valid JSON" in reply["error"]["message"]
    await client.login("user")
    unknown = await client.edge("noSuchMethod")
    assert "Unknown JSON-RPC method" in unknown["error"]["message"]
    wrong_edge = await client.call(
        "edgeRpc", {"edgeId": "7", "payload": {"method": "getEdgeConfig"}}
    )
    assert "Unknown edge" in wrong_edge["error"]["message"]
    # history is registered by the history subsystem; without it the method is unknown
    await client.ws.send(json.dumps({"id": 5, "method": "getEdges"}))  # no "jsonrpc", numeric id
    assert (await client.receive())["id"] == 5


async def test_a_slow_client_never_holds_up_the_cycle(live: Live, client: WsClient) -> None:
    await client.login("user")
    await client.edge("subscribeChannels", {"count": 1, "channels": ["_sum/EssSoc"]})
    live.step(50)  # nobody reads: the connection keeps only its newest snapshots
    hub = live.edge.asgi.websocket.hub
    assert hub.subscribers == 1
    received = 0
    while True:
        try:
            await client.receive(0.3)
        except TimeoutError:
            break
        received += 1
    assert received == BACKLOG  # the newest few cycles, not 50


async def test_connections_beyond_the_limit_are_turned_away(live: Live, monkeypatch) -> None:
    from websockets.exceptions import ConnectionClosed

    from wattkeeper.api import ws_pool

    monkeypatch.setattr(ws_pool, "TOTAL", 1)
    async with connect(live.url()) as first:
        await WsClient(first).login("user")
        async with connect(live.url()) as second:
            with pytest.raises(ConnectionClosed) as closed:
                await second.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
        assert "result" in await WsClient(first).call("getEdges")
    assert live.edge.asgi.websocket.connections == 0


async def test_history_queries_go_through_edge_rpc(live: Live, client: WsClient) -> None:
    await client.login("user")
    live.step(10)
    live.edge.history.flush()
    reply = await client.edge(
        "queryHistoricTimeseriesData",
        {
            "fromDate": "2026-06-21",
            "toDate": "2026-06-21",
            "timezone": "Europe/Berlin",
            "channels": ["_sum/EssSoc"],
            "resolution": {"value": 5, "unit": "Minutes"},
            "unknownExtra": True,
        },
    )
    result = reply["result"]
    assert len(result["timestamps"]) == 288
    assert any(v is not None for v in result["data"]["_sum/EssSoc"])
    bad = await client.edge("queryHistoricTimeseriesEnergy", {"fromDate": "x"})
    assert bad["error"]["code"] == 1


async def test_host_uptime_counts(live: Live, client: WsClient) -> None:
    await client.login("user")
    await client.edge("subscribeChannels", {"count": 1, "channels": ["_host/Uptime"]})
    live.step(5)
    await client.receive()
    assert live.runner.value("_host/Uptime") >= 5


async def test_a_failing_method_is_an_error_reply_and_the_session_goes_on(live, client) -> None:
    async def broken(call):
        return {"value": float("nan")}  # cannot be sent as JSON

    async def crashing(call):
        raise KeyError("bug")

    live.edge.api.methods["brokenForTest"] = broken
    live.edge.api.methods["crashingForTest"] = crashing
    try:
        await client.login("user")
        for method in ("brokenForTest", "crashingForTest"):
            reply = await client.edge(method)
            assert reply["error"]["message"].startswith("Internal error"), reply
        assert "result" in await client.call("getEdges")
    finally:
        del live.edge.api.methods["brokenForTest"], live.edge.api.methods["crashingForTest"]


async def test_channels_declared_later_appear_in_config_and_live_data(live, client) -> None:
    from wattkeeper.core.channel import ChannelDoc, ChannelType

    await client.login("user")
    assert (
        "Extra"
        not in (await client.edge("getEdgeConfig"))["result"]["components"]["_host"]["channels"]
    )
    await client.edge("subscribeChannels", {"count": 1, "channels": ["_host/Extra"]})
    live.step()
    assert (await client.receive())["params"]["payload"]["params"] == {"_host/Extra": None}
    host = live.edge.manager.get("_host")
    host.declare(ChannelDoc("Extra", ChannelType.INTEGER))  # e.g. found by device discovery
    live.edge.manager.reindex()
    host.channel("Extra").set(42)
    live.step()
    assert (await client.receive())["params"]["payload"]["params"] == {"_host/Extra": 42}
    config = (await client.edge("getEdgeConfig"))["result"]
    assert "Extra" in config["components"]["_host"]["channels"]


async def test_simultaneous_sign_ins_share_one_password_check(live: Live, monkeypatch) -> None:
    import asyncio

    from wattkeeper.api import auth

    checks = []
    real = auth.verify_password

    def counting(password: str, stored: str) -> bool:
        checks.append(password)
        return real(password, stored)

    monkeypatch.setattr(auth, "verify_password", counting)
    live.edge.api.auth.forget_sessions()

    async def sign_in() -> str:
        async with connect(live.url()) as ws:
            return (await WsClient(ws).login("owner"))["user"]["globalRole"]

    roles = await asyncio.gather(*(sign_in() for _ in range(20)))
    assert roles == ["owner"] * 20
    assert len(checks) <= 4  # one bare-password match tries each user at most once, not 20 times
