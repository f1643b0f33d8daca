"""What the API needs from the running edge, handed in by the composition root."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from wattkeeper.api.audit import AuditLog
from wattkeeper.api.auth import Authenticator
from wattkeeper.api.modbus.image import ProcessImage
from wattkeeper.api.reads import ChannelReads
from wattkeeper.api.serialize import ChannelEncoder
from wattkeeper.api.users import User
from wattkeeper.config.registry import Registry
from wattkeeper.config.runtime import Configurator
from wattkeeper.core.clock import Clock
from wattkeeper.core.cycle import Cycle
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.writes import WriteGate

RpcHandler = Callable[["RpcCall"], Awaitable[Any]]


@dataclass
class RpcCall:
    """One JSON-RPC request as seen by a method handler."""

    method: str
    params: dict[str, Any]
    user: User
    remote: str
    via: str  # "rest", "jsonrpc" or "websocket"


@dataclass
class ApiContext:
    manager: ComponentManager
    configurator: Configurator
    registry: Registry
    cycle: Cycle
    clock: Clock
    auth: Authenticator
    audit: AuditLog
    edge_id: str
    #: live channels as REST JSON (no cache; reads go through `reads`, ADR 0201)
    encoder: ChannelEncoder = field(default_factory=ChannelEncoder)
    #: extra JSON-RPC methods (history, app center, ...) registered by their subsystems
    methods: dict[str, RpcHandler] = field(default_factory=dict)
    #: componentJsonApi handlers by component id (`_appManager`, ...)
    component_methods: dict[str, RpcHandler] = field(default_factory=dict)

    #: the write gate, while write access is installed (found by the composition root)
    write_gate: Callable[[], WriteGate | None] = lambda: None
    #: the id of the REST API component (write or read-only), None while REST is switched off
    rest_api_id: Callable[[], str | None] = lambda: None
    #: the running Modbus/TCP APIs' register maps, by controller id
    modbus_images: Callable[[], dict[str, ProcessImage]] = dict

    def __post_init__(self) -> None:
        #: REST reads from the cycle's snapshots, cached per cycle, role and query
        self.reads = ChannelReads(self.cycle.snapshots)
