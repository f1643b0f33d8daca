"""The MQTT worker process: paho-mqtt's client with its network thread, fed with batches over
stdin and reporting connection changes and received commands over stdout. It runs in its own
process so that paho's Python work never competes with the control loop for the GIL."""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import sys
import threading
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from wattkeeper.mqtt.frames import read_frame, write_frame

log = logging.getLogger("wattkeeper.mqtt.worker")

RECONNECT_MIN_S = 1  # paho doubles the wait after each failed attempt ...
RECONNECT_MAX_S = 60  # ... up to this
KEEPALIVE_S = 30
NICE = 10  # the worker's scheduling priority below the edge's


def encode(value: Any) -> bytes:
    """A channel value as OpenEMS sends it: the bare JSON value (`85`, `null`, `"text"`)."""
    if isinstance(value, bytes):
        return value
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return b"null"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value).encode()
    return json.dumps(value, separators=(",", ":")).encode()


class Worker:
    def __init__(self, setup: dict[str, Any]) -> None:
        self.setup = setup
        self._out = sys.stdout.buffer
        self._out_lock = threading.Lock()
        self.connected = threading.Event()
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=setup["client_id"], protocol=mqtt.MQTTv5
        )
        if setup["username"]:
            client.username_pw_set(setup["username"], setup["password"] or None)
        if setup["tls"]:
            client.tls_set(ca_certs=setup["ca_file"] or None)
        client.will_set(setup["status_topic"], "offline", qos=1, retain=True)
        client.reconnect_delay_set(RECONNECT_MIN_S, RECONNECT_MAX_S)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_connect_fail = self._on_connect_fail
        client.on_message = self._on_message
        self.client = client

    def emit(self, *event: Any) -> None:
        with self._out_lock:
            write_frame(self._out, event)

    def run(self) -> None:
        self.client.connect_async(self.setup["host"], self.setup["port"], KEEPALIVE_S)
        self.client.loop_start()
        stdin = sys.stdin.buffer
        while True:
            frame = read_frame(stdin)
            if frame is None or frame[0] == "stop":
                break
            if frame[0] == "publish":
                self._publish(frame[1])
            elif frame[0] == "send":
                self._send(*frame[1:])
        if self.connected.is_set():
            info = self.client.publish(self.setup["status_topic"], "offline", qos=1, retain=True)
            _wait(info, 1.0)
        self.client.disconnect()
        self.client.loop_stop()

    def _publish(self, batch: list[tuple[str, Any, bool, int]]) -> None:
        last = None
        lost = 0
        for topic, payload, retain, qos in batch:
            info = self.client.publish(topic, encode(payload), qos, retain)
            if info.rc == mqtt.MQTT_ERR_SUCCESS:
                last = info
            else:
                lost += 1  # the connection went away under this batch
        if lost:
            self.emit("lost", lost)
        if last is not None:
            _wait(last, 5.0)  # paho's own queue holds at most one batch

    def _send(self, topic: str, payload: bytes, qos: int, correlation: bytes | None) -> None:
        props = None
        if correlation is not None:
            props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
            props.CorrelationData = correlation
        self.client.publish(topic, payload, qos=qos, retain=False, properties=props)

    # -- paho's callbacks (its network thread) -------------------------------------------
    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        if reason.is_failure:
            self.emit("disconnected", f"broker refused the connection: {reason}")
            return
        for topic in self.setup["subscriptions"]:
            # retain-as-published: a command sent with the retain flag is seen as such at once,
            # not only when the broker replays it after a reconnect
            client.subscribe(topic, options=SubscribeOptions(qos=1, retainAsPublished=True))
        client.publish(self.setup["status_topic"], "online", qos=1, retain=True)
        self.connected.set()
        self.emit("connected")

    def _on_disconnect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any
    ) -> None:
        self.connected.clear()
        self.emit("disconnected", f"connection lost: {reason}")

    def _on_connect_fail(self, client: mqtt.Client, userdata: Any) -> None:
        address = f"{self.setup['host']}:{self.setup['port']}"
        self.emit("disconnected", f"cannot connect to {address}: retrying")

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        props = message.properties
        response = getattr(props, "ResponseTopic", None)
        correlation = getattr(props, "CorrelationData", None)
        self.emit(
            "received",
            message.topic,
            bytes(message.payload),
            bool(message.retain),
            response if isinstance(response, str) else None,
            bytes(correlation) if correlation is not None else None,
        )


def _wait(info: mqtt.MQTTMessageInfo, timeout: float) -> None:
    try:
        info.wait_for_publish(timeout)
    except (RuntimeError, ValueError):  # not queued, or the connection went away meanwhile
        log.debug("message %s not confirmed", info.mid)


def main() -> None:
    setup = read_frame(sys.stdin.buffer)
    if setup is None:
        return
    # publishing is best effort, the control loop is not: on a busy machine the scheduler
    # serves the edge's process first
    with contextlib.suppress(OSError):
        os.nice(NICE)
    with contextlib.suppress(BrokenPipeError):  # the edge went away
        Worker(setup).run()


if __name__ == "__main__":
    main()
