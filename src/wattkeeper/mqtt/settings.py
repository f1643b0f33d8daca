"""The MQTT API's configuration (OpenEMS's property names) and the broker address it names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from wattkeeper.config.registry import ComponentConfig

Priority = Literal["VERY_LOW", "LOW", "MEDIUM", "HIGH", "VERY_HIGH"]
PRIORITY_ORDER: tuple[Priority, ...] = ("VERY_LOW", "LOW", "MEDIUM", "HIGH", "VERY_HIGH")
_SCHEMES = {"tcp": (1883, False), "mqtt": (1883, False), "ssl": (8883, True), "mqtts": (8883, True)}
_TOPIC_PART = r"^[^#+/\x00][^#+\x00]{0,99}$"  # no wildcards, not starting with '/'


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    tls: bool


def parse_uri(uri: str) -> Broker:
    """`tcp://host:1883`, `mqtt://…`, `ssl://host:8883` or `mqtts://…`; ValueError saying why."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise ValueError(f"broker URI '{uri}' must start with tcp://, mqtt://, ssl:// or mqtts://")
    if not parts.hostname:
        raise ValueError(f"broker URI '{uri}' names no host")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"broker URI '{uri}' has an invalid port") from None
    default_port, tls = _SCHEMES[scheme]
    return Broker(parts.hostname, port or default_port, tls)


class MqttConfig(ComponentConfig):
    uri: str = Field(
        "tcp://localhost:1883", description="Broker: tcp://host:1883 or ssl://host:8883"
    )
    client_id: str = Field(
        "edge0",
        alias="clientId",
        pattern=r"^[A-Za-z0-9_.-]{1,64}$",
        description="MQTT client id and the <id> of edge/<id>/...",
    )
    username: str = Field("", max_length=256)
    password: SecretStr = Field(SecretStr(""), max_length=256)
    topic_prefix: str = Field(
        "", alias="topicPrefix", description="Put before edge/<id>/... (empty: none)"
    )
    persistence_priority: Priority = Field(
        "VERY_LOW",
        alias="persistencePriority",
        description="Publish channels of this persistence priority or higher",
    )
    ca_file: str = Field(
        "", alias="caFile", description="PEM file of the CA that signed the broker (TLS)"
    )
    home_assistant: bool = Field(
        True, alias="homeAssistant", description="Publish Home Assistant discovery messages"
    )
    discovery_prefix: str = Field("homeassistant", alias="discoveryPrefix", pattern=_TOPIC_PART)
    command_user: str = Field(
        "",
        alias="commandUser",
        max_length=64,
        description="The wattkeeper user (owner or above) that /set commands act as; "
        "empty: commands are refused",
    )
    command_token: SecretStr = Field(
        SecretStr(""),
        alias="commandToken",
        max_length=256,
        description='When set, a command must carry it: {"value": 5000, "token": "..."}',
    )

    @field_validator("uri")
    @classmethod
    def _valid_uri(cls, uri: str) -> str:
        parse_uri(uri)
        return uri

    @field_validator("topic_prefix")
    @classmethod
    def _valid_prefix(cls, prefix: str) -> str:
        if prefix and ("#" in prefix or "+" in prefix or prefix.startswith("/")):
            raise ValueError("must not hold '#' or '+' or start with '/'")
        return prefix.rstrip("/")

    @property
    def broker(self) -> Broker:
        return parse_uri(self.uri)
