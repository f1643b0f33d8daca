"""The App Center's licence service runs in the backend: edges redeem keys online at any node,
keys and redemptions live in PostgreSQL, licences are signed with the vendor key the nodes got."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.api.conftest import Api
from tests.apps.test_app_center import RW, apps, fresh_demo, install
from tests.backend.conftest import Fleet
from wattkeeper.backend.licences import LicenceSettings
from wattkeeper.backend.node import BackendNode, NodeServer
from wattkeeper.cli import main
from wattkeeper.config.site import demo_site
from wattkeeper.licence_vendor import generate_key, public_key_b64
from wattkeeper.licence_vendor.admin_client import LicenceAdminClient
from wattkeeper.licensing.client import LicenceServiceClient
from wattkeeper.licensing.errors import KeyTypoError, UnknownKeyError

pytestmark = [pytest.mark.external]

ADMIN = "admin-token-of-the-test"
VENDOR = Ed25519PrivateKey.generate()  # not the demo key: the edges trust only this one


async def licence_node(fleet: Fleet, admin_token: str | None = ADMIN) -> NodeServer:
    engines = fleet.engines
    settings = LicenceSettings(VENDOR, admin_token)
    node = NodeServer(
        await BackendNode.open(engines.postgres.url, engines.nats.url, licensing=settings)
    )
    await node.start()
    fleet.nodes.append(node)  # stopped with the fleet
    return node


async def vendor_edge(data_dir: Path, service_url: str) -> Api:
    """The demo home, trusting only the vendor's key and redeeming online at `service_url`."""
    site = demo_site()
    site.licensing.service_url = service_url
    site.licensing.trusted_keys = [public_key_b64(VENDOR.public_key())]
    site.licensing.trust_demo_key = False
    return await fresh_demo(data_dir, site=site)


async def issue(node: NodeServer) -> str:
    admin = LicenceAdminClient(node.url)
    return await asyncio.to_thread(admin.issue, RW, ADMIN)


async def redeem(node: NodeServer, key: str, edge_id: str) -> dict[str, Any]:
    """The edge's client (it blocks: in a thread, the node shares this event loop)."""
    return await asyncio.to_thread(LicenceServiceClient(node.url).redeem, key, RW, edge_id)


async def test_an_edge_redeems_online_at_one_node_and_the_key_is_refused_everywhere_else(
    fleet: Fleet, tmp_path: Path
) -> None:
    node_a, node_b = await licence_node(fleet), await licence_node(fleet)
    key = await issue(node_a)
    first = await vendor_edge(tmp_path / "a", node_a.url)
    second = await vendor_edge(tmp_path / "b", node_b.url)
    try:
        installed = await install(first, key)
        assert installed.status_code == 200, installed.text
        assert (await apps(first))[RW]["installed"]
        assert (await first.post("ess0/SetActivePowerEquals", {"value": 2000})).status_code == 200
        first.step(2)
        assert await first.value("ess0/ActivePower") == 2000

        # the second edge asks the other node: the binding is in PostgreSQL, not in a node
        refused = await install(second, key)
        assert refused.status_code == 409, refused.text
        message = refused.json()["error"]["message"]
        assert "already redeemed on another edge" in message
        assert not (await apps(second))[RW]["installed"]
        assert (await second.post("ess0/SetActivePowerEquals", {"value": 1})).status_code == 403
        # its own edge may redeem again at the other node: the same licence, not a new one
        again = await redeem(node_b, key, first.edge.edge_id)
        assert again["licence"]["edgeId"] == first.edge.edge_id
        assert again == await redeem(node_a, key, first.edge.edge_id)
    finally:
        for api in (first, second):
            await api.client.aclose()
            await api.edge.stop()


async def test_bad_keys_are_clear_client_errors(fleet: Fleet, tmp_path: Path) -> None:
    node = await licence_node(fleet)
    key = await issue(node)
    typo = key[:5] + str((int(key[5]) + 1) % 10) + key[6:]
    # the edge's own client, as the wallet uses it: the service's error class comes back
    with pytest.raises(KeyTypoError, match="check digit"):
        await redeem(node, typo, "edge-x")
    never_issued = generate_key(RW).digits
    with pytest.raises(UnknownKeyError, match="never issued"):
        await redeem(node, never_issued, "edge-x")
    async with httpx.AsyncClient(base_url=node.url, timeout=10) as http:
        wrong_app = await http.post(
            "/api/v1/redeem",
            json={"key": key, "appId": "App.Api.ModbusTcp.ReadWrite", "edgeId": "e"},
        )
        assert wrong_app.status_code == 400, wrong_app.text
        not_json = await http.post("/api/v1/redeem", content=b"{")
        assert not_json.status_code == 400
        assert not_json.json()["error"]["code"] == "bad_request"
        no_token = await http.post("/api/v1/keys", json={"appId": RW})
        assert no_token.status_code == 401
        wrong_token = await http.post(
            "/api/v1/keys", json={"appId": RW}, headers={"Authorization": "Bearer nope"}
        )
        assert wrong_token.status_code == 401
        unknown_app = await http.post(
            "/api/v1/keys", json={"appId": "App.Nope"}, headers={"Authorization": f"Bearer {ADMIN}"}
        )
        assert 400 <= unknown_app.status_code < 500, unknown_app.text
    # and through the App Center: a key the backend never issued is the edge's clear 404
    api = await vendor_edge(tmp_path / "edge", node.url)
    try:
        response = await install(api, never_issued)
        assert response.status_code == 404, response.text
        assert "never issued" in response.json()["error"]["message"]
        assert (await apps(api))[RW]["installed"] is False
    finally:
        await api.client.aclose()
        await api.edge.stop()


async def test_two_edges_racing_for_one_key_on_two_nodes_one_wins(fleet: Fleet) -> None:
    node_a, node_b = await licence_node(fleet), await licence_node(fleet, admin_token=None)
    key = await issue(node_a)
    async with httpx.AsyncClient(timeout=10) as http:
        answers = await asyncio.gather(
            *(
                http.post(
                    f"{node.url}/api/v1/redeem", json={"key": key, "appId": RW, "edgeId": edge}
                )
                for node, edge in ((node_a, "edge-1"), (node_b, "edge-2")) * 4
            )
        )
        statuses = sorted({a.status_code for a in answers})
        winners = {a.json()["licence"]["edgeId"] for a in answers if a.status_code == 200}
        assert statuses == [200, 409] and len(winners) == 1
        # issuing is off on a node without an admin token, with the licence server's answer
        off = await http.post(
            f"{node_b.url}/api/v1/keys", json={"appId": RW}, headers={"Authorization": "Bearer x"}
        )
        assert off.status_code == 403 and off.json()["error"]["code"] == "issuing_disabled"


async def test_backend_issue_key_writes_into_the_database(
    fleet: Fleet, capsys: pytest.CaptureFixture[str]
) -> None:
    node = await licence_node(fleet, admin_token=None)  # no token: the command is the way
    database = fleet.engines.postgres.url
    command = ["backend", "issue-key", "--database", database, "--app", RW]
    assert await asyncio.to_thread(main, command) == 0
    key = capsys.readouterr().out.splitlines()[-1]
    assert (await redeem(node, key, "edge-cli"))["licence"]["edgeId"] == "edge-cli"
    unknown = ["backend", "issue-key", "--database", database, "--app", "App.Nope"]
    with pytest.raises(SystemExit, match=r"App\.Nope"):
        await asyncio.to_thread(main, unknown)
    with pytest.raises(SystemExit, match="needs --app"):
        await asyncio.to_thread(main, unknown[:-2])
