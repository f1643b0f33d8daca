"""The connection to the broker (paho-mqtt): credentials, TLS, a last will, reconnects with
paho's own backoff, and a thread that drains the outbox while connected — so neither the cycle
nor the event loop ever waits for the network."""

from __future__ import annotations

import json
import logging
import math
import threading
from typing import Any, Protocol

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from wattkeeper.mqtt.outbox import Message, Outbox
from wattkeeper.mqtt.settings import MqttConfig
from wattkeeper.mqtt.topics import Topics

log = logging.getLogger(__name__)

RECONNECT_MIN_S = 1  # paho doubles the wait after each failed attempt ...
RECONNECT_MAX_S = 60  # ... up to this
KEEPALIVE_S = 30
BATCH = 200  # messages handed to paho before waiting until they are on the wire


class LinkEvents(Protocol):
    """What the link reports; called on paho's network thread."""

    def connected(self) -> None: ...

    def disconnected(self, reason: str) -> None: ...

    def received(self, topic: str, payload: bytes, retained: bool, props: Any) -> None: ...


def encode(value: Any) -> bytes:
    """A channel value as OpenEMS sends it: the bare JSON value (`85`, `null`, `"text"`)."""
    if isinstance(value, bytes):
        return value
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return b"null"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value).encode()
    return json.dumps(value, separators=(",", ":")).encode()


class MqttLink:
    def __init__(
        self,
        config: MqttConfig,
        topics: Topics,
        outbox: Outbox,
        events: LinkEvents,
        subscriptions: list[str],
    ) -> None:
        self.broker = config.broker
        self.topics = topics
        self.outbox = outbox
        self.events = events
        self.subscriptions = subscriptions
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=config.client_id, protocol=mqtt.MQTTv5
        )
        if config.username:
            client.username_pw_set(config.username, config.password.get_secret_value() or None)
        if self.broker.tls:
            client.tls_set(ca_certs=config.ca_file or None)
        client.will_set(topics.status, "offline", qos=1, retain=True)
        client.reconnect_delay_set(RECONNECT_MIN_S, RECONNECT_MAX_S)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        self.client = client
        self.is_connected = threading.Event()
        self._stopping = threading.Event()
        self._worker = threading.Thread(
            target=self._drain, name=f"mqtt-publish-{config.client_id}", daemon=True
        )

    # -- life ------------------------------------------------------------------------------
    def start(self) -> None:
        """Connect in the background (a broker that is away is retried with backoff)."""
        self.client.connect_async(self.broker.host, self.broker.port, KEEPALIVE_S)
        self.client.loop_start()
        self._worker.start()

    def stop(self) -> None:
        """Say "offline", disconnect and join the threads (blocking: run it off the loop)."""
        self._stopping.set()
        self.outbox.close()
        if self.is_connected.is_set():
            info = self.client.publish(self.topics.status, "offline", qos=1, retain=True)
            _wait(info, 1.0)
        self.client.disconnect()
        self.client.loop_stop()
        self._worker.join(5.0)

    def send_now(
        self, topic: str, payload: bytes, qos: int = 1, props: Properties | None = None
    ) -> None:
        """A reply, not queued behind the channel values (lost if the broker is away)."""
        if self.is_connected.is_set():
            self.client.publish(topic, payload, qos=qos, retain=False, properties=props)

    # -- paho's callbacks (its network thread) -------------------------------------------
    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        if reason.is_failure:
            self.events.disconnected(f"broker refused the connection: {reason}")
            return
        for topic in self.subscriptions:
            # retain-as-published: a command sent with the retain flag is seen as such at once,
            # not only when the broker replays it after a reconnect
            client.subscribe(topic, options=SubscribeOptions(qos=1, retainAsPublished=True))
        client.publish(self.topics.status, "online", qos=1, retain=True)
        self.is_connected.set()
        self.outbox.wake()
        self.events.connected()

    def _on_disconnect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        self.is_connected.clear()
        if not self._stopping.is_set():
            self.events.disconnected(f"connection lost: {reason}")

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self.events.received(
            message.topic, bytes(message.payload), message.retain, message.properties
        )

    # -- the publishing thread --------------------------------------------------------------
    def _drain(self) -> None:
        while not self._stopping.is_set():
            if not self.is_connected.wait(0.5):
                continue  # nothing is taken while the broker is away: the outbox bounds it
            batch = self.outbox.take(BATCH, 0.5)
            if batch:
                self._publish(batch)

    def _publish(self, batch: list[Message]) -> None:
        last = None
        lost = 0
        for message in batch:
            info = self.client.publish(
                message.topic, encode(message.payload), message.qos, message.retain
            )
            if info.rc == mqtt.MQTT_ERR_SUCCESS:
                last = info
            else:
                lost += 1  # the connection went away under this batch
        if lost:
            self.outbox.count_lost(lost)
        if last is not None:
            _wait(last, 5.0)  # paho's own queue holds at most one batch


def _wait(info: mqtt.MQTTMessageInfo, timeout: float) -> None:
    try:
        info.wait_for_publish(timeout)
    except (RuntimeError, ValueError):  # not queued, or the connection went away meanwhile
        log.debug("message %s not confirmed", info.mid)
