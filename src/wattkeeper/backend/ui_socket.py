"""The OpenEMS UI websocket on a backend node: the edge's own web UI, for any edge of a user.

A fleet user signs in with their password (PostgreSQL) or with a token any node accepts;
`getEdges` lists their edges; `edgeRpc {edgeId, payload}` reaches the edge through NATS with the
user's role on THAT edge (read here from PostgreSQL, checked again on the edge). The edge pushes
nothing to a backend's users, so `subscribeChannels` inside `edgeRpc` is answered here: the node
asks the edge for the subscribed values about once a second (`getCurrentData`) and sends them as
`currentData`, as the edge's own socket does. Every input is bounded before it costs anything
(ADR 0155)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.websockets import WebSocket, WebSocketDisconnect

from wattkeeper.backend.edges import EDGE_ID
from wattkeeper.backend.errors import RpcError, parse_request

if TYPE_CHECKING:
    from wattkeeper.backend.node import BackendNode

log = logging.getLogger(__name__)

MAX_SOCKETS = 5000  # UI sockets on one node; more are told to come back later (1013)
MAX_MESSAGE = 64 * 1024  # bytes in one message from a browser; a larger one closes (1009)
MAX_CHANNELS = 1000  # per subscription: what the edge answers in one getCurrentData
MAX_ADDRESS = 200  # characters in one channel address
MAX_SUBSCRIPTIONS = 4  # edges with live values on one socket
MAX_LIVE_PER_USER = 8  # sockets with live values per user on one node
MAX_FAILED_SIGN_INS = 5  # per socket; then it is closed
SIGN_IN_TIMEOUT_S = 30.0
MESSAGE_RATE = 20.0  # requests per second per socket, after a burst
MESSAGE_BURST = 50
POLL_S = 1.0
ROLE_EVERY = 30  # polls between re-reads of the user's role on a subscribed edge
NOT_SIGNED_IN = 1003
NO_ACCESS = 1002


@functools.cache
def _index_html() -> str:
    return resources.files("wattkeeper.web").joinpath("static/index.html").read_text("utf-8")


async def edge_ui_page(request: Request) -> Response:
    """`/edges/<id>/`: the edge's own index.html; the UI reads the edge id from the path."""
    edge_id = request.path_params["edge_id"]
    if not EDGE_ID.match(edge_id):
        return JSONResponse({"error": "an edge id is 1 to 64 of A-Z a-z 0-9 _ -"}, 404)
    if not request.url.path.endswith("/"):  # the UI reads its edge from /edges/<id>/
        return RedirectResponse(f"/edges/{edge_id}/", 308)
    return HTMLResponse(_index_html())


@dataclass
class Subscription:
    channels: tuple[str, ...]
    role: str


class UiSockets:
    """The `/websocket` endpoint of a node, and how many live sessions each user has on it."""

    def __init__(self, node: BackendNode) -> None:
        self.node = node
        self.live: Counter[str] = Counter()
        self.poll_s = POLL_S
        self.open = 0

    async def session(self, ws: WebSocket) -> None:
        await ws.accept()
        if self.open >= MAX_SOCKETS:
            # accepted first: a close code tells the browser to retry, a bare HTTP 403 would not
            await ws.close(1013, "too many connections, try again later")
            return
        self.open += 1
        try:
            await UiSession(self, ws).run()
        finally:
            self.open -= 1


class UiSession:
    def __init__(self, sockets: UiSockets, ws: WebSocket) -> None:
        self.sockets = sockets
        self.node = sockets.node
        self.store = sockets.node.store
        self.ws = ws
        self.user: str | None = None
        self.token: str | None = None
        self.failed = 0
        self.subscriptions: dict[str, Subscription] = {}
        self._poller: asyncio.Task[None] | None = None
        self._live_user = ""
        self._send_lock = asyncio.Lock()
        self._clock = asyncio.get_running_loop().time
        self._opened = self._due = self._clock()

    async def run(self) -> None:
        try:
            while True:
                timeout = None
                if self.user is None:
                    timeout = max(0.0, self._opened + SIGN_IN_TIMEOUT_S - self._clock())
                try:
                    async with asyncio.timeout(timeout):
                        message = await self.ws.receive()
                except TimeoutError:
                    await self._close(1008, f"sign in within {SIGN_IN_TIMEOUT_S:.0f} s")
                    return
                if message["type"] == "websocket.disconnect":
                    return
                raw = message.get("text")
                data = raw.encode() if isinstance(raw, str) else message.get("bytes") or b""
                if len(data) > MAX_MESSAGE:
                    await self._close(1009, f"a message may have at most {MAX_MESSAGE} bytes")
                    return
                await self._pace()
                await self._send(await self.handle(data))
                if self.failed >= MAX_FAILED_SIGN_INS:
                    await self._close(1008, "too many failed sign-ins")
                    return
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass  # the browser went away
        finally:
            self._stop_live()

    async def _close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close(code, reason)

    async def _pace(self) -> None:
        """At most MESSAGE_RATE requests a second after a burst: an eager client is not read."""
        now = self._clock()  # each request moves the next one's earliest time on (GCRA)
        self._due = max(self._due, now - MESSAGE_BURST / MESSAGE_RATE) + 1 / MESSAGE_RATE
        if self._due > now:
            await asyncio.sleep(self._due - now)

    async def _send(self, body: dict[str, Any]) -> None:
        async with self._send_lock:
            await self.ws.send_text(json.dumps(body))

    async def handle(self, data: bytes) -> dict[str, Any]:
        request_id: Any = None
        try:
            request_id, method, params = parse_request(data, "the message")
            if params is None:
                raise RpcError(400, '"params" must be an object')
            result = await self.call(method, params)
        except RpcError as error:
            problem = {"code": error.code, "message": error.message, "data": []}
            return {"jsonrpc": "2.0", "id": request_id, "error": problem}
        except Exception as error:  # a bug in one request must not end the session
            log.exception("UI websocket request failed")
            problem = {"code": 1, "message": f"Internal error: {type(error).__name__}", "data": []}
            return {"jsonrpc": "2.0", "id": request_id, "error": problem}
        return {"jsonrpc": "2.0", "id": request_id, "result": result}

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        if method == "authenticateWithPassword":
            return await self._with_password(params)
        if method == "authenticateWithToken":
            return await self._with_token(params)
        if method == "logout":
            if self.token is not None:
                await self.store.revoke_token(self.token)
            self._stop_live()
            self.user = self.token = None
            self._opened = self._clock()  # signed out: sign in again in time, or go
            return {}
        user = self.user
        if user is None:
            raise RpcError(401, "Not authenticated: send authenticateWithPassword first", 1003)
        if method == "getEdges":
            search = params.get("query", params.get("search", ""))
            if not isinstance(search, str):
                raise RpcError(400, '"query" must be a string')
            return {
                "edges": [_openems_edge(e) for e in await self.store.edges_of(user, search[:100])]
            }
        if method == "getEdge":
            edge_id = _edge_id(params)
            edge = await self.store.edge_of(user, edge_id)
            if edge is None:
                raise RpcError(403, f"no access to edge {edge_id}", NO_ACCESS)
            return {"edge": _openems_edge(edge)}
        if method == "subscribeEdges":
            return {}
        if method == "edgeRpc":
            return await self._edge_rpc(user, params)
        raise RpcError(400, f"Unknown JSON-RPC method [{method}]")

    async def _with_password(self, params: dict[str, Any]) -> Any:
        name, password = params.get("username"), params.get("password")
        if not isinstance(password, str) or len(password) > 1000:
            raise RpcError(400, 'authenticateWithPassword needs a "password" string')
        if not isinstance(name, str) or not name or len(name) > 200:
            raise RpcError(400, 'the fleet backend needs a "username" besides the password')
        if not await self.store.check_user(name, password):
            self.failed += 1
            raise RpcError(401, "Authentication failed: wrong user or password", NOT_SIGNED_IN)
        return self._signed_in(name, await self.store.issue_token(name))

    async def _with_token(self, params: dict[str, Any]) -> Any:
        token = params.get("token")
        name = None
        if isinstance(token, str) and len(token) <= 200:
            name = await self.store.user_for_token(token)
        if name is None or not isinstance(token, str):
            self.failed += 1
            raise RpcError(401, "Authentication failed: unknown or expired token", NOT_SIGNED_IN)
        return self._signed_in(name, token)

    def _signed_in(self, name: str, token: str) -> dict[str, Any]:
        if self.user != name:
            self._stop_live()  # another user on this socket: nothing of the last one stays
        self.user, self.token, self.failed = name, token, 0
        # roles are per edge: no global role, and the UI asks `getEdge` for its edge's role
        user = {"id": name, "name": name, "hasMultipleEdges": True, "settings": {}}
        return {"token": token, "user": {**user, "globalRole": "guest"}, "edges": []}

    async def _edge_rpc(self, user: str, params: dict[str, Any]) -> Any:
        edge_id = _edge_id(params)
        payload = params.get("payload")
        if not isinstance(payload, dict) or not isinstance(payload.get("method"), str):
            raise RpcError(400, 'edgeRpc needs a "payload" object with a "method"')
        inner = payload.get("params") or {}
        if not isinstance(inner, dict):
            raise RpcError(400, '"params" of the payload must be an object')
        if payload["method"] == "subscribeChannels":
            result = await self._subscribe(user, edge_id, inner)
        else:
            result = await self.node.edge_rpc(user, edge_id, payload, via="websocket")
        answer = {"jsonrpc": "2.0", "id": payload.get("id"), "result": result or {}}
        return {"payload": answer}

    # -- live values -------------------------------------------------------------------------
    async def _subscribe(self, user: str, edge_id: str, params: dict[str, Any]) -> Any:
        channels = params.get("channels", [])
        if not isinstance(channels, list) or len(channels) > MAX_CHANNELS:
            raise RpcError(400, f'"channels" must be a list of at most {MAX_CHANNELS} addresses')
        if not all(isinstance(c, str) and 0 < len(c) <= MAX_ADDRESS for c in channels):
            raise RpcError(400, '"channels" must be channel addresses ("_sum/EssSoc")')
        if not channels:
            self.subscriptions.pop(edge_id, None)
            if not self.subscriptions:
                self._stop_live()
            return {}
        if edge_id not in self.subscriptions and len(self.subscriptions) >= MAX_SUBSCRIPTIONS:
            raise RpcError(
                429, f"live values of at most {MAX_SUBSCRIPTIONS} edges on one connection"
            )
        role = await self.store.role(user, edge_id)
        if role is None:
            raise RpcError(403, f"no access to edge {edge_id}", NO_ACCESS)
        if self._poller is None:
            if self.sockets.live[user] >= MAX_LIVE_PER_USER:
                raise RpcError(
                    429,
                    f"live values in at most {MAX_LIVE_PER_USER} windows per user at once: "
                    "close another one",
                )
            self.sockets.live[user] += 1
            self._live_user = user
            self._poller = asyncio.create_task(self._poll(), name=f"ui-live:{user}")
        self.subscriptions[edge_id] = Subscription(tuple(dict.fromkeys(channels)), role)
        return {}

    def _stop_live(self) -> None:
        self.subscriptions.clear()
        poller, self._poller = self._poller, None
        if poller is None:
            return
        poller.cancel()
        live = self.sockets.live
        live[self._live_user] -= 1
        if live[self._live_user] <= 0:
            del live[self._live_user]

    async def _poll(self) -> None:
        polls = 0
        while self.subscriptions:
            started = self._clock()
            try:
                if polls and polls % max(1, ROLE_EVERY) == 0:
                    await self._recheck_roles()
                subscribed = list(self.subscriptions.items())
                await asyncio.gather(*(self._poll_edge(e, s) for e, s in subscribed))
            except (WebSocketDisconnect, RuntimeError, OSError):
                return  # the socket closed: run() stops the rest
            except Exception:  # NATS or the database away for a moment: try again
                log.exception("live values")
            polls += 1
            await asyncio.sleep(max(0.0, self.sockets.poll_s - (self._clock() - started)))
        if self._poller is asyncio.current_task():
            self._stop_live()  # every subscribed edge's role was taken away: the slot is free

    async def _recheck_roles(self) -> None:
        for edge_id, subscription in list(self.subscriptions.items()):
            role = await self.store.role(self._live_user, edge_id)
            if role is None:
                self.subscriptions.pop(edge_id, None)
            else:
                subscription.role = role

    async def _poll_edge(self, edge_id: str, subscription: Subscription) -> None:
        who = {"id": self._live_user, "name": self._live_user, "role": subscription.role}
        request = {"method": "getCurrentData", "params": {"channels": list(subscription.channels)}}
        answer = await self.node.call_edge(edge_id, {**who, "via": "websocket"}, request)
        values = answer.get("result")
        if isinstance(values, dict) and self.subscriptions.get(edge_id) is subscription:
            current = {"jsonrpc": "2.0", "method": "currentData", "params": values}
            await self._send(
                {
                    "jsonrpc": "2.0",
                    "method": "edgeRpc",
                    "params": {"edgeId": edge_id, "payload": current},
                }
            )


def _edge_id(params: dict[str, Any]) -> str:
    edge_id = params.get("edgeId")
    if not isinstance(edge_id, str) or not EDGE_ID.match(edge_id):
        raise RpcError(400, '"edgeId" must be an edge id (1 to 64 of A-Z a-z 0-9 _ -)')
    return edge_id


def _openems_edge(edge: dict[str, Any]) -> dict[str, Any]:
    """An edge as OpenEMS's `getEdges`/`getEdge` describe it."""
    return {
        "id": edge["id"],
        "comment": edge["comment"],
        "producttype": "",
        "version": "",
        "role": edge["role"],
        "isOnline": edge["online"],
        "lastmessage": edge["lastSeen"],
    }
