"""A websocket client for tests: JSON-RPC requests with ids, notifications kept apart."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

from websockets.asyncio.client import ClientConnection

_ids = itertools.count(1)


class WsClient:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send(self, method: str, params: dict[str, Any] | None = None, **extra: Any) -> str:
        request_id = f"req-{next(_ids)}"
        message = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or {}}
        await self.ws.send(json.dumps({**message, **extra}))
        return request_id

    async def receive(self, timeout: float = 2.0) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout))

    async def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send one request; its reply must be the very next message."""
        request_id = await self.send(method, params)
        reply = await self.receive()
        assert reply.get("id") == request_id, reply
        return reply

    async def edge(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """`edgeRpc` to edge "0": the inner reply, or the outer error."""
        payload = {"jsonrpc": "2.0", "id": "inner", "method": method, "params": params or {}}
        reply = await self.call("edgeRpc", {"edgeId": "0", "payload": payload})
        if "error" in reply:
            return reply
        inner = reply["result"]["payload"]
        assert inner["id"] == "inner" and inner["jsonrpc"] == "2.0"
        return inner

    async def login(self, password: str) -> dict[str, Any]:
        reply = await self.call("authenticateWithPassword", {"password": password})
        assert "result" in reply, reply
        return reply["result"]

    async def silent(self, seconds: float = 0.3) -> bool:
        try:
            message = await asyncio.wait_for(self.ws.recv(), seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"unexpected message: {message}")
