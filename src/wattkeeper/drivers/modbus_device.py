"""Modbus/TCP devices described by a register table: connection properties, freshness rules,
and a generic meter whose channels come from a `DeviceMap` (data, not code).

Adding a device (see docs/devices.md): write its `RegisterTable` (addresses, types, scale,
word order), map channels to points with `ChannelMapping`, subclass `RegisterMapMeter` with
that `DeviceMap`, and expose a `Factory`. The bridge does the I/O; `DeviceLink` decides each
cycle whether the latest poll is fresh enough to publish, else every channel is None and the
component's `CommunicationFailed` state is raised (and cleared on recovery).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from pydantic import AliasChoices, Field

from wattkeeper.bridges.modbus_tcp import MAX_READ, DeviceSession, ModbusTcpBridge, RegisterIO
from wattkeeper.config.registry import ComponentConfig
from wattkeeper.core.channel import ChannelType
from wattkeeper.core.clock import Clock
from wattkeeper.core.component import Component
from wattkeeper.core.state import COMMUNICATION_FAILED
from wattkeeper.natures.meter import Meter, MeterType
from wattkeeper.protocols.registers import Decoded, ReadRange, RegisterTable, plan_reads

Values = Mapping[str, Decoded]


class ModbusConfig(ComponentConfig):
    """Connection properties of a Modbus/TCP device (OpenEMS names accepted as aliases)."""

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


class PolledSession(DeviceSession, Protocol):
    """A session that counts its complete polls and says whether it holds data."""

    @property
    def poll_index(self) -> int: ...

    @property
    def has_data(self) -> bool: ...


class DeviceLink:
    """A session on a bridge, plus the freshness rules a component applies each cycle."""

    def __init__(
        self, name: str, config: ModbusConfig, clock: Clock, session: PolledSession
    ) -> None:
        self.session = session
        self.poll_interval = config.poll_period_ms / 1000.0
        self.timeout = config.timeout_ms / 1000.0
        self.bridge = ModbusTcpBridge(
            config.host,
            config.port,
            config.unit_id,
            session,
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
            and self.session.has_data
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

    def check(self, component: Component, now: float) -> bool:
        """Raise or clear `CommunicationFailed` on the component; True if data is fresh."""
        reason = self.failure(now)
        fresh = self.fresh(now)
        if reason is not None:
            component.raise_state(COMMUNICATION_FAILED, reason)
        elif fresh:
            component.clear_state(COMMUNICATION_FAILED)
        return fresh


def number(values: Values, name: str) -> float | None:
    value = values.get(name)
    return float(value) if isinstance(value, int | float) else None


def rounded(value: float | None, factor: float = 1.0) -> int | None:
    return None if value is None else round(value * factor)


def set_all_none(component: Component, keep: Sequence[str] = ("State",)) -> None:
    """Every reading unknown: state channels (BOOLEAN), `_Property*` and `keep` stay as they are."""
    for channel in component.channels.values():
        if (
            channel.name not in keep
            and channel.doc.type is not ChannelType.BOOLEAN
            and not channel.name.startswith("_Property")
        ):
            channel.next = None


# -- devices described by a table -----------------------------------------------------------
@dataclass(frozen=True)
class ChannelMapping:
    """channel ← point × factor (unit conversion or sign); None stays None."""

    channel: str
    point: str
    factor: float = 1.0


@dataclass(frozen=True)
class DeviceMap:
    """A device as data: its table, where offset 0 lives, and which channel takes what."""

    table: RegisterTable
    base: int
    channels: tuple[ChannelMapping, ...]
    input_registers: bool = False  # function 4 instead of 3

    def __post_init__(self) -> None:
        for mapping in self.channels:
            self.table.point(mapping.point)  # raises CodecError for a typo

    def publish(self, component: Component, values: Values) -> None:
        for mapping in self.channels:
            value = values.get(mapping.point)
            if isinstance(value, int | float):
                scaled = value * mapping.factor
                channel = component.channel(mapping.channel)
                is_int = channel.doc.type.is_integral
                component.set(mapping.channel, round(scaled) if is_int else float(scaled))
            else:
                component.set(mapping.channel, value)


class TableSession:
    """Polls the whole table of a `DeviceMap` (in as few requests as the limit allows)."""

    def __init__(self, device_map: DeviceMap) -> None:
        self.device_map = device_map
        self.plan = plan_reads([ReadRange(device_map.base, device_map.table.length)], MAX_READ)
        self.values: Values = {}
        self.poll_index = 0

    @property
    def has_data(self) -> bool:
        return bool(self.values)

    async def on_connect(self, io: RegisterIO) -> None:
        """Nothing to discover: the table says where everything is."""

    async def poll(self, io: RegisterIO) -> None:
        read = io.read_input if self.device_map.input_registers else io.read
        words: list[int] = []
        for request in self.plan:
            words += await read(request.address, request.count)
        self.values = self.device_map.table.decode(words)
        self.poll_index += 1


class RegisterMapMeter(Meter):
    """A meter whose channels come from a `DeviceMap`; subclasses set `device_map`."""

    device_map: DeviceMap
    live_config = False  # host, port and unit id are bound into the connection at start

    def __init__(
        self,
        component_id: str,
        alias: str,
        config: ModbusConfig,
        clock: Clock,
        meter_type: MeterType = MeterType.GRID,
    ) -> None:
        super().__init__(component_id, alias, config)
        self.meter_type = meter_type
        self.declare_state(COMMUNICATION_FAILED)
        self.session = TableSession(self.device_map)
        self.link = DeviceLink(component_id, config, clock, self.session)
        set_all_none(self)

    async def start(self) -> None:
        await self.link.start()

    async def stop(self) -> None:
        await self.link.stop()

    def before_process_image(self, now: float) -> None:
        if self.link.check(self, now):
            self.device_map.publish(self, self.session.values)
        else:
            set_all_none(self)
