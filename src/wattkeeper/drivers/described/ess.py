"""`Described.Ess`: a battery system whose registers and control come from its description.

Each cycle: the latest poll of every unit (all fresh, else every reading None, allowed powers
0 and `CommunicationFailed`) is published through the description's `[ess]` mapping; the
allowed powers come from `[limits]` (0 to charge at 100 % SoC, 0 to discharge at or below
the reserve). A setpoint held by a controller (the REST API's lease) is written as the
`[control]` table says, again whenever it changes and at least every `refresh_s`, so the
device's own timeout (`lapse_s`) never strikes while it is held. A cycle with no controller
constraining this battery writes the `release` table once: the device is back in its own
mode (self-consumption) until the next held setpoint. A device whose `enable` point says it
does not take external control shows `ControlRefused` with the installer's sentence, gets no
writes, and the write gate answers setpoint writes as not applicable.
"""

from __future__ import annotations

from typing import Any

from wattkeeper.config.registry import BuildContext, Factory
from wattkeeper.core.channel import ChannelDoc, ChannelType
from wattkeeper.core.clock import Clock
from wattkeeper.core.errors import DeviceError
from wattkeeper.core.state import COMMUNICATION_FAILED, Level, StateDoc
from wattkeeper.drivers.described.links import DescribedConfig, DeviceLinks
from wattkeeper.drivers.described.publish import number, publish
from wattkeeper.drivers.modbus_device import set_all_none
from wattkeeper.natures import ess as ess_ch
from wattkeeper.natures.ess import HybridEss, ManagedSymmetricEss
from wattkeeper.power.stage import Power
from wattkeeper.protocols.described.codec import Write
from wattkeeper.protocols.registers import CodecError

CONTROL_REFUSED = StateDoc(
    "ControlRefused",
    Level.WARNING,
    "The device does not take external control: see ControlHint for what to change",
)
WRITE_FAILED = StateDoc("SetpointWriteFailed", Level.WARNING, "The device refused a setpoint write")
CONTROL_HINT = ChannelDoc(
    "ControlHint",
    ChannelType.STRING,
    text="What the installer must change before the device takes setpoints (empty: nothing)",
)
DEVICE_MODEL = ChannelDoc("DeviceModel", ChannelType.STRING, text="Model as the device reports it")
DEVICE_SERIAL = ChannelDoc("DeviceSerial", ChannelType.STRING, text="Serial number")


class DescribedEss(ManagedSymmetricEss, HybridEss):
    """The `ess0` of a described device (a plain AC battery leaves the DC channels None)."""

    config: DescribedConfig
    live_config = False  # host, port and unit ids are bound into the connections at start

    def __init__(
        self, component_id: str, alias: str, config: DescribedConfig, clock: Clock, power: Power
    ) -> None:
        super().__init__(component_id, alias, config)
        self.declare(CONTROL_HINT, DEVICE_MODEL, DEVICE_SERIAL)
        self.declare_state(COMMUNICATION_FAILED, CONTROL_REFUSED, WRITE_FAILED)
        self.clock = clock
        self.power = power
        self.links = DeviceLinks(component_id, config, clock)
        self.description = self.links.description
        self.codec = self.links.codec
        self.fresh = False
        self._refusal: str | None = None
        self._written: int | None = None  # the setpoint on the device (None: released)
        self._written_at = 0.0
        self._released = False
        self._publish_none()

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        await self.links.start()

    async def stop(self) -> None:
        """Hand the battery back to the device's own mode (best effort) and disconnect."""
        final: list[Write] = []
        if self._written is not None and self.description.control is not None:
            final = self.codec.release_writes()
        await self.links.stop(final)

    async def flush(self, timeout: float = 5.0) -> None:
        """Wait until queued writes reached the device (tests and benchmarks)."""
        await self.links.flush(timeout)

    # -- readings ---------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        return self.links.values()

    def before_process_image(self, now: float) -> None:
        self.fresh = self.links.check(self, now)
        if not self.fresh:
            self._publish_none()
            return
        values = self.links.values()
        publish(self, self.description.ess, values)
        identity = self.description.identity
        model = values.get(identity.model) if identity.model else self.description.products
        self.set(DEVICE_MODEL, _text(model))
        self.set(DEVICE_SERIAL, _text(values.get(identity.serial)))
        self._publish_limits(values)
        self._check_enabled(values)

    def _publish_none(self) -> None:
        set_all_none(self)
        self.set(ess_ch.ALLOWED_CHARGE_POWER, 0)
        self.set(ess_ch.ALLOWED_DISCHARGE_POWER, 0)
        self.set(CONTROL_HINT, self._refusal or "")

    def _publish_limits(self, values: dict[str, Any]) -> None:
        limits = self.description.limits
        next_soc = self.channel(ess_ch.SOC).next
        soc = float(next_soc) if isinstance(next_soc, int | float) else None
        charge = number(values, limits.charge) if limits.charge else float(limits.charge_w)
        discharge = (
            number(values, limits.discharge) if limits.discharge else float(limits.discharge_w)
        )
        reserve = number(values, limits.reserve) if limits.reserve else limits.reserve_pct
        capacity = number(values, limits.capacity) if limits.capacity else limits.capacity_wh
        if capacity:
            self.set(ess_ch.CAPACITY, round(capacity))
        can_charge = soc is not None and soc < 100.0 and self._refusal is None
        can_discharge = (
            soc is not None and soc > (reserve or 0.0) and soc > 0.0 and self._refusal is None
        )
        self.set(ess_ch.ALLOWED_CHARGE_POWER, -round(charge or 0) if can_charge else 0)
        self.set(ess_ch.ALLOWED_DISCHARGE_POWER, round(discharge or 0) if can_discharge else 0)
        if ess_ch.MAX_APPARENT_POWER.name not in self.description.ess:
            self.set(ess_ch.MAX_APPARENT_POWER, round(max(charge or 0, discharge or 0)))
        self.set(ess_ch.GRID_MODE, 1)

    def _check_enabled(self, values: dict[str, Any]) -> None:
        control = self.description.control
        enable = control.enable if control is not None else None
        if enable is None:
            self._refusal = None
        elif values.get(enable.point) == enable.equals:
            self._refusal = None
            self.clear_state(CONTROL_REFUSED)
        else:
            self._refusal = enable.say
            self.raise_state(CONTROL_REFUSED, enable.say)
        self.set(CONTROL_HINT, self._refusal or "")

    # -- the write gate's question ----------------------------------------------------------
    def control_refusal(self) -> str | None:
        """Why setpoints cannot be applied now (None: they can)."""
        if self.description.control is None:
            return f"{self.description.kind} has no control registers in its description"
        if self.config.read_only:
            return f"{self.id} is configured readOnly"
        return self._refusal

    # -- setpoint ---------------------------------------------------------------------------
    def write_power(self, active: int, reactive: int) -> None:
        """Queue the vendor's writes; never blocks. See the module docstring for when."""
        control = self.description.control
        if control is None or self.config.read_only or not self.fresh or self._refusal:
            return
        held = any(c.ess_id == self.id for c in self.power.constraints)
        now = self.clock.monotonic()
        if not held:
            if self._written is not None or not self._released:
                self._send(self.codec.release_writes())
                self._written, self._released = None, True
            return
        battery = active
        if control.side == "battery" and control.pv_point:
            # the setpoint is the inverter's AC power; the device takes its battery's
            pv = number(self.links.values(), control.pv_point) or 0.0
            battery = round(active - pv)
        due = now - self._written_at >= control.refresh_s
        if self._written == battery and not due:
            return
        try:
            writes = self.codec.setpoint_writes(battery)
        except (CodecError, ValueError) as error:
            self.raise_state(WRITE_FAILED, f"cannot encode {battery} W: {error}")
            return
        self._send(writes)
        self._written, self._written_at, self._released = battery, now, False

    def _send(self, writes: list[Write]) -> None:
        def done(error: DeviceError | None) -> None:
            if error is None:
                self.clear_state(WRITE_FAILED)
            else:
                self.raise_state(WRITE_FAILED, str(error))
                self._written = None  # try again next cycle

        for index, write in enumerate(writes):
            callback = done if index == len(writes) - 1 else None
            self.links.links[write.unit].bridge.queue_write(
                write.address, list(write.words), callback
            )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def build(component_id: str, alias: str, config: Any, ctx: BuildContext) -> DescribedEss:
    return DescribedEss(component_id, alias, config, ctx.clock, ctx.power)


FACTORY = Factory(
    "Described.Ess",
    DescribedConfig,
    build,
    "Battery system described as data (Huawei, Victron, Sungrow, SMA, Kostal; see `model`)",
)
