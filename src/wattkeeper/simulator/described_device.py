"""A described device's register image: the battery and household physics behind the
registers its description names, the vendor's control as the description says it works.

The control tables of the description are read backwards: while the written registers match
`charge`, `discharge` or `any`, the battery follows that setpoint; while they match
`release` (or the device forgot the setpoint: `lapse_s` without a new write), it runs its own
mode — self-consumption (cover the household from the battery) or idle. Faults:
`refuse-control` makes the `enable` point read `refused_value` and the device ignore writes;
`exception` answers every request with the description's exception code; `disconnect`
closes the port (the server's business).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from wattkeeper.drivers.simulated.physics import derate, integrate
from wattkeeper.protocols.described.codec import DeviceCodec, setpoint_from
from wattkeeper.protocols.described.model import Description, Scalar
from wattkeeper.protocols.registers import (
    Access,
    Decoded,
    RegType,
    apply_scale,
    decode_raw,
    encode_value,
    not_implemented,
)
from wattkeeper.simulator.faults import MonotonicClock


class VendorFault(Enum):
    DISCONNECT = "disconnect"  # the port closes
    EXCEPTION = "exception"  # every request answered with the vendor's exception code
    REFUSE_CONTROL = "refuse-control"  # external control not enabled by the installer


class ModbusRefusal(Exception):
    """Answer the request with Modbus exception `code`."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class DescribedDevice:
    """Physics + registers of one described device (all its units)."""

    def __init__(
        self,
        description: Description,
        clock: MonotonicClock,
        *,
        load_w: float = 600.0,
        pv_w: float = 0.0,
        capacity_wh: float = 10_000.0,
        max_w: float = 5_000.0,
        initial_soc: float = 50.0,
        reserve_pct: float = 5.0,
    ) -> None:
        self.description = description
        self.codec = DeviceCodec(description)
        self.clock = clock
        self.faults: set[VendorFault] = set()
        self.load_w, self.pv_w = load_w, pv_w
        self.capacity_wh, self.max_w, self.reserve_pct = capacity_wh, max_w, reserve_pct
        self.energy_wh = capacity_wh * initial_soc / 100.0
        self.battery_w = 0.0  # + discharge
        self.charged_wh = self.discharged_wh = 100_000.0
        self.imported_wh = self.exported_wh = 500_000.0
        # what was written to RW points (0 until written)
        self.held: dict[str, Decoded] = {
            name: 0 for name, spec in description.points.items() if spec.access is Access.RW
        }
        control = description.control
        if control is not None:
            for name, value in control.release.items():
                self.held[name] = value if not isinstance(value, str) else 0
        self.last_control_write: float | None = None
        self.writes = 0
        self._at = clock.monotonic()

    # -- physics ----------------------------------------------------------------------------
    @property
    def soc(self) -> float:
        return 100.0 * self.energy_wh / self.capacity_wh

    @property
    def grid_w(self) -> float:
        """+ import."""
        return self.load_w - self.pv_w - self.battery_w

    def mode(self) -> str:
        """'setpoint', 'self-consumption' or 'idle': what the device does now."""
        return self._target()[0]

    def _target(self) -> tuple[str, float]:
        control = self.description.control
        if control is None or VendorFault.REFUSE_CONTROL in self.faults:
            return "self-consumption", 0.0
        now = self.clock.monotonic()
        last = self.last_control_write
        if last is not None and now - last > control.lapse_s:
            # the vendor's timeout: the device forgets the command on its own
            for name, value in control.release.items():
                self.held[name] = value if not isinstance(value, str) else 0
            self.last_control_write = None
        tables: list[tuple[dict[str, Scalar], float]] = [
            (control.any, 1.0),
            (control.charge, -1.0),
            (control.discharge, 1.0),
        ]
        if not _matches(control.release, self.held):
            for table, sign in tables:
                if not table:
                    continue
                found = setpoint_from(table, self.held)
                if found is not None:
                    if "W" in table.values():
                        found = sign * abs(found)
                    return "setpoint", found
        return control.released, 0.0

    def tick(self) -> None:
        now = self.clock.monotonic()
        dt = now - self._at
        self._at = now
        if dt > 0:
            step = integrate(self.energy_wh, self.capacity_wh, self.battery_w, dt)
            self.energy_wh = step.energy_wh
            wh = step.power_w * dt / 3600.0
            if wh >= 0:
                self.discharged_wh += wh
            else:
                self.charged_wh -= wh
            grid_wh = self.grid_w * dt / 3600.0
            if grid_wh >= 0:
                self.imported_wh += grid_wh
            else:
                self.exported_wh -= grid_wh
        mode, wanted = self._target()
        control = self.description.control
        if mode == "setpoint" and control is not None and control.side == "ac":
            wanted -= self.pv_w  # an AC setpoint: the DC PV behind it covers part of it
        if mode == "self-consumption":
            wanted = self.load_w - self.pv_w
        elif mode == "idle":
            wanted = 0.0
        charge, discharge = derate(self.soc)
        if self.soc <= self.reserve_pct:
            discharge = 0.0
        self.battery_w = max(-self.max_w * charge, min(self.max_w * discharge, wanted))

    def quantity(self, name: str) -> float:
        values = {
            "soc": self.soc,
            "battery_w": self.battery_w,
            "grid_w": self.grid_w,
            "pv_w": self.pv_w,
            "load_w": self.load_w,
            "ac_w": self.battery_w + self.pv_w,
            "capacity_wh": self.capacity_wh,
            "max_w": self.max_w,
            "reserve_pct": self.reserve_pct,
            "charged_wh": self.charged_wh,
            "discharged_wh": self.discharged_wh,
            "charged_kwh": self.charged_wh / 1000.0,
            "discharged_kwh": self.discharged_wh / 1000.0,
            "imported_kwh": self.imported_wh / 1000.0,
            "exported_kwh": self.exported_wh / 1000.0,
            "imported_wh": self.imported_wh,
            "exported_wh": self.exported_wh,
            "direction": 1 if self.battery_w < -1 else 2 if self.battery_w > 1 else 0,
        }
        return values[name]

    def value(self, name: str) -> Decoded:
        """A point's engineering value now."""
        control = self.description.control
        if (
            control is not None
            and control.enable is not None
            and name == control.enable.point
            and VendorFault.REFUSE_CONTROL in self.faults
        ):
            return self.description.simulator.refused_value
        source = self.description.simulator.values.get(name)
        if source is None:
            return self.held.get(name)
        if not isinstance(source, str) or self.description.points[name].type is RegType.STRING:
            return source
        if source.startswith("bits:"):
            _, charging, discharging = source.split(":")
            bits = 0
            if self.battery_w < -1:
                bits |= 1 << int(charging)
            if self.battery_w > 1:
                bits |= 1 << int(discharging)
            return bits
        if source.startswith("abs:"):
            return abs(self.quantity(source[4:]))
        if source.startswith("-"):
            return -self.quantity(source[1:])
        return self.quantity(source)

    # -- registers --------------------------------------------------------------------------
    def span(self, role: str) -> tuple[int, int]:
        """(first address, count) the unit serves."""
        d = self.description
        points = [
            (spec.address, self.codec.points[n].words)
            for n, spec in d.points.items()
            if d.unit_of(n) == role
        ]
        start = min(a for a, _ in points)
        return start, max(a + w for a, w in points) - start

    def read(self, role: str, address: int, count: int, input_registers: bool) -> list[int]:
        self._check()
        self.tick()
        words = [0] * count
        d = self.description
        for name, spec in d.points.items():
            if d.unit_of(name) != role or (spec.function == "input") != input_registers:
                continue
            point = self.codec.points[name]
            if spec.address + point.words <= address or spec.address >= address + count:
                continue
            encoded = self._encode(name)
            for i, word in enumerate(encoded):
                at = spec.address + i - address
                if 0 <= at < count:
                    words[at] = word
        return words

    def _encode(self, name: str) -> list[int]:
        point = self.codec.points[name]
        value = self.value(name)
        if value is None:
            return not_implemented(point)
        scale = self.description.points[name].scale if point.scaled else 0
        if point.type is not RegType.STRING and isinstance(value, int | float):
            value = round(value, max(0, -scale))  # to the register's resolution
        try:
            return encode_value(point, value, scale)
        except ValueError:
            return not_implemented(point)

    def write(self, role: str, address: int, words: Sequence[int]) -> None:
        """Apply a write (function 16); ModbusRefusal(2) for registers that are not writable."""
        self._check()
        self.tick()
        d = self.description
        end = address + len(words)
        decoded: list[tuple[str, Decoded]] = []
        for name, spec in d.points.items():
            point = self.codec.points[name]
            if d.unit_of(name) != role or spec.address + point.words <= address:
                continue
            if spec.address >= end:
                continue
            if (
                spec.access is not Access.RW
                or spec.address < address
                or spec.address + point.words > end
            ):
                raise ModbusRefusal(2, f"write {address}+{len(words)}: {name} is not writable")
            raw = decode_raw(
                point, words[spec.address - address : spec.address - address + point.words]
            )
            decoded.append((name, apply_scale(raw, spec.scale) if point.scaled else raw))
        if not decoded:
            raise ModbusRefusal(2, f"write {address}+{len(words)}: no register there")
        self.writes += 1
        if VendorFault.REFUSE_CONTROL in self.faults:
            return  # acknowledged, without effect: external control is not enabled
        control_points = self._control_points()
        for name, value in decoded:
            self.held[name] = value
            if name in control_points:
                self.last_control_write = self.clock.monotonic()
        self.tick()

    def _control_points(self) -> set[str]:
        control = self.description.control
        if control is None:
            return set()
        return {*control.any, *control.charge, *control.discharge}

    def _check(self) -> None:
        if VendorFault.EXCEPTION in self.faults:
            code = self.description.simulator.exception_code
            raise ModbusRefusal(code, f"exception fault: code {code}")


def _matches(table: dict[str, Scalar], held: dict[str, Decoded]) -> bool:
    for name, value in table.items():
        if isinstance(value, str):
            continue
        current = held.get(name)
        if not isinstance(current, int | float) or abs(current - value) > 1e-6:
            return False
    return True
