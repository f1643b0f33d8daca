"""Debian's mosquitto on a free loopback port with a generated configuration (password file,
no persistence), and a paho-mqtt client as the other side (Home Assistant's library too)."""

from __future__ import annotations

import getpass
import json
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

MOSQUITTO = shutil.which("mosquitto") or (
    "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
)
PASSWD = shutil.which("mosquitto_passwd")
USERS = {"edge": "edge-secret", "ha": "ha-secret"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mosquitto:
    def __init__(self, folder: Path, nice: int = 0) -> None:
        self.folder = folder
        self.nice = nice  # the benchmark lowers it: the broker stands for another machine
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        passwords = folder / "passwords"
        passwords.touch()
        for user, password in USERS.items():
            subprocess.run([PASSWD, "-b", str(passwords), user, password], check=True)
        self.config = folder / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous false\n"
            f"password_file {passwords}\n"
            "persistence false\n"  # a restart loses every retained message: the edge must resend
            f"user {getpass.getuser()}\n"
            f"log_dest file {folder / 'mosquitto.log'}\n"
        )

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def start(self) -> None:
        assert MOSQUITTO is not None
        command = [MOSQUITTO, "-c", str(self.config)]
        if self.nice:
            command = ["nice", "-n", str(self.nice), *command]
        self.process = subprocess.Popen(command)
        deadline = time.monotonic() + 10
        while True:  # a starting process: wait until it accepts connections
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError((self.folder / "mosquitto.log").read_text()) from None
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(5)
        self.process = None


class Watcher:
    """A subscriber: the last message of every topic it saw, and everything on some topics."""

    def __init__(self, broker: Mosquitto, *topics: str, user: str = "ha") -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.username_pw_set(user, USERS[user])
        self.last: dict[str, mqtt.MQTTMessage] = {}
        self.log: list[mqtt.MQTTMessage] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self._topics = topics
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = lambda *a: self._subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        if not self._subscribed.wait(5):
            raise TimeoutError("the test client could not subscribe")

    def _on_connect(self, client: mqtt.Client, *args: Any) -> None:
        client.subscribe([(t, 1) for t in self._topics])

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.last[message.topic] = message
            self.log.append(message)

    def json(self, topic: str) -> Any:
        with self._lock:
            return json.loads(self.last[topic].payload)

    def has(self, topic: str) -> bool:
        with self._lock:
            return topic in self.last

    def publish(self, topic: str, payload: bytes | str, retain: bool = False, **kw: Any) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain, **kw).wait_for_publish(5)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
