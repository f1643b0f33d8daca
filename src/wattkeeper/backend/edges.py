"""One connected edge on this node: its data into PostgreSQL, requests to it through NATS.

Subjects (see docs/fleet.md): `wk.edge.<id>.rpc` reaches the node holding edge <id>'s socket
(request/reply); `wk.edge.<id>.hello` announces a new socket, and a node still holding an older
one for the same edge closes it (the edge moved after its node was cut off)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import uuid
from typing import Any

from nats.aio.client import Client as Nats
from nats.aio.msg import Msg
from starlette.websockets import WebSocket, WebSocketDisconnect

from wattkeeper.backend.ingest import TABLES, BadData, rows_of
from wattkeeper.backend.store import FleetStore

log = logging.getLogger(__name__)

EDGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # one NATS subject token
REQUEST_TIMEOUT_S = 10.0


def rpc_subject(edge_id: str) -> str:
    return f"wk.edge.{edge_id}.rpc"


def hello_subject(edge_id: str) -> str:
    return f"wk.edge.{edge_id}.hello"


class EdgeSession:
    def __init__(
        self, ws: WebSocket, edge_id: str, store: FleetStore, nats: Nats, node_id: str
    ) -> None:
        self.ws = ws
        self.edge_id = edge_id
        self.store = store
        self.nats = nats
        self.node_id = node_id
        self.connection = uuid.uuid4().hex
        self.stored = 0
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._send_lock = asyncio.Lock()

    async def serve(self) -> None:
        rpc = await self.nats.subscribe(rpc_subject(self.edge_id), cb=self._on_request)
        hello = await self.nats.subscribe(hello_subject(self.edge_id), cb=self._on_hello)
        try:
            await self.nats.publish(hello_subject(self.edge_id), self.connection.encode())
            await self._send({"jsonrpc": "2.0", "method": "dataStored", "params": {"count": 0}})
            with contextlib.suppress(Exception):
                await self.store.set_online(self.edge_id, self.node_id)
            while True:
                text = await self.ws.receive_text()
                await self._on_message(text)
        except (WebSocketDisconnect, RuntimeError):
            pass  # the edge went away, or another node took it over
        finally:
            for sub in (rpc, hello):
                with contextlib.suppress(Exception):
                    await sub.unsubscribe()
            for future in self._pending.values():
                future.cancel()
            with contextlib.suppress(Exception):
                await self.store.set_offline(self.edge_id, self.node_id)

    async def _on_message(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        method = message.get("method")
        if method in TABLES:
            try:
                rows = rows_of(message.get("params"))
            except BadData as error:
                log.warning("edge %s sent bad %s: %s", self.edge_id, method, error)
                rows = []
            await self.store.insert(TABLES[method], self.edge_id, rows)
            self.stored += 1
            await self._send(
                {"jsonrpc": "2.0", "method": "dataStored", "params": {"count": self.stored}}
            )
        elif method is None and isinstance(message.get("id"), str):
            future = self._pending.pop(message["id"], None)
            if future is not None and not future.done():
                future.set_result(message)

    async def _send(self, body: dict[str, Any]) -> None:
        async with self._send_lock:
            await self.ws.send_text(json.dumps(body))

    async def request(self, user: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        """authenticatedRpc to the edge; the edge's answer (result or error)."""
        request_id = uuid.uuid4().hex
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        try:
            await self._send(
                {
                    "jsonrpc": "2.0",
                    "id": request_id,
                    "method": "authenticatedRpc",
                    "params": {"user": user, "payload": payload},
                }
            )
            return await asyncio.wait_for(future, REQUEST_TIMEOUT_S)
        finally:
            self._pending.pop(request_id, None)

    async def _on_request(self, msg: Msg) -> None:
        try:
            body = json.loads(msg.data)
            answer = await self.request(body["user"], body["payload"])
        except (TimeoutError, asyncio.CancelledError):
            answer = {"error": {"code": -32000, "message": f"edge {self.edge_id} did not answer"}}
        except Exception as error:  # the socket closed under the request
            answer = {"error": {"code": -32000, "message": f"edge {self.edge_id}: {error}"}}
        with contextlib.suppress(Exception):
            await msg.respond(json.dumps(answer).encode())

    async def _on_hello(self, msg: Msg) -> None:
        if msg.data.decode() != self.connection:
            log.info("edge %s connected elsewhere: closing this socket", self.edge_id)
            with contextlib.suppress(Exception):
                await self.ws.close(4000)
