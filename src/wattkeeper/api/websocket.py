"""The OpenEMS UI websocket: JSON-RPC 2.0 with token sessions, `edgeRpc` and `currentData`.

Requests on one connection are handled one after another, so replies leave in request order.
A single sender task per connection writes replies, `edgeConfig` and `currentData`; the cycle
never touches a socket (see live.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from wattkeeper import __version__
from wattkeeper.api.context import ApiContext, RpcCall
from wattkeeper.api.edge_config import edge_config
from wattkeeper.api.errors import NULL_ID, ApiError, Code, bad_request
from wattkeeper.api.live import LiveHub, Outbox
from wattkeeper.api.rpc import Dispatcher, parse_request, success
from wattkeeper.api.users import Role, User
from wattkeeper.api.ws_pool import AUTH_TIMEOUT, MESSAGE_BURST, MESSAGE_RATE, SocketPool
from wattkeeper.core.channel import Channel

log = logging.getLogger(__name__)

EDGE_ID = "0"
#: The OpenEMS Edge release whose UI protocol we follow (ADR 0090). OpenEMS's UI switches
#: features on `edge.version` (`isVersionAtLeast("2023.1.2")` for licence keys, ...);
#: our own version is in `comment`.
OPENEMS_API_VERSION = "2026.4.0"
MAX_TOKENS = 10_000
MAX_SUBSCRIBED = 10_000
MAX_MESSAGE = 256 * 1024  # bytes in one message; larger ones close the socket (1009)
MAX_PENDING_REPLIES = 64  # a client that sends but never reads is not answered faster than it reads
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


class RawJson(str):
    """A result that is JSON text already: spliced into the reply, not encoded again."""


class TokenStore:
    """Session tokens in memory: random, bound to the user and to the password they proved."""

    def __init__(self) -> None:
        self._tokens: OrderedDict[str, tuple[str, str]] = OrderedDict()

    def issue(self, user: User) -> str:
        token = secrets.token_urlsafe(32)
        self._tokens[token] = (user.name, user.password_hash)
        while len(self._tokens) > MAX_TOKENS:
            self._tokens.popitem(last=False)
        return token

    def user(self, token: str, users: dict[str, User]) -> User | None:
        """None for an unknown token, or when the user is gone or changed their password."""
        entry = self._tokens.get(token)
        if entry is None:
            return None
        user = users.get(entry[0])
        if user is None or user.password_hash != entry[1]:
            self._tokens.pop(token, None)
            return None
        self._tokens.move_to_end(token)
        return user

    def revoke(self, token: str | None) -> None:
        if token is not None:
            self._tokens.pop(token, None)


class WebsocketApi:
    """The ASGI websocket endpoint, shared by `/` and `/websocket` on every port."""

    def __init__(self, ctx: ApiContext, dispatcher: Dispatcher) -> None:
        self.ctx = ctx
        self.dispatcher = dispatcher
        self.hub = LiveHub(ctx)
        self.tokens = TokenStore()
        self._config_cache: tuple[int, list[Channel], RawJson] | None = None
        self.pool = SocketPool()

    @property
    def connections(self) -> int:
        return len(self.pool)

    async def authenticate(self, username: str | None, password: str, remote: str) -> User:
        """Identical sign-ins in flight share one password check (see `Authenticator`)."""
        return await self.ctx.auth.authenticate_password(username, password, remote)

    async def session(self, websocket: WebSocket) -> None:
        await websocket.accept()
        connection = Connection(self, websocket)
        if not self.pool.join(connection):
            # accepted first: a close code tells the client to retry, a bare HTTP 403 would not
            await websocket.close(code=1013, reason="too many connections, try again later")
            return
        try:
            await connection.run()
        finally:
            self.pool.leave(connection)

    def edge_config_json(self) -> RawJson:
        """`getEdgeConfig`, encoded once per configuration change, whatever the connections."""
        # the manager replaces its channel list whenever channels come or go
        key = (self.hub.config_version, self.ctx.manager.all_channels())
        cached = self._config_cache
        if cached is None or cached[0] != key[0] or cached[1] is not key[1]:
            cached = (*key, RawJson(_dumps(edge_config(self.ctx))))
            self._config_cache = cached
        return cached[2]

    def edge_config_notification(self) -> str:
        payload = '{"jsonrpc":"2.0","method":"edgeConfig","params":' + self.edge_config_json() + "}"
        envelope = f'{{"jsonrpc":"2.0","method":"edgeRpc","params":{{"edgeId":"{EDGE_ID}",'
        return f'{envelope}"payload":{payload}}}}}'


class Connection:
    def __init__(self, api: WebsocketApi, websocket: WebSocket) -> None:
        self.api = api
        self.ctx = api.ctx
        self.websocket = websocket
        client = websocket.client
        self.remote = client.host if client else "unknown"
        self.user: User | None = None
        self.token: str | None = None
        self.outbox = Outbox()
        self.evicted: str | None = None
        loop = asyncio.get_running_loop()
        self._clock = loop.time
        self._connected_at = loop.time()
        self._tokens = float(MESSAGE_BURST)
        self._refilled = self._connected_at
        self._receiving: asyncio.Future[Any] = loop.create_future()

    def evict(self, reason: str) -> None:
        """Called by the pool to make room: the receive loop ends and the socket closes."""
        self.evicted = reason
        self._receiving.cancel()

    async def _receive(self) -> dict[str, Any] | None:
        """The next message; None when the socket has to go (evicted, or no sign-in in time)."""
        timeout = None
        if self.user is None:
            timeout = max(0.0, self._connected_at + AUTH_TIMEOUT - self._clock())
        self._receiving = asyncio.ensure_future(self.websocket.receive())
        try:
            async with asyncio.timeout(timeout):
                return dict(await self._receiving)
        except TimeoutError:
            self.evicted = f"sign in within {AUTH_TIMEOUT:.0f} s"
        except asyncio.CancelledError:
            if self.evicted is None:
                raise
        return None

    async def _pace(self) -> None:
        """At most MESSAGE_RATE requests a second after a burst: an eager client is not read."""
        now = self._clock()
        self._tokens = min(MESSAGE_BURST, self._tokens + (now - self._refilled) * MESSAGE_RATE)
        self._refilled = now
        if self._tokens < 1:
            await asyncio.sleep((1 - self._tokens) / MESSAGE_RATE)
            self._tokens = 1.0
            self._refilled = self._clock()
        self._tokens -= 1

    async def run(self) -> None:
        self.api.hub.attach(self.outbox)
        sender = asyncio.create_task(self._send_loop(), name=f"ws-send:{self.remote}")
        try:
            while True:
                message = await self._receive()
                if message is None:
                    with contextlib.suppress(Exception):
                        await self.websocket.close(code=1008, reason=self.evicted or "")
                    break
                if message["type"] == "websocket.disconnect":
                    break
                await self._pace()
                text = message.get("text")
                if text is None:
                    text = (message.get("bytes") or b"").decode("utf-8", "replace")
                self.outbox.reply(await self.handle(text))
                while len(self.outbox.replies) >= MAX_PENDING_REPLIES and not sender.done():
                    await asyncio.sleep(0.05)
                if sender.done():
                    break  # the socket is gone: nothing more can be answered
        except WebSocketDisconnect:
            pass
        finally:
            self.api.hub.detach(self.outbox)
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender

    async def _send_loop(self) -> None:
        outbox = self.outbox
        send = self.websocket.send_text
        try:
            while True:
                await outbox.ready.wait()
                outbox.ready.clear()
                while outbox.replies:
                    await send(outbox.replies.popleft())
                if outbox.config_changed:
                    outbox.config_changed = False
                    await send(self.api.edge_config_notification())
                while outbox.snapshots and outbox.channels:
                    await send(outbox.current_data(outbox.snapshots.popleft()))
                    if outbox.replies:
                        break  # a reply waiting: answer it before older live data
                if outbox.replies or (outbox.snapshots and outbox.channels):
                    outbox.ready.set()
        except (WebSocketDisconnect, RuntimeError, OSError):
            return  # closed under us; the receive loop ends too

    # -- requests ------------------------------------------------------------------------------
    async def handle(self, text: str) -> str:
        """The encoded reply: encoding inside the try, so even an unencodable result is answered."""
        request_id: Any = NULL_ID
        try:
            request_id, method, params = parse_request(text.encode())
            result = await self.call(method, params)
            if isinstance(result, RawJson):
                return f'{{"jsonrpc":"2.0","id":{_dumps(request_id)},"result":{result}}}'
            return _dumps(success(request_id, result))
        except ApiError as error:
            return _dumps(error.body(request_id))
        except Exception as error:  # a bug in one method must not end the session
            log.exception("websocket request failed")
            # the id came out of JSON (constants refused), so it can always be encoded again
            return _dumps(ApiError(500, f"Internal error: {type(error).__name__}").body(request_id))

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        if method == "authenticateWithPassword":
            return await self._authenticate_with_password(params)
        if method == "authenticateWithToken":
            return self._authenticate_with_token(params)
        if method == "logout":
            self.api.tokens.revoke(self.token)
            self.user, self.token = None, None
            self.outbox.private = False
            self.api.pool.sign_out(self)
            self._connected_at = self._clock()  # signed out: sign in again in time, or go
            self.api.hub.subscribe(self.outbox, [])
            return {}
        user = self._require_login()
        if method == "getEdges":
            return {"edges": [self._edge(user)]}
        if method == "getEdge":
            self._check_edge(params.get("edgeId", EDGE_ID))
            return {"edge": self._edge(user)}
        if method == "subscribeEdges":
            return {}
        if method == "edgeRpc":
            self._check_edge(params.get("edgeId"))
            payload = params.get("payload")
            if not isinstance(payload, dict):
                raise bad_request('edgeRpc needs a "payload" object')
            inner_id, inner_method, inner_params = parse_request(_dumps(payload).encode())
            result = await self.edge_call(user, inner_method, inner_params)
            if isinstance(result, RawJson):
                inner = f'{{"jsonrpc":"2.0","id":{_dumps(inner_id)},"result":{result}}}'
                return RawJson(f'{{"payload":{inner}}}')
            return {"payload": success(inner_id, result)}
        # a client talking to the edge directly may leave out the edgeRpc envelope
        return await self.edge_call(user, method, params)

    async def edge_call(self, user: User, method: str, params: dict[str, Any]) -> Any:
        if method == "subscribeChannels":
            self.api.hub.subscribe(self.outbox, _subscription(params))
            return {}
        if method == "getEdgeConfig":
            # any signed-in user may read it here (as in the Dispatcher for "websocket");
            # encoded once per configuration: fifty UIs reconnecting ask for it at once
            return self.api.edge_config_json()
        return await self.api.dispatcher.call(
            RpcCall(method, params, user, self.remote, "websocket")
        )

    async def _authenticate_with_password(self, params: dict[str, Any]) -> Any:
        password = params.get("password")
        username = params.get("username")
        if not isinstance(password, str):
            raise bad_request('authenticateWithPassword needs a "password" string')
        if username is not None and not isinstance(username, str):
            raise bad_request('"username" must be a string')
        user = await self.api.authenticate(username or None, password, self.remote)
        return self._login(user, self.api.tokens.issue(user))

    def _authenticate_with_token(self, params: dict[str, Any]) -> Any:
        token = params.get("token")
        user = (
            self.api.tokens.user(token, self.ctx.auth.users.users)
            if isinstance(token, str)
            else None
        )
        if user is None or not isinstance(token, str):
            raise ApiError(
                401, "Authentication failed: unknown or expired token", Code.AUTHENTICATION_FAILED
            )
        return self._login(user, token)

    def _login(self, user: User, token: str) -> dict[str, Any]:
        refused = self.api.pool.sign_in(self, user.role)
        if refused is not None:
            raise ApiError(429, f"Sign-in refused: {refused}", Code.AUTHENTICATION_FAILED)
        if self.token != token:
            self.api.tokens.revoke(self.token)
        self.user, self.token = user, token
        self.outbox.private = user.role >= Role.OWNER
        # OpenEMS's AuthenticateResponse as an edge sends it: one edge, so `edges` stays empty
        # (clients then ask `getEdges`) and `hasMultipleEdges` is false
        return {
            "token": token,
            "user": {
                "id": user.name,
                "name": user.name,
                "hasMultipleEdges": False,
                "settings": {},
                "globalRole": user.role.wire,
            },
            "edges": [],
        }

    def _require_login(self) -> User:
        if self.user is None:
            raise ApiError(
                401,
                "Not authenticated: send authenticateWithPassword or authenticateWithToken first",
                Code.AUTHENTICATION_FAILED,
            )
        return self.user

    def _check_edge(self, edge_id: Any) -> None:
        if edge_id not in (EDGE_ID, self.ctx.edge_id):
            raise ApiError(404, f'Unknown edge [{edge_id}]: this edge is "{EDGE_ID}"')

    def _edge(self, user: User) -> dict[str, Any]:
        return {
            "id": EDGE_ID,
            "comment": f"wattkeeper {__version__} ({self.ctx.edge_id})",
            "producttype": "wattkeeper",
            "version": OPENEMS_API_VERSION,
            "role": user.role.wire,
            "isOnline": True,
            "lastmessage": datetime.fromtimestamp(self.ctx.clock.time(), UTC).isoformat(),
        }


def _subscription(params: dict[str, Any]) -> list[str]:
    """`{count, channels}`; count (a number or a numeric string) is accepted and not needed."""
    count = params.get("count", 0)
    if isinstance(count, str):
        if not count.strip().lstrip("-").isdigit():
            raise bad_request(f'"count" must be a number, got "{count}"')
    elif isinstance(count, bool) or not isinstance(count, int | float):
        raise bad_request('"count" must be a number')
    channels = params.get("channels", [])
    if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
        raise bad_request('"channels" must be a list of channel addresses ("_sum/EssSoc")')
    if len(channels) > MAX_SUBSCRIBED:
        raise bad_request(f"at most {MAX_SUBSCRIBED} channels can be subscribed")
    return channels
