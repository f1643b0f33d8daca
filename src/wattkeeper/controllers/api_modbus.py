"""`Controller.Api.ModbusTcp.ReadOnly` / `ReadWrite`: the Modbus/TCP API's controllers.

The edge serves the register map for each of them (`api/modbus`); the write variant is a write
gate with its own lease (`apiTimeout`), as OpenEMS keeps one timer per API controller.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from wattkeeper.config.addresses import check_networks
from wattkeeper.config.registry import BuildContext, ComponentConfig, Factory
from wattkeeper.controllers.api_worker import ApiWorker
from wattkeeper.core.controller import Controller, Priority
from wattkeeper.core.state import Level, StateDoc

DEFAULT_PORT = 502
DEFAULT_MAX_CONNECTIONS = 5  # OpenEMS's DEFAULT_MAX_CONCURRENT_CONNECTIONS (its readme says 20)

UNABLE_TO_START = StateDoc(
    "UnableToStart", Level.FAULT, "The Modbus/TCP server could not bind its port"
)
COMPONENT_MISSING = StateDoc(
    "ComponentMissingFault", Level.FAULT, "A listed component is missing: it is left out"
)


class ReadOnlyConfig(ComponentConfig):
    port: int = Field(DEFAULT_PORT, ge=0, le=65_535, description="TCP port (0: any free port)")
    component_ids: list[str] = Field(
        ["_sum"],
        alias="component.ids",
        max_length=32,
        description="Components served, in this order (each is a register block)",
    )
    max_concurrent_connections: int = Field(
        DEFAULT_MAX_CONNECTIONS, alias="maxConcurrentConnections", ge=1, le=64
    )
    allowed_clients: list[str] = Field(
        [],
        alias="allowedClients",
        max_length=64,
        description="Client addresses or networks (CIDR) allowed to connect; empty: any",
    )

    @field_validator("allowed_clients")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        return check_networks(value)


class ReadWriteConfig(ReadOnlyConfig):
    api_timeout: int = Field(
        60, alias="apiTimeout", ge=0, le=86_400, description="Seconds; 0: never"
    )


class ModbusApiController(Controller):
    """Either variant; the edge runs a Modbus/TCP server for each one."""

    nature_id = "ModbusApi"
    priority = Priority.MODBUS_API
    #: the server is bound when the edge starts it: a new port means a new server
    config: ReadOnlyConfig

    def __init__(self, cid: str, alias: str, config: Any, ctx: BuildContext | None = None) -> None:
        super().__init__(cid, alias, config)
        self.declare_state(UNABLE_TO_START, COMPONENT_MISSING)
        self.listening_port: int | None = None

    def run(self) -> None:
        return None

    def listening(self, port: int | None, problem: str = "") -> None:
        self.listening_port = port
        if problem:
            self.raise_state(UNABLE_TO_START, problem)
        else:
            self.clear_state(UNABLE_TO_START)

    def missing(self, component_ids: list[str]) -> None:
        if component_ids:
            self.raise_state(COMPONENT_MISSING, ", ".join(component_ids))
        else:
            self.clear_state(COMPONENT_MISSING)


class ModbusApiReader(ModbusApiController):
    nature_id = "ControllerApiModbusTcpReadOnly"


class ModbusApiWorker(ApiWorker, ModbusApiController):
    """The read-write variant: a write gate with its own lease."""

    nature_id = "ControllerApiModbusTcpReadWrite"
    config: ReadWriteConfig


def _build_rw(cid: str, alias: str, config: Any, ctx: BuildContext) -> ModbusApiWorker:
    return ModbusApiWorker(cid, alias, config, ctx)


def _build_ro(cid: str, alias: str, config: Any, ctx: BuildContext) -> ModbusApiReader:
    return ModbusApiReader(cid, alias, config, ctx)


READ_WRITE = Factory(
    "Controller.Api.ModbusTcp.ReadWrite",
    ReadWriteConfig,
    _build_rw,
    "Modbus/TCP API, read and write",
)
READ_ONLY = Factory(
    "Controller.Api.ModbusTcp.ReadOnly", ReadOnlyConfig, _build_ro, "Modbus/TCP API, read only"
)
