"""`…/set` commands: checked and bounded, then handed to the same write gate as REST, acting as
the wattkeeper user the app names; every answer, with the reason of a refusal, goes back on the
command's reply topic."""

from __future__ import annotations

import hmac
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wattkeeper.api.users import Role, User
from wattkeeper.config.overrides import StorageError
from wattkeeper.core.clock import Clock
from wattkeeper.core.errors import ChannelNotFound, ComponentNotFound, WriteRejected
from wattkeeper.core.writes import WriteGate, WriteRequest

MAX_PAYLOAD = 512  # bytes: a setpoint with a token fits many times over
RATE_PER_S = 5.0  # commands per second, on average ...
BURST = 20  # ... with this many at once
SOURCE = "mqtt"  # the audit log's `via`


class CommandRefused(Exception):
    """A command that is not carried out; the message says why (sent on the reply topic)."""


@dataclass(frozen=True)
class Reply:
    address: str
    ok: bool
    value: Any = None
    error: str = ""

    def payload(self) -> bytes:
        body: dict[str, Any] = {"address": self.address, "ok": self.ok, "value": self.value}
        if self.error:
            body["error"] = self.error
        return json.dumps(body, separators=(",", ":")).encode()


class RateLimit:
    """A token bucket: `RATE_PER_S` on average, `BURST` at once (used on one thread only)."""

    def __init__(self, clock: Clock, rate: float = RATE_PER_S, burst: int = BURST) -> None:
        self.clock = clock
        self.rate = rate
        self.burst = float(burst)
        self._tokens = float(burst)
        self._at = clock.monotonic()

    def allow(self) -> bool:
        now = self.clock.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True


def check_size(payload: bytes) -> None:
    if len(payload) > MAX_PAYLOAD:
        raise CommandRefused(f"command of {len(payload)} bytes is over the limit of {MAX_PAYLOAD}")


def parse_command(payload: bytes, token: str) -> Any:
    """The value of `5000`, `-3000.5`, `null` or `{"value": 5000, "token": "..."}`."""
    check_size(payload)
    try:
        data = json.loads(payload.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise CommandRefused("command is not UTF-8 text") from None
    except (ValueError, RecursionError):
        raise CommandRefused(
            'command is not JSON: send a number such as 5000, null to release, or {"value": 5000}'
        ) from None
    given: Any = None
    if isinstance(data, dict):
        unknown = sorted(set(data) - {"value", "token"})
        if unknown:
            raise CommandRefused(f"unknown key(s) {', '.join(unknown)}: only value and token")
        if "value" not in data:
            raise CommandRefused('command has no "value": send {"value": 5000}')
        given = data.get("token")
        data = data["value"]
    if isinstance(data, dict | list):
        raise CommandRefused("value must be a number, a string, true/false or null")
    if isinstance(data, float) and not math.isfinite(data):
        raise CommandRefused(f"value {data} is not a finite number")
    if token and not (isinstance(given, str) and hmac.compare_digest(given, token)):
        raise CommandRefused('command token missing or wrong: send {"value": …, "token": "…"}')
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(name)


class CommandGate:
    """Turns a command into a WriteRequest for the write gate, or a refusal saying why."""

    def __init__(
        self,
        write_gate: Callable[[], WriteGate | None],
        find_user: Callable[[str], User | None],
        command_user: str,
        token: str,
        remote: str,
    ) -> None:
        self.write_gate = write_gate
        self.find_user = find_user
        self.command_user = command_user
        self.token = token
        self.remote = remote

    def handle(self, address: str, payload: bytes, retained: bool) -> Reply:
        try:
            return Reply(address, True, self._write(address, payload, retained))
        except CommandRefused as refusal:
            return Reply(address, False, error=str(refusal))
        except (ComponentNotFound, ChannelNotFound, WriteRejected) as error:
            return Reply(address, False, error=str(error))
        except StorageError as error:
            return Reply(address, False, error=f"refused, nothing was changed: {error}")

    def _write(self, address: str, payload: bytes, retained: bool) -> Any:
        if retained:
            raise CommandRefused(
                "a retained command is not carried out (the broker would repeat it on every "
                "reconnect): publish it without the retain flag"
            )
        value = parse_command(payload, self.token)
        user = self._user()
        gate = self.write_gate()
        if gate is None:
            raise CommandRefused(
                "write access is not installed on this edge: install "
                "'App.Api.RestJson.ReadWrite' with its licence key in the App Center"
            )
        request = WriteRequest(address, value, user.name, user.role.wire, self.remote, SOURCE)
        return gate.write(request)

    def _user(self) -> User:
        if not self.command_user:
            raise CommandRefused(
                "commands are switched off: name a wattkeeper user (owner or above) as "
                "COMMAND_USER of the MQTT app"
            )
        user = self.find_user(self.command_user)
        if user is None:
            raise CommandRefused(f"COMMAND_USER '{self.command_user}' is not a wattkeeper user")
        if user.role < Role.OWNER:
            raise CommandRefused(
                f"COMMAND_USER '{user.name}' has role {user.role.wire}: commands need owner "
                "or above"
            )
        return user
