"""The one write gate: every API (REST, JSON-RPC, websocket, Modbus, MQTT, the fleet backend)
hands a client's write to it; the gate validates it completely, audits it, holds it under the
API controller's lease and wakes the cycle. An API adapter only translates its protocol."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from wattkeeper.core.channel import Value


@dataclass(frozen=True, slots=True)
class WriteRequest:
    """What a client asked for, as it asked (`value` still raw JSON; None releases)."""

    address: str  # "ess0/SetActivePowerEquals"
    value: Any
    user: str
    role: str  # the user's role, e.g. "owner"
    remote: str  # the client's address
    source: str  # the API it came through: "rest", "jsonrpc", "websocket", ...

    @property
    def component_id(self) -> str:
        return self.address.partition("/")[0]

    @property
    def channel_id(self) -> str:
        return self.address.partition("/")[2]


@dataclass(frozen=True, slots=True)
class HeldWrite:
    address: str
    value: Value
    since: float  # wall time of the first write of this value
    role: str
    remote: str
    requested: Any = None  # what the client sent, when it was not exactly `value` (rounded)


#: Records an accepted write before it acts (when, the request, the validated value); raises
#: when it cannot, and the write is then refused.
AuditSink = Callable[[float, WriteRequest, Value], None]


class WriteGate(Protocol):
    """What an API controller with a lease (`Controller.Api.Rest.ReadWrite`) offers the APIs."""

    id: str
    alias: str

    def write(self, request: WriteRequest) -> Value:
        """Validate, audit, hold, wake; the accepted value. Raises ComponentNotFound,
        ChannelNotFound or WriteRejected (nothing applied), or the audit's error."""
        ...

    def validate(self, component_id: str, channel_id: str, raw: Any) -> Value:
        """Check a write completely and apply nothing (a request of several writes checks
        them all before the first is made). Raises as `write` does."""
        ...

    def held_writes(self) -> list[HeldWrite]: ...

    def remaining(self) -> float | None:
        """Seconds until the held writes expire (None: nothing held, or no timeout)."""
        ...

    def timeout_s(self) -> int: ...
