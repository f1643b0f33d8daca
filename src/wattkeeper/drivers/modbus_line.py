"""`Bridge.Modbus.Serial` and `Bridge.Modbus.Tcp`: one Modbus line as a component (`modbus0`)
that several device components share by unit id (`modbus.id` + `modbus.unitId`), as in
OpenEMS; and `LineLink`, a device's view of its unit on the line with the freshness rules
of `DeviceLink`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import AliasChoices, Field

from wattkeeper.bridges.modbus_rtu import LineDevice, ModbusLine, SerialSettings, TcpSettings
from wattkeeper.bridges.write_queue import WriteDone
from wattkeeper.config.registry import BuildContext, ComponentConfig, Factory
from wattkeeper.core.clock import Clock
from wattkeeper.core.component import Component
from wattkeeper.core.errors import ConfigError, DeviceError
from wattkeeper.core.manager import ComponentManager
from wattkeeper.drivers.modbus_device import DeviceLink, PolledSession
from wattkeeper.protocols.poll_plan import LineCost

_PARITY = {"NONE": "N", "EVEN": "E", "ODD": "O", "N": "N", "E": "E", "O": "O"}


class LineConfig(ComponentConfig):
    poll_period_ms: int = Field(
        1000,
        ge=10,
        le=60_000,
        validation_alias=AliasChoices("pollPeriodMs", "poll_period_ms"),
        serialization_alias="pollPeriodMs",
    )
    timeout_ms: int = Field(
        300,
        ge=10,
        le=10_000,
        validation_alias=AliasChoices("timeoutMs", "timeout_ms"),
        serialization_alias="timeoutMs",
        description="Per-request timeout; a silent unit costs the line this once per backoff",
    )


class SerialLineConfig(LineConfig):
    port_name: str = Field(
        "/dev/ttyUSB0",
        validation_alias=AliasChoices("portName", "port_name", "port"),
        serialization_alias="portName",
        description="Serial device of the RS-485 adapter",
    )
    baud_rate: int = Field(
        9600,
        validation_alias=AliasChoices("baudRate", "baud_rate"),
        serialization_alias="baudRate",
    )
    databits: Literal[7, 8] = 8
    stopbits: Literal[1, 2] = Field(1, validation_alias=AliasChoices("stopbits", "stopBits"))
    parity: Literal["NONE", "EVEN", "ODD", "N", "E", "O"] = "NONE"


class TcpLineConfig(LineConfig):
    host: str = Field(
        "127.0.0.1",
        validation_alias=AliasChoices("host", "ip"),
        serialization_alias="host",
    )
    port: int = Field(502, ge=1, le=65535)


class LineComponent(Component):
    """Owns a `ModbusLine`; devices attach to it by unit id."""

    live_config = False

    def __init__(self, component_id: str, alias: str, config: LineConfig, clock: Clock) -> None:
        super().__init__(component_id, alias, config)
        settings: SerialSettings | TcpSettings
        if isinstance(config, SerialLineConfig):
            settings = SerialSettings(
                config.port_name,
                config.baud_rate,
                config.databits,
                _PARITY[config.parity],
                config.stopbits,
            )
        else:
            assert isinstance(config, TcpLineConfig)
            settings = TcpSettings(config.host, config.port)
        self.line = ModbusLine(
            settings,
            clock=clock,
            poll_interval=config.poll_period_ms / 1000.0,
            timeout=config.timeout_ms / 1000.0,
            backoff_min=max(config.poll_period_ms / 1000.0, 0.05),
            name=f"{component_id} ({settings.describe()})",
        )
        self._costs: dict[str, LineCost] = {}

    def reserve(self, device: str, cost: LineCost, margin: float = 0.5) -> None:
        """Book a device's worst poll on this line; a serial line whose devices together
        need more than `margin` of the poll period is a configuration error."""
        self._costs[device] = cost
        baudrate = self.baudrate
        if baudrate is None:
            return
        total = sum(c.seconds(baudrate) for c in self._costs.values())
        budget = margin * self.line.poll_interval
        if total > budget:
            raise ConfigError(
                f"{self.id}: the devices on this line need {total * 1000:.0f} ms per poll at "
                f"{baudrate} baud ({', '.join(self._costs)}); the budget is "
                f"{budget * 1000:.0f} ms: raise pollPeriodMs or the baud rate"
            )

    @property
    def baudrate(self) -> int | None:
        settings = self.line.settings
        return settings.baudrate if isinstance(settings, SerialSettings) else None

    async def start(self) -> None:
        await self.line.start()

    async def stop(self) -> None:
        await self.line.stop()


class LineLink(DeviceLink):
    """A unit on a shared line; `fresh`/`failure`/`check` are `DeviceLink`'s.

    The line is found by component id when the device starts (every component is built
    before any starts). `DeviceLink.__init__` builds a TCP bridge, so it is not called.
    """

    def __init__(
        self,
        name: str,
        line_id: str,
        unit: int,
        manager: ComponentManager,
        session: PolledSession,
    ) -> None:
        self.name = name
        self.line_id = line_id
        self.unit = unit
        self.manager = manager
        self.session = session
        self.device: LineDevice | None = None
        self.poll_interval = 1.0
        self.timeout = 0.3
        self.stale_after = 3 * self.poll_interval + 4 * self.timeout
        self.startup_grace = self.poll_interval + 4 * self.timeout

    def line(self) -> LineComponent:
        component = self.manager.find(self.line_id)
        if not isinstance(component, LineComponent):
            raise ConfigError(f"{self.name}: modbus.id '{self.line_id}' is not a Modbus bridge")
        return component

    # the line's device stands where a bridge would: DeviceLink reads failed/last_ok/... here
    @property
    def bridge(self) -> Any:  # type: ignore[override]
        return self.device

    async def start(self) -> None:
        line = self.line().line
        self.poll_interval = line.poll_interval
        self.timeout = line.timeout
        # a failed unit is retried after its backoff: data counts as stale only after that
        self.stale_after = 3 * self.poll_interval + 4 * self.timeout
        self.startup_grace = self.poll_interval + 4 * self.timeout + line.backoff_min
        self.device = line.attach(self.unit, self.session, self.name)
        await line.start()

    async def stop(self, final_writes: Sequence[tuple[int, Sequence[int]]] = ()) -> None:
        device, self.device = self.device, None
        if device is None:
            return
        if device.line.running and not device.failed:
            for address, values in final_writes:
                device.queue_write(address, values)
            with contextlib.suppress(TimeoutError):
                await device.flush(4 * device.line.timeout + device.line.poll_interval + 0.5)
        device.line.detach(device)

    def fresh(self, now: float) -> bool:
        return self.device is not None and super().fresh(now)

    def failure(self, now: float) -> str | None:
        if self.device is None:
            return "not started"
        return super().failure(now)

    def queue_write(
        self, address: int, values: Sequence[int], on_done: WriteDone | None = None
    ) -> None:
        if self.device is not None:
            self.device.queue_write(address, values, on_done)
        elif on_done is not None:
            on_done(DeviceError("not started"))


class DeviceOnLineConfig(ComponentConfig):
    """Where a device is: which line component, which unit id."""

    modbus_id: str = Field(
        "modbus0",
        validation_alias=AliasChoices("modbus.id", "modbus_id", "modbusId"),
        serialization_alias="modbus.id",
    )


def _build_serial(cid: str, alias: str, config: Any, ctx: BuildContext) -> LineComponent:
    return LineComponent(cid, alias, config, ctx.clock)


SERIAL_FACTORY = Factory(
    "Bridge.Modbus.Serial", SerialLineConfig, _build_serial, "Modbus RTU over a serial line"
)
TCP_FACTORY = Factory(
    "Bridge.Modbus.Tcp", TcpLineConfig, _build_serial, "Modbus/TCP, several unit ids"
)
