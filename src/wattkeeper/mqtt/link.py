"""The edge's side of the broker connection: a worker process runs paho-mqtt (mqtt/worker.py);
a thread here drains the outbox into it while the broker is connected, another one reports the
worker's events. Neither the cycle nor the event loop ever waits for the network, and paho's
per-message Python work runs in another process, away from the control loop's GIL."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Protocol

import wattkeeper
from wattkeeper.mqtt.frames import read_frame, write_frame
from wattkeeper.mqtt.outbox import Outbox
from wattkeeper.mqtt.settings import MqttConfig
from wattkeeper.mqtt.topics import Topics

log = logging.getLogger(__name__)

BATCH = 500  # messages per frame to the worker
STOP_WAIT_S = 5.0


class LinkEvents(Protocol):
    """What the link reports; called on the link's reader thread."""

    def connected(self) -> None: ...

    def disconnected(self, reason: str) -> None: ...

    def received(
        self,
        topic: str,
        payload: bytes,
        retained: bool,
        response_topic: str | None,
        correlation: bytes | None,
    ) -> None: ...


class MqttLink:
    def __init__(
        self,
        config: MqttConfig,
        topics: Topics,
        outbox: Outbox,
        events: LinkEvents,
        subscriptions: list[str],
    ) -> None:
        broker = config.broker
        self._setup = {
            "host": broker.host,
            "port": broker.port,
            "tls": broker.tls,
            "ca_file": config.ca_file,
            "client_id": config.client_id,
            "username": config.username,
            "password": config.password.get_secret_value(),
            "status_topic": topics.status,
            "subscriptions": subscriptions,
        }
        self.outbox = outbox
        self.events = events
        self.is_connected = threading.Event()
        self._stopping = threading.Event()
        self._write_lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._threads: list[threading.Thread] = []

    # -- life ------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the worker; it connects in the background (retried with backoff)."""
        source = str(Path(wattkeeper.__file__).resolve().parents[1])
        path = os.environ.get("PYTHONPATH", "")
        env = {**os.environ, "PYTHONPATH": source + (os.pathsep + path if path else "")}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "wattkeeper.mqtt.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self._write(self._setup)  # the password goes through the pipe, never the command line
        name = self._setup["client_id"]
        self._threads = [
            threading.Thread(target=self._drain, name=f"mqtt-out-{name}", daemon=True),
            threading.Thread(target=self._listen, name=f"mqtt-in-{name}", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Say "offline", disconnect and end the worker (blocking: run it off the loop)."""
        self._stopping.set()
        self.outbox.close()
        process = self._process
        if process is None:
            return
        try:
            self._write(("stop",))
            process.wait(STOP_WAIT_S)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        for thread in self._threads:
            thread.join(STOP_WAIT_S)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()

    def send_now(self, topic: str, payload: bytes, correlation: bytes | None = None) -> None:
        """A reply, not queued behind the channel values (lost if the broker is away)."""
        if self.is_connected.is_set():
            self._write(("send", topic, payload, 1, correlation))

    # -- threads ---------------------------------------------------------------------------
    def _write(self, frame: Any) -> None:
        process = self._process
        if process is None or process.stdin is None:
            return
        with self._write_lock:
            try:
                write_frame(process.stdin, frame)
            except (BrokenPipeError, ValueError, OSError):
                if not self._stopping.is_set():
                    log.error("the MQTT worker process is gone")

    def _drain(self) -> None:
        while not self._stopping.is_set():
            if not self.is_connected.wait(0.5):
                continue  # nothing is taken while the broker is away: the outbox bounds it
            batch = self.outbox.take(BATCH, 0.5)
            if batch:
                self._write(("publish", [(m.topic, m.payload, m.retain, m.qos) for m in batch]))

    def _listen(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        while True:
            try:
                event = read_frame(process.stdout)
            except (OSError, ValueError):
                event = None
            if event is None:
                break
            kind = event[0]
            if kind == "connected":
                self.is_connected.set()
                self.outbox.wake()
                self.events.connected()
            elif kind == "disconnected":
                self.is_connected.clear()
                if not self._stopping.is_set():
                    self.events.disconnected(event[1])
            elif kind == "received":
                self.events.received(*event[1:])
            elif kind == "lost":
                self.outbox.count_lost(event[1])
        self.is_connected.clear()
        if not self._stopping.is_set():
            self.events.disconnected("the MQTT worker process ended")
