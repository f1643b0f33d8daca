"""What the SunSpec drivers share: connection properties, discovery and polling, freshness.

A `SunSpecSession` runs inside the bridge's task: on every new connection it discovers the
model chain, reads the common model once and plans the reads (adjacent models are merged
into one request); each poll decodes the models the driver asked for into `data`. The
component reads `data` in `before_process_image` only while `SunSpecLink.fresh()` says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import AliasChoices, Field

from wattkeeper.bridges.modbus_tcp import (
    MAX_READ,
    ModbusExceptionResponse,
    ModbusTcpBridge,
    RegisterIO,
)
from wattkeeper.config.registry import ComponentConfig
from wattkeeper.core.clock import Clock
from wattkeeper.core.errors import DeviceError
from wattkeeper.protocols.registers import Decoded, ReadRange, plan_reads, slice_of
from wattkeeper.protocols.sunspec.discovery import Discovery, ModelBlock, SunSpecMap
from wattkeeper.protocols.sunspec.models import COMMON, MODELS

Values = Mapping[str, Decoded]


class SunSpecConfig(ComponentConfig):
    """Connection properties of every SunSpec device."""

    host: str = Field(
        "127.0.0.1",
        validation_alias=AliasChoices("host", "ip"),
        serialization_alias="host",
        description="IP address or host name of the device",
    )
    port: int = Field(502, ge=1, le=65535)
    unit_id: int = Field(
        1,
        ge=0,
        le=255,
        validation_alias=AliasChoices("unitId", "modbus.unitId", "unit_id"),
        serialization_alias="unitId",
        description="Modbus unit id (slave address)",
    )
    poll_period_ms: int = Field(
        1000,
        ge=10,
        le=60_000,
        validation_alias=AliasChoices("pollPeriodMs", "poll_period_ms"),
        serialization_alias="pollPeriodMs",
    )
    timeout_ms: int = Field(
        500,
        ge=10,
        le=10_000,
        validation_alias=AliasChoices("timeoutMs", "timeout_ms"),
        serialization_alias="timeoutMs",
        description="Per-request timeout",
    )


@dataclass(frozen=True)
class Role:
    """A model the driver needs, by its accepted ids in order of preference."""

    name: str
    model_ids: Sequence[int]
    required: bool = True


class SunSpecSession:
    """Discovery and polling of one SunSpec device (runs in the bridge's task)."""

    def __init__(self, roles: Sequence[Role]) -> None:
        self.roles = roles
        self.map: SunSpecMap | None = None
        self.blocks: dict[str, ModelBlock] = {}
        self.common: Values = {}
        self.plan: list[ReadRange] = []
        #: Latest decoded models by role name, and how many polls produced data.
        self.data: dict[str, Values] = {}
        self.poll_index = 0

    async def on_connect(self, io: RegisterIO) -> None:
        discovery = Discovery()
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
        for role in self.roles:
            block = found.find(*role.model_ids)
            if block is None:
                if role.required:
                    wanted = "/".join(map(str, role.model_ids))
                    raise DeviceError(f"SunSpec model {wanted} not found (device has {found.ids})")
                continue
            if MODELS[block.model_id].length > block.count:
                raise DeviceError(f"SunSpec model {block.model_id} is shorter than defined")
            blocks[role.name] = block
        common = found.find(1)
        if common is not None:
            count = min(common.count, COMMON.length, MAX_READ)
            self.common = COMMON.decode(await io.read(common.address, count))
        self.map, self.blocks = found, blocks
        self.plan = plan_reads(
            (ReadRange(b.address, MODELS[b.model_id].length) for b in blocks.values()),
            max_count=MAX_READ,
        )

    async def poll(self, io: RegisterIO) -> None:
        read: dict[int, list[int]] = {}
        for request in self.plan:
            read[request.address] = await io.read(request.address, request.count)
        data: dict[str, Values] = {}
        for role, block in self.blocks.items():
            table = MODELS[block.model_id]
            words = slice_of(read, block.address, table.length)
            if words is None:  # cannot happen with a plan made from these blocks
                raise DeviceError(f"model {block.model_id} was not read")
            data[role] = table.decode(words)
        self.data = data
        self.poll_index += 1


class SunSpecLink:
    """A session on a bridge, plus the freshness rules the components apply each cycle."""

    def __init__(self, name: str, config: SunSpecConfig, clock: Clock, roles: Sequence[Role]):
        self.session = SunSpecSession(roles)
        self.poll_interval = config.poll_period_ms / 1000.0
        self.timeout = config.timeout_ms / 1000.0
        self.bridge = ModbusTcpBridge(
            config.host,
            config.port,
            config.unit_id,
            self.session,
            clock=clock,
            poll_interval=self.poll_interval,
            timeout=self.timeout,
            backoff_min=min(0.2, self.poll_interval),
            backoff_max=30.0,
            name=f"{name} ({config.host}:{config.port} unit {config.unit_id})",
        )
        #: Data older than this counts as lost (a poll hangs or the task died).
        self.stale_after = 3 * self.poll_interval + 4 * self.timeout
        #: Without any answer this long after start the device counts as failed.
        self.startup_grace = self.poll_interval + 4 * self.timeout

    async def start(self) -> None:
        await self.bridge.start()

    async def stop(self, final_writes: Sequence[tuple[int, Sequence[int]]] = ()) -> None:
        await self.bridge.stop(final_writes)

    def fresh(self, now: float) -> bool:
        last = self.bridge.last_ok
        return (
            not self.bridge.failed
            and last is not None
            and bool(self.session.data)
            and now - last <= self.stale_after
        )

    def failure(self, now: float) -> str | None:
        """Why the device counts as failed now, or None (fresh, or still starting)."""
        if self.fresh(now):
            return None
        if self.bridge.failed:
            return self.bridge.last_error or "no answer"
        last = self.bridge.last_ok
        if last is not None and now - last > self.stale_after:
            return f"no answer for {now - last:.1f} s"
        started = self.bridge.started_at
        if started is not None and now - started > self.startup_grace:
            return "no answer since start"
        return None

    def values(self, role: str) -> Values:
        return self.session.data.get(role, {})

    def address(self, role: str, point_offset: int) -> int | None:
        block = self.session.blocks.get(role)
        return None if block is None else block.address + point_offset


def number(values: Values, name: str) -> float | None:
    value = values.get(name)
    return float(value) if isinstance(value, int | float) else None


def rounded(value: float | None, factor: float = 1.0) -> int | None:
    return None if value is None else round(value * factor)
