"""The edge's UI protocol on a backend node, over a real websocket: a fleet user signs in,
reads live values of their edge and writes a setpoint held under that edge's lease; their
role is per edge; every input is bounded."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.api.conftest import EVENING
from tests.api.test_snapshot_reads import Vault
from tests.backend.conftest import Fleet, until
from wattkeeper.backend import ui_socket
from wattkeeper.backend.node import NodeServer

pytestmark = [pytest.mark.external]
SETPOINT = "ess0/SetActivePowerEquals"


class Ui:
    """A browser's side of the socket: requests by id, `currentData` kept per edge."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.next_id = 0
        self.live: dict[str, dict[str, Any]] = {}

    async def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.next_id += 1
        request_id = str(self.next_id)
        await self.ws.send(
            json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        )
        while True:
            message = await self._receive()
            if message.get("id") == request_id:
                return message

    async def edge(self, edge_id: str, method: str, params: dict[str, Any]) -> dict[str, Any]:
        payload = {"jsonrpc": "2.0", "id": "inner", "method": method, "params": params}
        return await self.request("edgeRpc", {"edgeId": edge_id, "payload": payload})

    async def current_data(self, edge_id: str) -> dict[str, Any]:
        """The next `currentData` of this edge."""
        self.live.pop(edge_id, None)
        while edge_id not in self.live:
            await self._receive()
        return self.live[edge_id]

    async def _receive(self) -> dict[str, Any]:
        async with asyncio.timeout(10):
            message: dict[str, Any] = json.loads(await self.ws.recv())
        if message.get("method") == "edgeRpc":
            params = message["params"]
            assert params["payload"]["method"] == "currentData"
            self.live[params["edgeId"]] = params["payload"]["params"]
        return message


def ws_url(node: NodeServer) -> str:
    return f"ws://{node.host}:{node.port}/websocket"


async def signed_in(ws: ClientConnection, user: str) -> Ui:
    ui = Ui(ws)
    answer = await ui.request("authenticateWithPassword", {"username": user, "password": "secret"})
    assert answer["result"]["user"]["name"] == user, answer
    return ui


async def connected(*runners: Any) -> None:
    for runner in runners:
        link = runner.edge.manager.get("ctrlBackend0").link

        async def up(link: Any = link) -> bool:
            return link.connected_to is not None

        await until(up)


async def test_an_owner_sees_and_steers_their_edge_and_nothing_else(fleet: Fleet) -> None:
    node = await fleet.node()
    node.node.ui.poll_s = 0.05  # the browser's second, shortened: the test waits for updates
    alice, bob = await fleet.user(), await fleet.user()
    edge_a, runner_a = await fleet.edge(owner=alice, start=EVENING)
    edge_b, runner_b = await fleet.edge(owner=bob, start=EVENING)
    await connected(runner_a, runner_b)
    runner_a.step(2)
    async with connect(ws_url(node)) as ws:
        ui = await signed_in(ws, alice)
        edges = (await ui.request("getEdges", {}))["result"]["edges"]
        assert [(e["id"], e["role"], e["isOnline"]) for e in edges] == [(edge_a, "owner", True)]
        assert (await ui.request("getEdge", {"edgeId": edge_a}))["result"]["edge"][
            "role"
        ] == "owner"
        config = await ui.edge(edge_a, "getEdgeConfig", {})
        assert "ess0" in config["result"]["payload"]["result"]["components"]

        channels = ["_sum/EssSoc", "ess0/ActivePower", "_sum/NoSuchChannel"]
        subscribed = await ui.edge(edge_a, "subscribeChannels", {"count": 3, "channels": channels})
        assert subscribed["result"] == {"payload": {"jsonrpc": "2.0", "id": "inner", "result": {}}}
        live = await ui.current_data(edge_a)
        assert live["_sum/EssSoc"] == runner_a.value("_sum/EssSoc") and live["_sum/EssSoc"] > 0
        assert live["_sum/NoSuchChannel"] is None

        written = await ui.edge(edge_a, "setOverride", {"address": SETPOINT, "value": 3000})
        assert written["result"]["payload"]["result"] == {"address": SETPOINT, "value": 3000}
        worker = runner_a.edge.manager.get("ctrlApiRest0")
        held = worker.held[SETPOINT]  # type: ignore[attr-defined]
        assert (held.value, held.role) == (3000, "owner")  # under edge A's own lease
        audit = runner_a.edge.api.audit.read(1)[-1]
        assert (audit["user"], audit["via"]) == (f"backend:{alice}", "backend-websocket")
        runner_a.step(3)
        while (await ui.current_data(edge_a))["ess0/ActivePower"] != 3000:
            pass  # the next poll after the cycles shows the battery discharging 3 kW

        for method, params in [
            ("setOverride", {"address": SETPOINT, "value": 1000}),
            ("subscribeChannels", {"count": 1, "channels": ["_sum/EssSoc"]}),
            ("getEdgeConfig", {}),
        ]:
            refused = await ui.edge(edge_b, method, params)
            assert refused["error"]["message"] == f"no access to edge {edge_b}", method
            assert refused["error"]["code"] == 1002
        assert (await ui.request("getEdge", {"edgeId": edge_b}))["error"]["code"] == 1002
        assert runner_b.edge.manager.get("ctrlApiRest0").held == {}  # type: ignore[attr-defined]
        assert node.node.ui.live == {alice: 1}
        day = datetime.fromtimestamp(EVENING, UTC).date().isoformat()
        span = {"fromDate": day, "toDate": day, "timezone": "Europe/Berlin"}
        for method, params in [  # what the other pages ask: history, override, apps, channels
            (
                "queryHistoricTimeseriesData",
                {
                    **span,
                    "channels": ["_sum/EssSoc"],
                    "resolution": {"value": 5, "unit": "Minutes"},
                },
            ),
            ("queryHistoricTimeseriesEnergy", {**span, "channels": ["_sum/GridBuyActiveEnergy"]}),
            (
                "queryHistoricTimeseriesEnergyPerPeriod",
                {
                    **span,
                    "channels": ["_sum/GridBuyActiveEnergy"],
                    "resolution": {"value": 1, "unit": "Days"},
                },
            ),
            ("getOverrides", {}),
            ("componentJsonApi", {"componentId": "_appManager", "payload": {"method": "getApps"}}),
            (
                "componentJsonApi",
                {
                    "componentId": "_componentManager",
                    "payload": {
                        "method": "getChannelsOfComponent",
                        "params": {"componentId": "ess0"},
                    },
                },
            ),
        ]:
            answer = await ui.edge(edge_a, method, params)
            assert isinstance(answer.get("result", {}).get("payload", {}).get("result"), dict), (
                method,
                answer,
            )
    await until(lambda: _true(node.node.ui.live == {}))  # the socket closed: no more polling


async def test_a_guest_watches_but_cannot_write_and_a_token_works_on_any_node(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = await fleet.node()
    other = await fleet.node()
    owner, carol = await fleet.user(), await fleet.user()
    edge_a, runner_a = await fleet.edge(owner=owner, start=EVENING)
    assert fleet.store is not None
    await fleet.store.grant(carol, edge_a, "guest")
    await connected(runner_a)
    runner_a.edge.manager.add(Vault())  # one private channel (owners only), one open
    runner_a.step(1)
    vault = {"channels": ["vault0/Secret", "vault0/Open"]}
    async with connect(ws_url(node)) as ws:
        ui = await signed_in(ws, owner)
        seen = await ui.edge(edge_a, "getCurrentData", vault)
        assert seen["result"]["payload"]["result"] == {
            "vault0/Secret": "owner's eyes only",
            "vault0/Open": 7,
        }
    async with connect(ws_url(node)) as ws:
        ui = await signed_in(ws, carol)
        hidden = await ui.edge(edge_a, "getCurrentData", vault)
        assert hidden["result"]["payload"]["result"] == {"vault0/Secret": None, "vault0/Open": 7}
        token = (await ui.request("authenticateWithToken", {"token": "nonsense"}))["error"]
        assert token["message"] == "Authentication failed: unknown or expired token"
        config = await ui.edge(edge_a, "getEdgeConfig", {})  # a guest's UI needs it: allowed
        assert "ess0" in config["result"]["payload"]["result"]["components"]
        await ui.edge(edge_a, "subscribeChannels", {"count": 1, "channels": ["_sum/EssSoc"]})
        assert (await ui.current_data(edge_a))["_sum/EssSoc"] == runner_a.value("_sum/EssSoc")
        refused = await ui.edge(edge_a, "setOverride", {"address": SETPOINT, "value": 3000})
        assert "owner" in refused["error"]["message"]  # the edge itself refuses a guest
        assert runner_a.edge.manager.get("ctrlApiRest0").held == {}  # type: ignore[attr-defined]
        signed = await ui.request(
            "authenticateWithPassword", {"username": carol, "password": "secret"}
        )
        token = signed["result"]["token"]
        assert node.node.ui.live == {carol: 1}
        monkeypatch.setattr(ui_socket, "ROLE_EVERY", 1)
        node.node.ui.poll_s = 0.02
        await fleet.store.pool.execute("DELETE FROM fleet_role WHERE user_name = $1", carol)
        await until(lambda: _true(node.node.ui.live == {}))  # the owner took the guest's role
        gone = await ui.edge(edge_a, "getEdgeConfig", {})
        assert gone["error"]["message"] == f"no access to edge {edge_a}"
    async with connect(ws_url(other)) as ws:  # another node: the token lives in PostgreSQL
        ui = Ui(ws)
        resumed = await ui.request("authenticateWithToken", {"token": token})
        assert resumed["result"]["user"]["name"] == carol
        assert (await ui.request("logout", {}))["result"] == {}
        gone = await ui.request("authenticateWithToken", {"token": token})
        assert gone["error"]["code"] == 1003


@pytest.mark.slow  # about a second: closing handshakes of refused sockets
async def test_every_input_is_bounded(fleet: Fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    node = await fleet.node()
    alice = await fleet.user()
    edge_a, runner_a = await fleet.edge(owner=alice)
    edge_b, _ = await fleet.edge(owner=alice)
    await connected(runner_a)
    async with connect(ws_url(node)) as ws:
        ui = Ui(ws)
        early = await ui.request("getEdges", {})
        assert early["error"]["message"].startswith("Not authenticated")
        nameless = await ui.request("authenticateWithPassword", {"password": "secret"})
        assert nameless["error"]["message"] == (
            'the fleet backend needs a "username" besides the password'
        )
        await signed_in(ws, alice)
        for text, problem in [
            ("{not json", "the message is not JSON"),
            ('{"id": NaN, "method": "getEdges"}', "the message is not JSON"),
            ("[" * 60_000, "the message is nested too deeply"),
        ]:
            await ws.send(text)
            assert json.loads(await ws.recv())["error"]["message"] == problem
        many = [f"ess0/C{i}" for i in range(ui_socket.MAX_CHANNELS + 1)]
        too_many = await ui.edge(edge_a, "subscribeChannels", {"channels": many})
        assert too_many["error"]["message"] == (
            f'"channels" must be a list of at most {ui_socket.MAX_CHANNELS} addresses'
        )
        read = await ui.edge(edge_a, "getCurrentData", {"channels": many})  # the edge's bound
        assert read["error"]["message"] == "at most 1000 channels can be read at once"
        monkeypatch.setattr(ui_socket, "MAX_SUBSCRIPTIONS", 1)
        assert "result" in await ui.edge(edge_a, "subscribeChannels", {"channels": ["_sum/EssSoc"]})
        second = await ui.edge(edge_b, "subscribeChannels", {"channels": ["_sum/EssSoc"]})
        assert second["error"]["message"] == "live values of at most 1 edges on one connection"
        monkeypatch.setattr(ui_socket, "MAX_LIVE_PER_USER", 1)
        async with connect(ws_url(node)) as ws2:
            ui2 = await signed_in(ws2, alice)
            refused = await ui2.edge(edge_a, "subscribeChannels", {"channels": ["_sum/EssSoc"]})
            assert refused["error"]["message"].startswith("live values in at most 1 windows")
        await ws.send("x" * (ui_socket.MAX_MESSAGE + 1))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    async with connect(ws_url(node)) as ws:
        ui = Ui(ws)
        for _ in range(ui_socket.MAX_FAILED_SIGN_INS):
            wrong = {"username": alice, "password": "wrong"}
            await ui.request("authenticateWithPassword", wrong)
        with pytest.raises(ConnectionClosed):
            await ws.recv()
    monkeypatch.setattr(ui_socket, "MAX_SOCKETS", 1)
    async with connect(ws_url(node)) as ws, connect(ws_url(node)) as refused_ws:
        with pytest.raises(ConnectionClosed) as closed:
            await refused_ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
        assert "error" in await Ui(ws).request("getEdges", {})  # the first one is served
    bare = await fleet.client.get(node.url + f"/edges/{edge_a}")
    assert (bare.status_code, bare.headers["location"]) == (308, f"/edges/{edge_a}/")
    page = await fleet.client.get(node.url + f"/edges/{edge_a}/")
    assert page.status_code == 200 and '<script type="module" src="/ui/js/main.js">' in page.text
    assert (await fleet.client.get(node.url + "/ui/js/rpc.js")).status_code == 200
    assert (await fleet.client.get(node.url + "/edges/a.b/")).status_code == 404


async def _true(value: bool) -> bool:
    return value
