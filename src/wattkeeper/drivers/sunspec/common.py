"""What the SunSpec drivers share: connection properties, discovery and polling, freshness.

A `SunSpecSession` runs inside the bridge's task: on every new connection it discovers the
model chain, reads the common model once and plans the reads (adjacent models are merged
into one request); each poll decodes the models the driver asked for into `data`. The
component reads `data` in `before_process_image` only while `SunSpecLink.fresh()` says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import AliasChoices, Field

from wattkeeper.bridges.modbus_tcp import MAX_READ, ModbusExceptionResponse, RegisterIO
from wattkeeper.core.clock import Clock
from wattkeeper.core.errors import DeviceError
from wattkeeper.drivers.modbus_device import (
    DeviceLink,
    ModbusConfig,
    Values,
    number,
    rounded,
    set_all_none,
)
from wattkeeper.protocols.registers import (
    CodecError,
    ReadRange,
    RegisterTable,
    plan_reads,
    slice_of,
)
from wattkeeper.protocols.sunspec.discovery import BASES, Discovery, ModelBlock, SunSpecMap
from wattkeeper.protocols.sunspec.models import COMMON, table_for

__all__ = [
    "Requirement",
    "Role",
    "SunSpecConfig",
    "SunSpecLink",
    "SunSpecSession",
    "Values",
    "number",
    "rounded",
    "set_all_none",
]


class SunSpecConfig(ModbusConfig):
    """Connection properties of every SunSpec device (`host`/`ip`, `port`, `unitId`, ...)."""

    base_address: int | None = Field(
        None,
        ge=0,
        le=65_535,
        validation_alias=AliasChoices("baseAddress", "base_address"),
        serialization_alias="baseAddress",
        description="SunSpec base address; unset: probe 40000, 0 and 50000",
    )


@dataclass(frozen=True)
class Role:
    """A model the driver needs, by its accepted ids in order of preference."""

    name: str
    model_ids: Sequence[int]
    required: bool = True


#: Checks the models found for the roles: None if usable, else why not (a combination of
#: optional roles, e.g. "an inverter model or the DER models").
Requirement = Callable[[Mapping[str, ModelBlock]], str | None]


class SunSpecSession:
    """Discovery and polling of one SunSpec device (runs in the bridge's task)."""

    def __init__(
        self,
        roles: Sequence[Role],
        bases: Sequence[int] = BASES,
        requirement: Requirement | None = None,
    ) -> None:
        self.roles = roles
        self.bases = tuple(bases)
        self.requirement = requirement
        self.map: SunSpecMap | None = None
        self.blocks: dict[str, ModelBlock] = {}
        #: The official table of each role's model, repetitions as the device reports them.
        self.tables: dict[str, RegisterTable] = {}
        self.common: Values = {}
        self.plan: list[ReadRange] = []
        #: Latest decoded models by role name, and how many polls produced data.
        self.data: dict[str, Values] = {}
        self.poll_index = 0

    @property
    def has_data(self) -> bool:
        return bool(self.data)

    async def on_connect(self, io: RegisterIO) -> None:
        discovery = Discovery(self.bases)
        while (request := discovery.next_request()) is not None:
            try:
                words: list[int] | None = await io.read(request.address, request.count)
            except ModbusExceptionResponse:
                words = None  # illegal address: not here
            discovery.feed(words)
        if discovery.result is None:
            raise DeviceError(f"not a SunSpec device: {discovery.error}")
        found = discovery.result
        blocks: dict[str, ModelBlock] = {}
        tables: dict[str, RegisterTable] = {}
        for role in self.roles:
            block = found.find(*role.model_ids)
            if block is None:
                if role.required:
                    wanted = "/".join(map(str, role.model_ids))
                    raise DeviceError(f"SunSpec model {wanted} not found (device has {found.ids})")
                continue
            try:
                table = table_for(block)
            except CodecError as error:
                raise DeviceError(f"SunSpec {error}") from None
            if table.length > block.count:
                raise DeviceError(
                    f"SunSpec model {block.model_id} has L={block.length}, "
                    f"the specification defines {table.length - 2}"
                )
            blocks[role.name], tables[role.name] = block, table
        if self.requirement is not None and (missing := self.requirement(blocks)) is not None:
            raise DeviceError(f"{missing} (device has {found.ids})")
        common = found.find(1)
        if common is not None:
            count = min(common.count, COMMON.length, MAX_READ)
            words = await io.read(common.address, count)
            # L = 65 (without the pad register) is common; the missing tail is "not implemented"
            self.common = COMMON.decode(words + [0] * (COMMON.length - len(words)))
        self.map, self.blocks, self.tables = found, blocks, tables
        self.plan = plan_reads(
            (ReadRange(b.address, tables[role].length) for role, b in blocks.items()),
            max_count=MAX_READ,
        )

    async def poll(self, io: RegisterIO) -> None:
        read: dict[int, list[int]] = {}
        for request in self.plan:
            read[request.address] = await io.read(request.address, request.count)
        data: dict[str, Values] = {}
        for role, block in self.blocks.items():
            table = self.tables[role]
            words = slice_of(read, block.address, table.length)
            if words is None:  # cannot happen with a plan made from these blocks
                raise DeviceError(f"model {block.model_id} was not read")
            data[role] = table.decode(words)
        self.data = data
        self.poll_index += 1


class SunSpecLink(DeviceLink):
    """A SunSpec session on a bridge; the models' latest values by role."""

    session: SunSpecSession

    def __init__(
        self,
        name: str,
        config: SunSpecConfig,
        clock: Clock,
        roles: Sequence[Role],
        requirement: Requirement | None = None,
    ):
        bases = BASES if config.base_address is None else (config.base_address,)
        super().__init__(name, config, clock, SunSpecSession(roles, bases, requirement))

    def values(self, role: str) -> Values:
        return self.session.data.get(role, {})

    def address(self, role: str, point: str) -> int | None:
        """Where a point of a role's model lives on the device (None: model not found)."""
        block = self.session.blocks.get(role)
        table = self.session.tables.get(role)
        if block is None or table is None:
            return None
        return block.address + table.point(point).offset

    def table(self, role: str) -> RegisterTable | None:
        return self.session.tables.get(role)
