"""A setpoint through the backend is held by the edge's own write gate under its lease and
expires there; a user's role is per edge."""

from __future__ import annotations

import pytest

from tests.api.conftest import EVENING
from tests.backend.conftest import Fleet, basic, until

pytestmark = [pytest.mark.external]


def _set(edge_id: str, value: float | None) -> dict[str, object]:
    return {
        "edgeId": edge_id,
        "payload": {
            "method": "setOverride",
            "params": {"address": "ess0/SetActivePowerEquals", "value": value},
        },
    }


async def test_a_remote_write_is_held_on_the_edge_and_expires_there(fleet: Fleet) -> None:
    node = await fleet.node()
    owner = await fleet.user()
    edge_id, edge = await fleet.edge(owner=owner, api_timeout=60, start=EVENING)
    link = edge.edge.manager.get("ctrlBackend0").link  # type: ignore[attr-defined]
    await until(lambda: _true(link.connected_to is not None))
    response = await fleet.rpc(node, owner, "edgeRpc", _set(edge_id, 3000))
    assert response.status_code == 200, response.text
    assert response.json()["result"] == {"address": "ess0/SetActivePowerEquals", "value": 3000}
    worker = edge.edge.manager.get("ctrlApiRest0")
    held = worker.held["ess0/SetActivePowerEquals"]  # type: ignore[attr-defined]
    assert (held.value, held.role) == (3000, "owner")
    edge.step(3)
    assert edge.value("ess0/ActivePower") == 3000  # discharging 3 kW, as the owner asked
    entries = edge.edge.api.audit.read(10)
    assert entries[-1]["user"] == f"backend:{owner}" and entries[-1]["via"] == "backend"
    edge.step(59)  # the lease runs out on the edge's clock: nobody needs to release it
    assert worker.held == {}  # type: ignore[attr-defined]
    edge.step(2)
    assert edge.value("ess0/ActivePower") != 3000


async def test_roles_are_per_user_and_edge(fleet: Fleet) -> None:
    node = await fleet.node()
    alice, bob = await fleet.user(), await fleet.user()
    edge_a, runner_a = await fleet.edge(owner=alice)
    edge_b, runner_b = await fleet.edge(owner=bob)
    store = fleet.store
    assert store is not None
    await store.grant(alice, edge_b, "guest")  # bob shares his home with alice, read only
    for runner in (runner_a, runner_b):
        link = runner.edge.manager.get("ctrlBackend0").link  # type: ignore[attr-defined]
        await until(lambda link=link: _true(link.connected_to is not None))

    listed = (await fleet.rpc(node, alice, "getEdges", {})).json()["result"]["edges"]
    assert [(e["id"], e["role"], e["online"]) for e in listed] == [
        (edge_a, "owner", True),
        (edge_b, "guest", True),
    ]
    bobs = (await fleet.rpc(node, bob, "getEdges", {})).json()["result"]["edges"]
    assert [e["id"] for e in bobs] == [edge_b]  # bob sees nothing of alice's home

    assert (await fleet.rpc(node, alice, "edgeRpc", _set(edge_a, 1000))).status_code == 200
    refused = await fleet.rpc(node, alice, "edgeRpc", _set(edge_b, 1000))
    assert refused.status_code == 400  # the edge itself refuses a guest's write
    assert "owner" in refused.json()["error"]["message"]
    assert runner_b.edge.manager.get("ctrlApiRest0").held == {}  # type: ignore[attr-defined]
    config = await fleet.rpc(
        node, alice, "edgeRpc", {"edgeId": edge_b, "payload": {"method": "getEdgeConfig"}}
    )
    assert config.status_code == 400  # OpenEMS's getEdgeConfig over JSON-RPC: owner and up
    nothing = await fleet.rpc(node, bob, "edgeRpc", _set(edge_a, 1000))
    assert nothing.status_code == 403
    assert nothing.json()["error"]["message"] == f"no access to edge {edge_a}"
    unknown = await fleet.rpc(node, bob, "edgeRpc", _set("no-such-edge", 1000))
    assert unknown.json()["error"]["message"] == "no access to edge no-such-edge"
    wrong = await fleet.rpc(node, bob, "getEdges", {}, password="wrong")
    assert wrong.status_code == 401
    for body, status, message in [
        (b"{not json", 400, "the body is not JSON"),
        (b'{"id": 1, "method": "noSuchMethod"}', 400, "Unknown JSON-RPC method [noSuchMethod]"),
        (b'{"method": "getEdges", "params": 5}', 400, '"params" must be an object'),
        (b"[" * (1024 * 1024 + 1), 413, "request larger than 1048576 bytes"),
        (b"[" * 100_000, 400, "the body is nested too deeply"),
    ]:
        answer = await fleet.client.post(
            node.url + "/jsonrpc", content=body, headers=basic(bob, "secret")
        )
        assert (answer.status_code, answer.json()["error"]["message"]) == (status, message)
    page = await fleet.client.get(node.url + "/")  # the fleet page: list, search, an edge
    assert page.status_code == 200 and "<title>wattkeeper fleet</title>" in page.text
    assert (await fleet.client.get(node.url + "/fleet.js")).status_code == 200


async def _true(value: bool) -> bool:
    return value
