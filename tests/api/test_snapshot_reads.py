"""Reads come from the last finished cycle's snapshot: never older, never torn, never another
role's answer, and a single-channel GET does the same work however many channels exist."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.api import test_websocket as ws_tests
from tests.api.conftest import ADMIN, GUEST, OWNER, Api, basic, demo_with_write_access
from tests.api.ws_support import WsClient
from wattkeeper.core.channel import AccessMode, ChannelDoc, ChannelType
from wattkeeper.core.component import Component
from wattkeeper.core.snapshot import rest_value
from wattkeeper.edge.app import Edge

SECRET = ChannelDoc("Secret", ChannelType.STRING, text="owners only", private=True)
OPEN = ChannelDoc("Open", ChannelType.INTEGER)
TWIN_A = ChannelDoc("TwinA", ChannelType.LONG)
TWIN_B = ChannelDoc("TwinB", ChannelType.LONG)


class Vault(Component):
    """A component with one private channel and one anybody may read."""

    def __init__(self) -> None:
        super().__init__("vault0")
        self.declare(SECRET, OPEN)
        self.set(SECRET, "owner's eyes only")
        self.set(OPEN, 7)


class Twins(Component):
    """Two channels that carry the same number in every process image."""

    def __init__(self) -> None:
        super().__init__("twins0")
        self.declare(TWIN_A, TWIN_B)
        self.count = 0

    def before_process_image(self, now: float) -> None:
        self.count += 1
        self.set(TWIN_A, self.count)
        self.set(TWIN_B, self.count)


def readable(api: Api) -> dict[str, Any]:
    """What `.*/.*` must answer right after a cycle: every channel's value as it is now."""
    return {
        ch.address: json.loads(rest_value(ch.value, ch.doc.type.is_integral))
        for ch in api.edge.manager.all_channels()
        if ch.doc.access is not AccessMode.WRITE_ONLY and not ch.doc.private
    }


async def values(api: Api, path: str, auth: dict[str, str] = GUEST) -> dict[str, Any]:
    body = (await api.get(path, auth)).json()
    return {c["address"]: c.get("value") for c in (body if isinstance(body, list) else [body])}


async def test_every_read_shows_the_last_finished_cycle(api: Api) -> None:
    for _ in range(3):
        api.step()
        answer, expected = await values(api, "/rest/channel/.*/.*"), readable(api)
        assert {a: v for a, v in answer.items() if a in expected} == expected


async def test_a_write_is_read_back_from_the_next_cycle(api: Api) -> None:
    before = await api.value("ctrlApiRest0/ApiWorkerLog")
    assert (await api.post("ess0/SetActivePowerEquals", {"value": 3000})).status_code == 200
    # the same cycle's reads are the same (no half-applied view) ...
    assert await api.value("ctrlApiRest0/ApiWorkerLog") == before
    api.step()
    # ... and the next cycle's show the write
    assert await api.value("ctrlApiRest0/ApiWorkerLog") == "ess0/SetActivePowerEquals:3000"
    assert await api.value("ctrlApiRest0/OverrideActive") == 1


async def test_the_cache_never_crosses_roles(api: Api) -> None:
    api.edge.manager.add(Vault())
    api.step()
    # the owner asks first, so the answers for the query are cached for this cycle ...
    owner = await values(api, "/rest/channel/.*/.*", OWNER)
    assert owner["vault0/Secret"] == "owner's eyes only"
    owner_vault = await values(api, "/rest/channel/vault0/.*", OWNER)
    assert owner_vault.keys() >= {"vault0/Secret", "vault0/Open"}
    # ... and a guest asking the same in the same cycle still gets the guest's answer
    for path in ("/rest/channel/.*/.*", "/rest/channel/vault0/.*", "/rest/channel/vault./Se.*t"):
        guest = (await api.get(path, GUEST)).text
        assert "Secret" not in guest and "owner's eyes" not in guest
    assert "vault0/Open" in await values(api, "/rest/channel/vault0/.*")
    denied = await api.get("/rest/channel/vault0/Secret", GUEST)
    assert denied.status_code == 403 and "needs role owner" in denied.json()["error"]["message"]
    assert (await values(api, "/rest/channel/vault0/Secret", ADMIN))["vault0/Secret"]
    # and the other way round: a guest first, then the owner
    api.step()
    assert "Secret" not in (await api.get("/rest/channel/vault0/.*", GUEST)).text
    assert "vault0/Secret" in await values(api, "/rest/channel/vault0/.*", OWNER)


#: the websocket tests' real server on loopback (fake-clock edge)
live = ws_tests.live


async def test_the_websocket_shows_a_guest_null_for_a_private_channel(live: ws_tests.Live) -> None:
    runner, port = live.runner, live.port
    runner.edge.manager.add(Vault())
    channels = ["vault0/Secret", "vault0/Open"]
    async with (
        connect(f"ws://127.0.0.1:{port}/websocket") as owner_ws,
        connect(f"ws://127.0.0.1:{port}/websocket") as guest_ws,
    ):
        owner, guest = WsClient(owner_ws), WsClient(guest_ws)
        await owner.login("owner")
        await guest.login("user")
        for client in (owner, guest):
            await client.edge("subscribeChannels", {"count": 2, "channels": channels})
        runner.step()
        seen = {}
        for name, client in (("owner", owner), ("guest", guest)):
            seen[name] = (await client.receive())["params"]["payload"]["params"]
        assert seen["owner"] == {"vault0/Secret": "owner's eyes only", "vault0/Open": 7}
        assert seen["guest"] == {"vault0/Secret": None, "vault0/Open": 7}


@pytest.mark.slow
async def test_reads_are_never_torn_while_the_cycle_runs(tmp_path: Path) -> None:
    """A real edge on loopback cycling every 10 ms; four clients read both twins as fast as they
    can: every answer holds two equal numbers that never go backwards."""
    site = demo_with_write_access()
    site.edge.ports, site.edge.host, site.edge.period_ms = [0], "127.0.0.1", 10
    edge = Edge(site, tmp_path / "data")
    twins = Twins()
    edge.manager.add(twins)
    await edge.start()
    task = asyncio.create_task(edge.cycle.run_forever())
    servers = await edge.start_servers()
    url = f"http://127.0.0.1:{servers.bound[0]}/rest/channel/twins0/Twin."

    async def reader() -> int:
        last = 0
        async with httpx.AsyncClient(headers=GUEST) as client:
            while twins.count < 40:
                body = (await client.get(url)).json()
                a, b = (c["value"] for c in body)
                assert a == b and a >= last, body
                last = a
        return last

    try:
        async with asyncio.timeout(20):
            finals = await asyncio.gather(*(reader() for _ in range(4)))
        assert min(finals) > 1
    finally:
        await edge.stop_servers(servers)
        await edge.stop()
        await task


# -- the work of one GET, counted -----------------------------------------------------------------
class Extra(Component):
    def __init__(self, cid: str, docs: list[ChannelDoc]) -> None:
        super().__init__(cid)
        self.declare(*docs)


def bytecodes(call: Callable[[], Any], before: Callable[[], Any]) -> int:
    """Python bytecode instructions executed by `call()` (every frame it enters), after an
    untraced `before()`."""
    count = 0
    before()

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        frame.f_trace_opcodes = True
        if event == "opcode":
            count += 1
        return trace

    sys.settrace(trace)
    try:
        call()
    finally:
        sys.settrace(None)
    return count


def get_once(api: Api, path: str) -> Callable[[], None]:
    """One GET through the REST app, driven without an event loop (nothing in it waits)."""
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "headers": [(b"authorization", basic("user")["Authorization"].encode())],
        "client": ("127.0.0.1", 50000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    def run() -> None:
        coroutine = api.edge.asgi.rest(scope, receive, send)
        with pytest.raises(StopIteration):
            coroutine.send(None)
        assert sent[-1]["body"] and sent[0]["status"] == 200
        sent.clear()

    return run


async def test_a_single_channel_get_does_not_grow_with_10000_more_channels(make_api) -> None:  # type: ignore[no-untyped-def]
    small, large = make_api(), make_api()
    docs = [ChannelDoc(f"Extra{i}", ChannelType.INTEGER) for i in range(100)]
    for n in range(100):
        large.edge.manager.add(Extra(f"extra{n}", docs))
    large.step()
    assert len(large.edge.manager.all_channels()) >= len(small.edge.manager.all_channels()) + 10_000
    work = {}
    for name, api in (("small", small), ("large", large)):
        assert (await api.get("/rest/channel/_sum/EssSoc")).status_code == 200  # login checked
        run = get_once(api, "/rest/channel/_sum/EssSoc")
        # a new snapshot each time (published untraced): no answer is cached from before
        work[name] = min(bytecodes(run, api.edge.cycle.snapshots.refresh) for _ in range(3))
    assert work["large"] <= work["small"] * 1.02, work
    # the counter of channel slots looked at says the same
    for api in (small, large):
        api.edge.api.reads.visited = 0
        api.edge.cycle.snapshots.refresh()
        get_once(api, "/rest/channel/_sum/EssSoc")()
        assert api.edge.api.reads.visited == 1


async def test_a_verified_credential_costs_a_lookup_until_its_password_changes(api: Api) -> None:
    auth = api.edge.api.auth
    assert (await api.get("/rest/channel/_sum/EssSoc", OWNER)).status_code == 200
    hashes = auth.hashes
    for _ in range(5):
        assert (await api.get("/rest/channel/_sum/EssSoc", OWNER)).status_code == 200
    assert auth.hashes == hashes  # no password hash for a credential verified before
    assert not any(b"owner" in key for key in auth._verified)  # digests only, no plaintext
    api.edge.users.set_password("owner", "n3w-secret")
    assert (await api.get("/rest/channel/_sum/EssSoc", OWNER)).status_code == 401
    new = basic("n3w-secret")
    assert (await api.get("/rest/channel/_sum/EssSoc", new)).status_code == 200
    hashes = auth.hashes
    assert (await api.get("/rest/channel/_sum/EssSoc", new)).status_code == 200
    assert auth.hashes == hashes


async def test_the_live_encoder_writes_what_the_snapshot_writes(api: Api) -> None:
    api.step()
    snapshot = api.edge.cycle.snapshots.current()
    encoder = api.edge.api.encoder
    for channel in api.edge.manager.all_channels():
        slot = snapshot.position(channel.address)
        assert slot is not None and encoder.one(channel) == snapshot.rest_json(slot)


async def test_channel_metadata_shows_a_guest_null_for_a_private_channel(
    live: ws_tests.Live,
) -> None:
    runner, port = live.runner, live.port
    runner.edge.manager.add(Vault())
    runner.step()  # the vault's values reach the process image
    ask = {"method": "getChannelsOfComponent", "params": {"componentId": "vault0"}}
    for password, secret in (("owner", "owner's eyes only"), ("user", None)):
        async with connect(f"ws://127.0.0.1:{port}/websocket") as socket:
            client = WsClient(socket)
            await client.login(password)
            answer = await client.edge(
                "componentJsonApi", {"componentId": "_componentManager", "payload": ask}
            )
            channels = {c["id"]: c for c in answer["result"]["channels"]}
            assert channels["Secret"]["value"] == secret
            assert channels["Open"]["value"] == 7
