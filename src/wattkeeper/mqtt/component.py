"""`Controller.Api.MQTT`: ties the cycle's change tracker, the outbox, the broker link, Home
Assistant discovery and the command path together; reports its health in channels."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from wattkeeper.api.context import ApiContext
from wattkeeper.api.edge_config import edge_config
from wattkeeper.config.registry import BuildContext, Factory
from wattkeeper.core.channel import ChannelDoc, ChannelType
from wattkeeper.core.controller import Controller
from wattkeeper.core.events import CycleDone
from wattkeeper.core.state import Level, StateDoc
from wattkeeper.mqtt.commands import CommandGate, CommandRefused, RateLimit, Reply, check_size
from wattkeeper.mqtt.discovery import discovery_message, discovery_topic
from wattkeeper.mqtt.link import MqttLink
from wattkeeper.mqtt.outbox import Message, Outbox
from wattkeeper.mqtt.settings import MqttConfig
from wattkeeper.mqtt.topics import Topics
from wattkeeper.mqtt.tracker import ChangeTracker

log = logging.getLogger(__name__)

FACTORY_ID = "Controller.Api.MQTT"  # OpenEMS's factory id
OUTBOX_CAPACITY = 20_000  # messages kept while the broker is away (a few full snapshots)
MAX_PENDING = 16  # commands waiting for the event loop; more are refused at once

CONNECTED = ChannelDoc("Connected", ChannelType.BOOLEAN, text="1 while the broker is connected")
DROPPED = ChannelDoc(
    "MessagesDropped",
    ChannelType.LONG,
    text="Messages dropped since the start, oldest first, while the broker was away",
)
ACCEPTED = ChannelDoc("CommandsAccepted", ChannelType.LONG, text="…/set commands carried out")
REFUSED = ChannelDoc("CommandsRefused", ChannelType.LONG, text="…/set commands refused")
LAST_REFUSAL = ChannelDoc("LastRefusal", ChannelType.STRING, text="Why the last command failed")
BROKER_UNREACHABLE = StateDoc(
    "BrokerUnreachable", Level.WARNING, "The MQTT broker cannot be reached: retrying"
)


class MqttApi(Controller):
    nature_id = "ControllerApiMqtt"
    live_config = False  # a new broker or client id means a new connection: rebuilt
    config: MqttConfig

    def __init__(
        self, cid: str, alias: str, config: MqttConfig, api: Callable[[], ApiContext | None]
    ) -> None:
        super().__init__(cid, alias, config)
        self._api = api
        self.declare(CONNECTED, DROPPED, ACCEPTED, REFUSED, LAST_REFUSAL)
        self.declare_state(BROKER_UNREACHABLE)
        self.channel(CONNECTED).set_now(0)
        self.channel(DROPPED).set_now(0)
        self.channel(ACCEPTED).set_now(0)
        self.channel(REFUSED).set_now(0)
        self.topics = Topics.of(config.topic_prefix, config.client_id)
        self.outbox = Outbox(OUTBOX_CAPACITY)
        self.link: MqttLink | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ctx: ApiContext | None = None
        self._tracker: ChangeTracker | None = None
        self._commands: CommandGate | None = None
        self._limit: RateLimit | None = None
        self._pending = threading.BoundedSemaphore(MAX_PENDING)
        self._cleanup: list[Callable[[], None]] = []
        self._meta_due = True  # edgeConfig and discovery go with the next cycle
        self._dropped_seen = 0

    def run(self) -> None:
        return None  # publishing hangs off "cycle done"; commands go through the write gate

    # -- life ------------------------------------------------------------------------------
    async def start(self) -> None:
        ctx = self._api()
        if ctx is None:
            log.error("%s: no API context: the MQTT API stays off", self.id)
            return
        config = self.config
        self._ctx = ctx
        self._loop = asyncio.get_running_loop()
        self._tracker = ChangeTracker(ctx.manager, self.topics, config.persistence_priority)
        broker = config.broker
        self._commands = CommandGate(
            ctx.write_gate,
            ctx.auth.users.users.get,
            config.command_user,
            config.command_token.get_secret_value(),
            f"mqtt://{broker.host}:{broker.port}",
            lambda request, reason: ctx.audit.record_refusal(ctx.clock.time(), request, reason),
        )
        self._limit = RateLimit(ctx.clock)
        subscriptions = [self.topics.commands]
        if config.home_assistant:
            subscriptions.append(f"{config.discovery_prefix}/status")  # HA's birth message
        self.link = MqttLink(config, self.topics, self.outbox, self, subscriptions)
        self._cleanup.append(ctx.cycle.events.subscribe(self._on_cycle))
        ctx.configurator.listeners.append(self._config_changed)
        self._cleanup.append(lambda: _remove(ctx.configurator.listeners, self._config_changed))
        self.link.start()

    async def stop(self) -> None:
        for undo in self._cleanup:
            undo()
        self._cleanup.clear()
        link, self.link = self.link, None
        if link is not None:
            await asyncio.to_thread(link.stop)
        self.channel(CONNECTED).set_now(0)

    # -- the cycle: append only ------------------------------------------------------------
    def _on_cycle(self, event: CycleDone) -> None:
        ctx, tracker = self._ctx, self._tracker
        if ctx is None or tracker is None:
            return
        messages = tracker.collect(
            ctx.clock.monotonic(), int(event.timestamp * 1000), event.snapshot
        )
        if messages:
            self.outbox.put_all(messages)
        if self.outbox.dropped != self._dropped_seen:
            self._dropped_seen = self.outbox.dropped
            self.channel(DROPPED).set_now(self._dropped_seen)
        if self._meta_due and self._loop is not None:
            self._meta_due = False
            self._loop.call_soon(self._queue_meta)  # after the cycle, not inside it

    def _config_changed(self) -> None:
        self._meta_due = True

    def _queue_meta(self) -> None:
        """edgeConfig and the discovery message, built between cycles (both are large)."""
        ctx = self._ctx
        if ctx is None:
            return
        config = json.dumps(edge_config(ctx), separators=(",", ":")).encode()
        messages = [Message(self.topics.edge_config, config, retain=True, qos=1)]
        if self.config.home_assistant:
            discovery = discovery_message(
                ctx.manager, self.topics, ctx.edge_id, self.config.client_id
            )
            messages.append(
                Message(
                    discovery_topic(self.config.discovery_prefix, ctx.edge_id),
                    json.dumps(discovery, separators=(",", ":")).encode(),
                    retain=True,
                    qos=1,
                )
            )
        self.outbox.put_all(messages)

    # -- the link's events (its reader thread) ------------------------------------------
    def connected(self) -> None:
        if self._tracker is not None:
            self._tracker.full_requested = True  # a restarted broker may have lost everything
        self._meta_due = True
        self._from_thread(self._set_connected, True, "")

    def disconnected(self, reason: str) -> None:
        self._from_thread(self._set_connected, False, reason)

    def received(
        self,
        topic: str,
        payload: bytes,
        retained: bool,
        response_topic: str | None,
        correlation: bytes | None,
    ) -> None:
        props = (response_topic, correlation)
        if topic == f"{self.config.discovery_prefix}/status":
            if payload == b"online":
                self._meta_due = True  # Home Assistant restarted: it asks for discovery again
            return
        address = self.topics.address_of_command(topic)
        if address is None or not payload:
            return  # an empty payload clears a retained command: nothing to do
        try:
            check_size(payload)
            if self._limit is not None and not self._limit.allow():
                raise CommandRefused("too many commands: at most 5 per second, try again later")
            if not self._pending.acquire(blocking=False):
                raise CommandRefused("too many commands waiting: try again later")
        except CommandRefused as refusal:
            self._answer(Reply(address, False, error=str(refusal)), props)
            self._from_thread(self._count, False, str(refusal))
            return
        self._from_thread(self._command, address, payload, retained, props)

    # -- the event loop -------------------------------------------------------------------
    def _command(
        self, address: str, payload: bytes, retained: bool, props: tuple[str | None, bytes | None]
    ) -> None:
        try:
            assert self._commands is not None
            reply = self._commands.handle(address, payload, retained)
        finally:
            self._pending.release()
        if reply.ok:
            log.info("%s: command %s = %r accepted", self.id, address, reply.value)
        else:
            log.info("%s: command %s refused: %s", self.id, address, reply.error)
        self._count(reply.ok, reply.error)
        self._answer(reply, props)

    def _answer(self, reply: Reply, props: tuple[str | None, bytes | None]) -> None:
        link = self.link
        if link is None:
            return
        body = reply.payload()
        link.send_now(self.topics.reply(reply.address), body)
        response_topic, correlation = props
        if response_topic and "#" not in response_topic and "+" not in response_topic:
            link.send_now(response_topic, body, correlation)  # MQTT 5 request/response

    def _count(self, ok: bool, error: str) -> None:
        channel = self.channel(ACCEPTED if ok else REFUSED)
        channel.set_now(int(channel.value or 0) + 1)
        if not ok:
            self.channel(LAST_REFUSAL).set_now(error)

    def _set_connected(self, up: bool, reason: str) -> None:
        self.channel(CONNECTED).set_now(1 if up else 0)
        if up:
            self.clear_state(BROKER_UNREACHABLE)
        else:
            self.raise_state(BROKER_UNREACHABLE, f"{self.config.uri}: {reason}")

    def _from_thread(self, work: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(work, *args)


def _remove(listeners: list[Any], listener: Any) -> None:
    if listener in listeners:
        listeners.remove(listener)


def factory(api: Callable[[], ApiContext | None]) -> Factory:
    """The factory, bound to the running edge's API context (the composition root's)."""

    def build(cid: str, alias: str, config: Any, ctx: BuildContext) -> MqttApi:
        return MqttApi(cid, alias, config, api)

    return Factory(FACTORY_ID, MqttConfig, build, "MQTT API (OpenEMS topics, Home Assistant)")
