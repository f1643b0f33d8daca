"""The ASGI application and the uvicorn servers that run it on one or more ports."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import socket
from collections.abc import Generator
from importlib import resources
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from wattkeeper.api.connections import ConnectionGuard
from wattkeeper.api.context import ApiContext
from wattkeeper.api.errors import ApiError
from wattkeeper.api.http_protocol import MAX_HEAD, GuardedH11Protocol
from wattkeeper.api.jsonrpc_http import JsonRpcEndpoint
from wattkeeper.api.limits import head_problem
from wattkeeper.api.openapi import openapi_document
from wattkeeper.api.rest import RestChannelApp
from wattkeeper.api.rpc import Dispatcher
from wattkeeper.api.websocket import MAX_MESSAGE, WebsocketApi

log = logging.getLogger(__name__)


class EdgeAsgiApp:
    """Routes `/rest/...` straight to the raw REST app; everything else to Starlette."""

    def __init__(self, ctx: ApiContext, extra_routes: list[Any] | None = None) -> None:
        self.ctx = ctx
        self.dispatcher = Dispatcher(ctx)
        self.rest = RestChannelApp(ctx)
        endpoint = JsonRpcEndpoint(ctx, self.dispatcher).handle
        self.websocket = WebsocketApi(ctx, self.dispatcher)
        routes: list[Any] = [
            Route("/jsonrpc", endpoint, methods=["POST"]),
            Route("/jsonrpc/", endpoint, methods=["POST"]),
            Route("/openapi.json", _openapi, methods=["GET"]),
            Route("/api-docs", _tryit, methods=["GET"]),
            *(extra_routes or []),
            # the OpenEMS UI protocol: ws://host:8085/, ws://host:8085/websocket, ws://host/websocket
            WebSocketRoute("/", self.websocket.session),
            WebSocketRoute("/websocket", self.websocket.session),
            # the monitoring UI: index.html at / (see __call__), assets under /ui/
            Mount("/ui", StaticFiles(packages=[("wattkeeper.web", "static")]), name="ui"),
        ]
        self.starlette = Starlette(
            routes=routes, exception_handlers={404: _not_found, 405: _not_allowed}
        )

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        problem = head_problem(scope) if scope["type"] in ("http", "websocket") else None
        if problem is not None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1009})
            else:
                await JSONResponse(problem.body(), problem.status)(scope, receive, send)
        elif scope["type"] == "http" and scope["path"].startswith("/rest/"):
            await self.rest(scope, receive, send)
        elif scope["type"] == "http" and scope["path"] == "/" and scope["method"] in _READS:
            await _ui_index()(scope, receive, send)
        else:
            await self.starlette(scope, receive, send)


async def _openapi(request: Any) -> Response:
    return JSONResponse(openapi_document())


async def _tryit(request: Any) -> Response:
    page = resources.files("wattkeeper.api").joinpath("tryit.html").read_text("utf-8")
    return HTMLResponse(page)


_READS = ("GET", "HEAD")


def _ui_index() -> Response:
    index = resources.files("wattkeeper.web").joinpath("static", "index.html")
    return FileResponse(str(index), headers={"Cache-Control": "no-cache"})


async def _not_found(request: Any, exc: Exception) -> Response:
    error = ApiError(404, f"Unknown endpoint [{request.url.path}]")
    return JSONResponse(error.body(), 404)


async def _not_allowed(request: Any, exc: Exception) -> Response:
    # Starlette's routes and static files name the allowed methods; every 405 says them
    allow = (getattr(exc, "headers", None) or {}).get("Allow", "GET, HEAD")
    error = ApiError(405, f"Method {request.method} is not allowed on [{request.url.path}]")
    return JSONResponse(error.body(), 405, headers={"Allow": allow})


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to `wattkeeper run` (several share a loop)
    and stops at once: uvicorn polls `should_exit` every 0.1 s and then sleeps 0.1 s more before
    closing, which made every stop (and every test's server) cost 0.2 s for nothing."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._exit = asyncio.Event()

    def exit_now(self) -> None:
        self.should_exit = True
        self._exit.set()

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield

    async def main_loop(self) -> None:
        # uvicorn's loop (0.54): on_tick refreshes the Date header when counter % 10 == 0 and
        # says whether to exit; here it runs once a second, or at once when asked to exit.
        while not await self.on_tick(0):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._exit.wait(), 1.0)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.server_state.connections or self.server_state.tasks:
            await super().shutdown(sockets)  # open connections get uvicorn's graceful close
            return
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for server in self.servers:
            await server.wait_closed()


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose protocol
    # says TCP; without it every keep-alive answer waits ~40 ms for a delayed ACK
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class HttpServers:
    """Runs one ASGI app on several ports; a port that cannot be bound is reported, not fatal,
    unless no port can be bound at all."""

    def __init__(self, app: Any, host: str, ports: list[int]) -> None:
        self.app = app
        self.host = host
        self.ports = ports
        self._servers: list[tuple[_Server, Any]] = []
        self.bound: list[int] = []
        self.guard = ConnectionGuard()  # shared by every port: the limits are per edge
        #: requested port → the port really bound (differs for port 0); failed ports are absent
        self.bound_by_request: dict[int, int] = {}

    async def start(self) -> list[int]:
        for port in self.ports:
            try:
                sock = bind_socket(self.host, port)
            except OSError as error:
                # uvicorn would sys.exit() on a bind error; one bad port must not stop the edge
                log.warning(
                    "cannot listen on %s:%d: %s%s",
                    self.host,
                    port,
                    error.strerror,
                    " (ports below 1024 need root or CAP_NET_BIND_SERVICE)" if port < 1024 else "",
                )
                continue
            config = uvicorn.Config(
                self.app,
                lifespan="off",
                log_level="warning",
                access_log=False,
                server_header=False,
                # limits, throttles and the audit log count the socket's peer: an
                # X-Forwarded-For from loopback (uvicorn's default trust) is not believed
                # (ADR 0050: behind a reverse proxy all clients share one address)
                proxy_headers=False,
                # h11, not httptools: it bounds a request head (ADR 0050)
                # uvicorn calls any protocol factory; its annotation only names classes
                http=functools.partial(GuardedH11Protocol, guard=self.guard),  # type: ignore[arg-type]
                h11_max_incomplete_event_size=MAX_HEAD,
                timeout_keep_alive=5,
                ws="websockets-sansio",
                ws_max_size=MAX_MESSAGE,
                ws_per_message_deflate=False,  # no decompression cost for a client to exploit
            )
            server = _Server(config)
            task = asyncio.create_task(server.serve(sockets=[sock]), name=f"http:{port}")
            while not server.started and not task.done():
                await asyncio.sleep(0.005)
            actual = int(sock.getsockname()[1])
            self._servers.append((server, task))
            self.bound.append(actual)
            self.bound_by_request.setdefault(port, actual)
            log.info("REST/JSON API on http://%s:%d/rest/channel/", self.host, actual)
        if not self.bound:
            raise OSError(f"could not listen on any of the ports {self.ports} on {self.host}")
        return self.bound

    async def stop(self) -> None:
        for server, _ in self._servers:
            server.exit_now()
        for _, task in self._servers:
            with contextlib.suppress(Exception):
                await task
        self._servers.clear()
