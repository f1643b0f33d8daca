"""Nobody can hoard connections: idle sockets make room, strangers must sign in, owners get in."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.api.conftest import OWNER
from tests.api.ws_support import WsClient
from tests.security.conftest import follow
from wattkeeper.api import http_protocol, websocket, ws_pool


def ws_url(edge) -> str:
    return f"ws://127.0.0.1:{edge.ports[0]}/websocket"


async def test_300_idle_sockets_do_not_keep_an_owner_out(start_edge, watch) -> None:
    edge = await start_edge()
    follow(edge, watch)
    idle = [await asyncio.open_connection("127.0.0.1", edge.ports[0]) for _ in range(300)]
    half = [await asyncio.open_connection("127.0.0.1", edge.ports[0]) for _ in range(20)]
    for _, writer in half:
        writer.write(b"GET /rest/channel/_sum/EssSoc HTTP/1.1\r\nHo")  # a head never finished
    mark = watch.mark()
    async with httpx.AsyncClient(base_url=edge.url, timeout=10) as client:
        for _ in range(3):
            response = await client.get("/rest/channel/_sum/EssSoc", headers=OWNER)
            assert response.status_code == 200
    assert len(edge.edge_servers.guard) <= http_protocol.ConnectionGuard().per_address + 1
    await edge.until(lambda: len(watch.since(mark)) >= 2)
    for _, writer in idle + half:
        writer.close()


async def test_300_unauthenticated_websockets_do_not_lock_anyone_out(start_edge) -> None:
    edge = await start_edge()
    strangers = [await connect(ws_url(edge)) for _ in range(300)]
    async with connect(ws_url(edge)) as ws:
        result = await WsClient(ws).login("owner")
        assert result["user"]["globalRole"] == "owner"
    assert edge.edge.asgi.websocket.pool.count(None) <= ws_pool.UNAUTHENTICATED
    for stranger in strangers:
        await stranger.close()


async def test_guests_cannot_take_the_owner_reserve(start_edge, monkeypatch) -> None:
    monkeypatch.setattr(ws_pool, "TOTAL", 6)
    monkeypatch.setattr(ws_pool, "GUESTS", 3)
    edge = await start_edge()
    guests = []
    for _ in range(3):
        ws = await connect(ws_url(edge))
        await WsClient(ws).login("user")
        guests.append(ws)
    extra = await connect(ws_url(edge))
    refused = await WsClient(extra).call("authenticateWithPassword", {"password": "user"})
    assert refused["error"]["code"] == 1003 and "kept for owners" in refused["error"]["message"]
    await extra.close()
    async with connect(ws_url(edge)) as ws:
        assert (await WsClient(ws).login("owner"))["user"]["globalRole"] == "owner"
    for ws in guests:
        await ws.close()


async def test_a_head_sent_too_slowly_is_cut_off(start_edge, monkeypatch) -> None:
    monkeypatch.setattr(http_protocol, "HEAD_TIMEOUT", 0.3)
    edge = await start_edge()
    reader, writer = await asyncio.open_connection("127.0.0.1", edge.ports[0])
    writer.write(b"GET /rest/channel/_sum/EssSoc HTTP/1.1\r\n")
    assert await asyncio.wait_for(reader.read(), 5) == b""  # closed by the server
    writer.close()


async def test_a_later_head_sent_too_slowly_is_cut_off_and_one_sent_in_time_is_answered(
    start_edge, monkeypatch
) -> None:
    monkeypatch.setattr(http_protocol, "HEAD_TIMEOUT", 0.3)
    edge = await start_edge()
    reader, writer = await asyncio.open_connection("127.0.0.1", edge.ports[0])
    auth = "Authorization: Basic eDp1c2Vy\r\n\r\n"  # x:user
    # a head in two parts, the second well within the deadline: answered
    writer.write(b"GET /rest/channel/_sum/EssSoc HTTP/1.1\r\nHost: edge\r\n")
    await asyncio.sleep(0.1)
    writer.write(auth.encode())
    assert (await asyncio.wait_for(reader.readuntil(b"\r\n"), 5)).startswith(b"HTTP/1.1 200")
    await asyncio.wait_for(reader.readuntil(b"}"), 5)
    # after the answer: the next head starts but never ends, and the deadline cuts it off
    # (uvicorn's keep-alive timeout, 5 s, stops counting once a head begins)
    writer.write(b"GET /rest/channel/_sum/EssSoc HTTP/1.1\r\n")
    assert await asyncio.wait_for(reader.read(), 5) == b""
    writer.close()


async def test_a_websocket_has_to_sign_in_in_time(start_edge, monkeypatch) -> None:
    monkeypatch.setattr(websocket, "AUTH_TIMEOUT", 0.3)
    edge = await start_edge()
    async with connect(ws_url(edge)) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


async def test_unauthenticated_sockets_may_only_authenticate(start_edge) -> None:
    edge = await start_edge()
    async with connect(ws_url(edge)) as ws:
        client = WsClient(ws)
        for method in ("getEdges", "edgeRpc", "subscribeChannels", "changePassword"):
            reply = await client.call(method, {"newPassword": "abcdefgh"})
            assert reply["error"]["code"] == 1003


async def test_websocket_messages_are_limited_in_size_and_rate(start_edge, monkeypatch) -> None:
    monkeypatch.setattr(websocket, "MESSAGE_BURST", 5)
    monkeypatch.setattr(websocket, "MESSAGE_RATE", 10.0)
    edge = await start_edge()
    async with connect(ws_url(edge), max_size=None) as ws:
        client = WsClient(ws)
        await client.login("owner")
        started = time.monotonic()
        ids = [await client.send("getEdges") for _ in range(15)]
        replies = [await client.receive(10) for _ in ids]
        assert [r["id"] for r in replies] == ids
        assert time.monotonic() - started >= 0.8  # 10 beyond the burst at 10 a second
        with pytest.raises(ConnectionClosed) as closed:
            await ws.send(json.dumps({"method": "getEdges", "pad": "x" * 300_000}))
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


async def test_a_stranger_sending_deep_json_gets_a_400(start_edge) -> None:
    edge = await start_edge()
    async with connect(ws_url(edge)) as ws:
        await ws.send("[" * 100_000 + "]" * 100_000)
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert "nested deeper" in reply["error"]["message"]
        result = await WsClient(ws).login("owner")  # the socket is still usable
        assert result["user"]["globalRole"] == "owner"
