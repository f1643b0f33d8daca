"""A stateless backend node: edges' websockets in, users' JSON-RPC, PostgreSQL and NATS behind.

Everything a node knows lives in PostgreSQL (users, edges, roles, time series) or in the
sockets it holds; a request for an edge held elsewhere travels over NATS. Any number of nodes
run side by side behind a TCP load balancer."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import json
import logging
import time
import uuid
from typing import Any

import nats
import uvicorn
from nats.aio.client import Client as Nats
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket

from wattkeeper.backend import history
from wattkeeper.backend.dispatch import MAX_EDGES, MAX_SECONDS, Dispatch
from wattkeeper.backend.edges import EDGE_ID, REQUEST_TIMEOUT_S, EdgeSession, rpc_subject
from wattkeeper.backend.errors import RpcError, parse_request
from wattkeeper.backend.licences import FleetLicences, LicenceSettings
from wattkeeper.backend.store import FleetStore
from wattkeeper.backend.ui_socket import UiSockets, edge_ui_page
from wattkeeper.history import HistoryQueryError
from wattkeeper.licence_vendor.demo import demo_signing_key

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
RAW_DAYS = 8  # the raw window (7 days of queries) and a day to spare
AGGREGATE_DAYS = 10 * 366
LOGIN_CACHE_S = 60.0


class BackendNode:
    def __init__(
        self,
        store: FleetStore,
        bus: Nats,
        node_id: str | None = None,
        licences: FleetLicences | None = None,
    ) -> None:
        self.store = store
        self.licences = licences
        self.bus = bus
        self.node_id = node_id or uuid.uuid4().hex[:8]
        self.sessions: dict[str, EdgeSession] = {}
        self.dispatches: dict[str, Dispatch] = {}
        self._logins: dict[bytes, float] = {}
        self.ui = UiSockets(self)
        self.app = Starlette(
            routes=[
                WebSocketRoute("/edge", self.edge_socket),
                Route("/jsonrpc", self.jsonrpc, methods=["POST"]),
                *(licences.routes() if licences else []),  # the App Center's licence service
                # the edge's own monitoring UI for one edge, its requests through /websocket
                WebSocketRoute("/websocket", self.ui.session),
                Route("/edges/{edge_id}/", edge_ui_page, methods=["GET", "HEAD"]),
                Route("/edges/{edge_id}", edge_ui_page, methods=["GET", "HEAD"]),
                Mount("/ui", StaticFiles(packages=[("wattkeeper.web", "static")]), name="ui"),
                Mount("/", StaticFiles(packages=[("wattkeeper.backend", "static")], html=True)),
            ]
        )

    async def retention(self) -> None:
        """Drop partitions past their window, hourly; any node may, the store serialises it."""
        while True:
            await asyncio.sleep(3600)  # not at start: a restart loop must not hammer the DDL
            try:
                await self.store.drop_old_partitions(time.time(), RAW_DAYS, AGGREGATE_DAYS)
            except Exception:  # the database is away: try again next hour
                log.exception("retention")

    @classmethod
    async def open(
        cls,
        database: str,
        nats_url: str,
        node_id: str | None = None,
        licensing: LicenceSettings | None = None,
    ) -> BackendNode:
        """A node on these engines; licences are signed with the DEMO key unless told otherwise."""
        store = await FleetStore.open(database)
        licences = await FleetLicences.open(
            store.pool, licensing or LicenceSettings(demo_signing_key())
        )
        bus = await nats.connect(nats_url, name=f"wattkeeper-backend-{node_id or ''}")
        return cls(store, bus, node_id, licences)

    async def close_sockets(self) -> None:
        """Cancel dispatches (their edges are released), then close every edge's socket."""
        for dispatch in list(self.dispatches.values()):
            await dispatch.cancel()
        for session in list(self.sessions.values()):
            with contextlib.suppress(Exception):
                await session.ws.close(1001)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                while self.sessions:
                    await asyncio.sleep(0.01)

    async def close(self) -> None:
        await self.close_sockets()
        with contextlib.suppress(Exception):
            await self.bus.drain()
        await self.store.close()

    # -- edges --------------------------------------------------------------------------------
    async def edge_socket(self, ws: WebSocket) -> None:
        apikey = ws.headers.get("apikey", "")
        edge_id = await self.store.edge_for_key(apikey) if apikey else None
        if edge_id is None or not EDGE_ID.match(edge_id):
            await ws.close(4001)  # before accept: the handshake is refused with 403
            return
        await ws.accept()
        session = EdgeSession(ws, edge_id, self.store, self.bus, self.node_id)
        self.sessions[edge_id] = session
        try:
            await session.serve()
        finally:
            if self.sessions.get(edge_id) is session:
                del self.sessions[edge_id]

    async def call_edge(
        self, edge_id: str, user: dict[str, Any], payload: dict[str, Any]
    ) -> dict[str, Any]:
        """A request to the edge, wherever its socket is; {result} or {error}."""
        body = json.dumps({"user": user, "payload": payload}).encode()
        try:
            reply = await self.bus.request(rpc_subject(edge_id), body, REQUEST_TIMEOUT_S + 1)
        except NoRespondersError:
            return {"error": {"code": -32000, "message": f"edge {edge_id} is offline"}}
        except NatsTimeout:
            return {"error": {"code": -32000, "message": f"edge {edge_id} did not answer"}}
        answer = json.loads(reply.data)
        return answer if isinstance(answer, dict) else {"error": {"message": "bad answer"}}

    # -- users ----------------------------------------------------------------------------------
    async def _login(self, request: Request) -> str:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        try:
            name, _, password = base64.b64decode(token, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            name = password = ""
        if scheme.lower() != "basic" or not name:
            raise RpcError(401, "HTTP Basic authentication is required", 1003)
        key = hashlib.sha256(f"{name}\0{password}".encode()).digest()
        if self._logins.get(key, 0) > time.monotonic():
            return name
        if not await self.store.check_user(name, password):
            raise RpcError(401, "Authentication failed", 1003)
        self._logins[key] = time.monotonic() + LOGIN_CACHE_S
        return name

    async def jsonrpc(self, request: Request) -> Response:
        request_id: Any = None
        try:
            user = await self._login(request)
            body = await _bounded_body(request)
            request_id, method, params = parse_request(body, "the body")
            if params is None:
                raise RpcError(400, '"params" must be an object')
            result = await self._method(user, method, params)
        except RpcError as error:
            return JSONResponse(
                {"jsonrpc": "2.0", "id": request_id, "error": _error(error.code, error.message)},
                status_code=error.status,
            )
        return JSONResponse({"jsonrpc": "2.0", "id": request_id, "result": result})

    async def _method(self, user: str, method: str, params: dict[str, Any]) -> Any:
        if method == "getEdges":
            search = params.get("search", "")
            if not isinstance(search, str):
                raise RpcError(400, '"search" must be a string')
            return {"edges": await self.store.edges_of(user, search[:100])}
        if method == "edgeRpc":
            edge_id, payload = params.get("edgeId"), params.get("payload")
            if not isinstance(edge_id, str) or not isinstance(payload, dict):
                raise RpcError(400, "edgeRpc needs an edgeId and a payload object")
            return await self.edge_rpc(user, edge_id, payload)
        if method == "dispatch":
            return await self._dispatch(user, params)
        if method in ("getDispatch", "cancelDispatch"):
            dispatch = self.dispatches.get(str(params.get("id")))
            if dispatch is None or dispatch.created_by != user:
                raise RpcError(404, f"no dispatch {params.get('id')!r} on this node")
            if method == "cancelDispatch":
                await dispatch.cancel()
            return dispatch.record()
        raise RpcError(400, f"Unknown JSON-RPC method [{method}]")

    async def _role(self, user: str, edge_id: str) -> str:
        role = await self.store.role(user, edge_id)
        if role is None:  # the same answer whether the edge exists or not
            raise RpcError(403, f"no access to edge {edge_id}", 1002)
        return role

    async def edge_rpc(
        self, user: str, edge_id: str, payload: dict[str, Any], via: str | None = None
    ) -> Any:
        """`payload` for the edge as `user` with their role on it; `via="websocket"` tells the
        edge the request comes from a UI (it then allows what its own websocket allows)."""
        role = await self._role(user, edge_id)
        method = payload.get("method")
        inner = payload.get("params") or {}
        if method in history.METHODS and isinstance(inner, dict):
            try:
                return await history.query(self.store, edge_id, method, inner, time.time())
            except HistoryQueryError as error:
                raise RpcError(400, str(error)) from None
        who = {"id": user, "name": user, "role": role}
        if via is not None:
            who["via"] = via
        answer = await self.call_edge(edge_id, who, payload)
        problem = answer.get("error")
        if isinstance(problem, dict):
            raise RpcError(400, str(problem.get("message")), int(problem.get("code", 1)))
        return answer.get("result")

    async def _dispatch(self, user: str, params: dict[str, Any]) -> Any:
        edges, value, seconds = params.get("edges"), params.get("value"), params.get("seconds")
        address = params.get("address", "ess0/SetActivePowerEquals")
        if (
            not isinstance(edges, list)
            or not edges
            or len(edges) > MAX_EDGES
            or not all(isinstance(e, str) for e in edges)
        ):
            raise RpcError(400, f'"edges" must be a list of 1 to {MAX_EDGES} edge ids')
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RpcError(400, '"value" must be a number (watts)')
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise RpcError(400, '"seconds" must be a number')
        if not 0 < seconds <= MAX_SECONDS:
            raise RpcError(400, f'"seconds" must be between 0 and {MAX_SECONDS}')
        if not isinstance(address, str) or address.count("/") != 1:
            raise RpcError(400, '"address" must be a channel address')
        roles = {e: await self.store.role(user, e) for e in dict.fromkeys(edges)}
        refused = [e for e, r in roles.items() if r not in ("owner", "installer", "admin")]
        if refused:  # all or nothing: a half-applied dispatch is worse than none
            raise RpcError(403, "no write access to edges " + ", ".join(refused[:20]), 1002)

        async def call(edge_id: str, payload: dict[str, Any]) -> dict[str, Any]:
            who = {"id": user, "name": user, "role": roles[edge_id]}
            return await self.call_edge(edge_id, who, payload)

        dispatch = Dispatch(user, list(roles), address, float(value), seconds, call, self.store)
        self.dispatches[dispatch.id] = dispatch
        dispatch.start()
        await dispatch.applied.wait()
        return dispatch.record()


async def _bounded_body(request: Request) -> bytes:
    """The body, read no further than MAX_BODY (a client's length header is not trusted)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise RpcError(413, f"request larger than {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _error(code: int, message: str) -> dict[str, Any]:
    return {"code": code, "message": message, "data": []}


class NodeServer:
    """A node served by uvicorn on `host:port` (0: a free port, known after `start`)."""

    def __init__(self, node: BackendNode, host: str = "127.0.0.1", port: int = 0) -> None:
        config = uvicorn.Config(
            node.app,
            host=host,
            port=port,
            log_level="warning",
            ws_max_size=4 * 1024 * 1024,
            lifespan="off",
            timeout_graceful_shutdown=3,  # a stuck request does not hold the node up
        )
        self.node = node
        self.host = host
        self.server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None
        self._retention: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        port: int = self.server.servers[0].sockets[0].getsockname()[1]
        return port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def edge_url(self) -> str:
        return f"ws://{self.host}:{self.port}/edge"

    async def start(self) -> None:
        self._retention = asyncio.create_task(self.node.retention())
        self._task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self._task.done():
                self._task.result()  # the bind failed: raise it here
            await asyncio.sleep(0.01)

    async def wait(self) -> None:
        if self._task is not None:
            await asyncio.shield(self._task)

    async def stop(self) -> None:
        if self._retention is not None:
            self._retention.cancel()
        await self.node.close_sockets()
        self.server.should_exit = True
        if self._task is not None:
            await self._task
        await self.node.close()


async def serve(
    database: str, nats_url: str, host: str, port: int, licensing: LicenceSettings | None = None
) -> int:
    """`wattkeeper backend`: run one node until SIGINT/SIGTERM."""
    node = await BackendNode.open(database, nats_url, licensing=licensing)
    server = NodeServer(node, host, port)
    await server.start()  # uvicorn turns SIGINT/SIGTERM into its own shutdown
    print(f"backend node {node.node_id} listening on {server.url}", flush=True)
    try:
        await server.wait()
    finally:
        await server.stop()
    return 0
