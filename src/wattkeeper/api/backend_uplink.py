"""`Controller.Api.Backend`: the edge reports to a fleet backend and answers its requests.

After each cycle it hands that cycle's snapshot of the channel values to the uplink (a dict,
nothing else), on the API's event loop: with the cycle in its own thread, a sample is still one
cycle's values, and the uplink's asyncio objects are touched from their own loop only. The
websocket, the disk outbox and the backend's requests run beside the cycle. A backend request
runs through the edge's own JSON-RPC methods as the user and role the backend names, so a remote
setpoint goes through the one write gate and is held under its lease like any other."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import Field

from wattkeeper.api.context import ApiContext, RpcCall
from wattkeeper.api.errors import ApiError
from wattkeeper.api.rpc import Dispatcher
from wattkeeper.api.users import Role, User
from wattkeeper.config.registry import BuildContext, ComponentConfig, Factory
from wattkeeper.core.channel import ChannelDoc, ChannelType, History
from wattkeeper.core.controller import Controller, Priority
from wattkeeper.core.errors import ConfigError
from wattkeeper.core.events import CycleDone
from wattkeeper.uplink.link import EdgeLink, RequestError

log = logging.getLogger(__name__)

FACTORY_ID = "Controller.Api.Backend"
CONNECTED = ChannelDoc(
    "BackendConnected", ChannelType.BOOLEAN, text="1 while a backend is connected"
)
BUFFERED = ChannelDoc(
    "BackendBuffered", ChannelType.INTEGER, text="Messages waiting for the backend's confirmation"
)


class BackendConfig(ComponentConfig):
    apikey: str = Field(..., min_length=8, max_length=200, description="The edge's API key")
    uri: str = Field(
        "ws://127.0.0.1:8081/edge",
        description="Backend websocket URL; several, separated by commas, are tried in turn",
    )
    max_buffered: int = Field(
        100_000, alias="maxBuffered", ge=100, le=10_000_000, description="Outbox bound (messages)"
    )


class BackendController(Controller):
    nature_id = "ControllerApiBackend"
    priority = Priority.BALANCING - 50  # reads values; writes nothing

    def __init__(self, cid: str, alias: str, config: BackendConfig, ctx: BuildContext) -> None:
        super().__init__(cid, alias, config)
        self.declare(CONNECTED, BUFFERED)
        self._api: tuple[ApiContext, Dispatcher] | None = None
        uris = [u.strip() for u in config.uri.split(",") if u.strip()]
        for uri in uris:
            if not uri.startswith(("ws://", "wss://")):
                raise ConfigError(f"{cid}: property 'uri': {uri!r} is not a ws:// or wss:// URL")
        self.link = EdgeLink(
            uris,
            config.apikey,
            ctx.data_dir / f"{cid}-outbox.sqlite",
            self._handle,
            random.random,
            is_counter=self._is_counter,
            max_rows=config.max_buffered,
        )
        self._counters: set[str] = set()
        self._indexed: object = None
        self._unsubscribe: Callable[[], None] | None = None

    def attach(self, ctx: ApiContext, dispatcher: Dispatcher) -> None:
        """The composition root hands over the edge's JSON-RPC methods and its cycle events
        (again after every configuration change: subscribed once)."""
        self._api = (ctx, dispatcher)
        if self._unsubscribe is None:
            self._unsubscribe = ctx.cycle.events.subscribe(self._on_cycle)

    def _is_counter(self, address: str) -> bool:
        return address in self._counters

    def _on_cycle(self, event: CycleDone) -> None:
        snapshot = event.snapshot
        if snapshot is None:
            return
        index = snapshot.index
        if index is not self._indexed:
            self._indexed = index
            self._counters = {
                address
                for address, doc in zip(index.addresses, index.docs, strict=True)
                if doc.history is History.COUNTER
            }
        self.link.sample(snapshot.time, dict(zip(index.addresses, snapshot.values, strict=True)))

    def run(self) -> None:
        self.set(CONNECTED, self.link.connected_to is not None)
        self.set(BUFFERED, len(self.link.outbox))

    async def start(self) -> None:
        self.link.start()

    async def stop(self) -> None:
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()
        await self.link.stop()

    async def _handle(self, user: Mapping[str, Any], payload: Mapping[str, Any]) -> Any:
        if self._api is None:
            raise RequestError(-32000, "the edge is starting")
        dispatcher = self._api[1]
        method, params = payload.get("method"), payload.get("params", {})
        if not isinstance(method, str) or not isinstance(params, dict):
            raise RequestError(-32602, "payload needs a method and params")
        name, role = user.get("name", user.get("id")), user.get("role")
        if not isinstance(name, str) or not isinstance(role, str):
            raise RequestError(-32602, "user needs a name and a role")
        try:
            who = User(f"backend:{name}", Role.parse(role), "")
        except ConfigError as error:
            raise RequestError(-32602, str(error)) from None
        # a request from a user of the backend's UI websocket says so (`via`): it gets what the
        # edge's own websocket allows (getEdgeConfig for a guest); anything else is "backend"
        via = "backend-websocket" if user.get("via") == "websocket" else "backend"
        try:
            return await dispatcher.call(RpcCall(method, params, who, "backend", via))
        except ApiError as error:
            raise RequestError(error.code, error.message) from None


def _build(cid: str, alias: str, config: Any, ctx: BuildContext) -> BackendController:
    return BackendController(cid, alias, config, ctx)


FACTORY = Factory(FACTORY_ID, BackendConfig, _build, "Backend (online monitoring)")
