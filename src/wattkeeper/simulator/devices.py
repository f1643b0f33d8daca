"""Simulated SunSpec devices as register images: a storage inverter and a grid meter.

No I/O here: `SunSpecImage.read(address, count)` renders the current state into registers
and `write(address, values)` applies a write; `wattkeeper.simulator.server` puts them
behind a Modbus/TCP server. Time comes from an injected clock (`monotonic()`), so tests
drive the physics with a fake clock.

Storage control (model 124), as simulated and as the driver uses it: the battery power
P (+ discharge, − charge) is kept inside the window

    −InWRte % × WChaMax  ≤  P  ≤  OutWRte % × WChaMax

where each bound only applies while its StorCtl_Mod bit is set (bit 0: charge limit
InWRte, bit 1: discharge limit OutWRte); without a bound the inverter idles at 0 W.
InWRte = −x together with OutWRte = x pins P to x % of WChaMax. After a write of the
rates, StorCtl_Mod and the rates fall back to their defaults once InOutWRte_RvrtTms
seconds have passed without a new write (0 = never).
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from wattkeeper.drivers.simulated.physics import derate, integrate, load_power, pv_power
from wattkeeper.protocols.registers import (
    Decoded,
    Point,
    RegisterTable,
    RegType,
    apply_scale,
    decode_raw,
    encode_value,
    not_implemented,
)
from wattkeeper.protocols.sunspec.discovery import END_ID, MARKER
from wattkeeper.protocols.sunspec.models import (
    COMMON,
    INVERTER_INT,
    METER,
    STORAGE,
    STORCTL_CHARGE,
    STORCTL_DISCHARGE,
)

BASE = 40000


class MonotonicClock(Protocol):
    def monotonic(self) -> float: ...


class Fault(Enum):
    """Faults the simulator can show, switchable at run time."""

    DISCONNECT = "disconnect"  # the port is closed: connections are cut and refused
    SLOW = "slow"  # every answer comes `slow_delay` seconds late
    IGNORE_SETPOINTS = "ignore-setpoints"  # writes are acknowledged but have no effect
    REVERT_ZERO = "revert-zero"  # the revert timer stays 0 whatever is written
    REVERT_BROKEN = "revert-broken"  # the revert timer is kept but never fires


class WriteRefused(Exception):
    """A write to a read-only or unknown register (the server answers "illegal address")."""


@dataclass
class Faults:
    active: set[Fault] = field(default_factory=set)
    slow_delay: float = 2.0

    def __contains__(self, fault: Fault) -> bool:
        return fault in self.active


class ModelState(Protocol):
    table: RegisterTable

    def values(self) -> Mapping[str, Decoded]: ...


def render(table: RegisterTable, values: Mapping[str, Decoded], model_id: int) -> list[int]:
    """The registers of a model from engineering values; missing values are "not implemented"."""
    words = [0] * table.length
    for point in table.points:
        if point.name == "ID":
            encoded = [model_id]
        elif point.name == "L":
            encoded = [table.length - 2]
        else:
            value = values.get(point.name)
            encoded = _encode(point, value, values)
        words[point.offset : point.offset + point.words] = encoded
    return words


def _encode(point: Point, value: Decoded, values: Mapping[str, Decoded]) -> list[int]:
    if value is None or point.type is RegType.PAD:
        return not_implemented(point)
    sf = 0
    if isinstance(point.scale, int):
        sf = point.scale
    elif isinstance(point.scale, str):
        known = values.get(point.scale)
        if not isinstance(known, int):
            return not_implemented(point)
        sf = known
    return encode_value(point, value, sf)


class Common:
    table = COMMON

    def __init__(self, model: str, serial: str, unit: int) -> None:
        self._values: dict[str, Decoded] = {
            "Mn": "wattkeeper",
            "Md": model,
            "Opt": "simulator",
            "Vr": "1.0.0",
            "SN": serial,
            "DA": unit,
        }

    def values(self) -> Mapping[str, Decoded]:
        return self._values


class Storage:
    """A battery behind an AC-coupled inverter, with SunSpec 124 control."""

    table = STORAGE

    def __init__(
        self,
        clock: MonotonicClock,
        faults: Faults,
        *,
        capacity_wh: float = 10_000.0,
        max_w: int = 5_000,
        initial_soc: float = 50.0,
        min_reserve_pct: float = 5.0,
    ) -> None:
        self.clock = clock
        self.faults = faults
        self.capacity_wh = capacity_wh
        self.max_w = max_w
        self.min_reserve_pct = min_reserve_pct
        self.energy_wh = capacity_wh * initial_soc / 100.0
        self.storctl_mod = 0
        self.out_wrte = 100.0
        self.in_wrte = 100.0
        self.win_tms = 0
        self.rvrt_tms = 0
        self.rmp_tms = 0
        self.cha_gri_set = 1
        self.power_w = 0.0  # what flows now: + discharge, − charge
        self.discharged_wh = 1_000_000.0  # lifetime counters (non-zero: 0 means "not implemented")
        self.charged_wh = 1_000_000.0
        self.last_rate_write: float | None = None
        self.writes = 0
        self._last = clock.monotonic()

    @property
    def soc(self) -> float:
        return 100.0 * self.energy_wh / self.capacity_wh

    @property
    def battery_voltage(self) -> float:
        return 380.0 + 0.4 * self.soc

    def advance(self) -> None:
        """Integrate the energy up to now and take the power for what comes next."""
        now = self.clock.monotonic()
        dt = max(now - self._last, 0.0)
        self._last = now
        if dt > 0:
            step = integrate(self.energy_wh, self.capacity_wh, self.power_w, dt)
            self.energy_wh = step.energy_wh
            if step.power_w > 0:
                self.discharged_wh += step.power_w * dt / 3600.0
            else:
                self.charged_wh -= step.power_w * dt / 3600.0
        self._revert_if_due(now)
        self.power_w = self.target_power()

    def _revert_if_due(self, now: float) -> None:
        if Fault.REVERT_BROKEN in self.faults or self.last_rate_write is None:
            return
        if self.rvrt_tms > 0 and now - self.last_rate_write >= self.rvrt_tms:
            self.storctl_mod = 0
            self.out_wrte = self.in_wrte = 100.0
            self.last_rate_write = None

    def target_power(self) -> float:
        low = -self.max_w * self.in_wrte / 100.0 if self.storctl_mod & STORCTL_CHARGE else None
        high = self.max_w * self.out_wrte / 100.0 if self.storctl_mod & STORCTL_DISCHARGE else None
        power = 0.0
        if low is not None:
            power = max(power, low)
        if high is not None:
            power = min(power, high)
        power = min(max(power, -float(self.max_w)), float(self.max_w))
        charge_factor, discharge_factor = derate(self.soc)
        if power > 0:
            allowed = self.soc > self.min_reserve_pct
            power *= discharge_factor if allowed else 0.0
        elif power < 0:
            power *= charge_factor
        return power

    def charge_status(self) -> int:
        if self.soc <= self.min_reserve_pct and self.power_w >= 0:
            return 2  # EMPTY
        if self.soc >= 100.0 and self.power_w <= 0:
            return 5  # FULL
        if self.power_w > 0.5:
            return 3  # DISCHARGING
        if self.power_w < -0.5:
            return 4  # CHARGING
        return 6  # HOLDING

    def values(self) -> Mapping[str, Decoded]:
        voltage = self.battery_voltage
        usable_wh = max(self.energy_wh - self.capacity_wh * self.min_reserve_pct / 100.0, 0.0)
        return {
            "WChaMax": self.max_w,
            "WChaGra": 100,
            "WDisChaGra": 100,
            "StorCtl_Mod": self.storctl_mod,
            "VAChaMax": self.max_w,
            "MinRsvPct": self.min_reserve_pct,
            "ChaState": round(self.soc, 1),
            "StorAval": round(usable_wh / voltage, 2),
            "InBatV": round(voltage, 1),
            "ChaSt": self.charge_status(),
            "OutWRte": self.out_wrte,
            "InWRte": self.in_wrte,
            "InOutWRte_WinTms": self.win_tms,
            "InOutWRte_RvrtTms": self.rvrt_tms,
            "InOutWRte_RmpTms": self.rmp_tms,
            "ChaGriSet": self.cha_gri_set,
            "WChaMax_SF": 0,
            "WChaDisChaGra_SF": 0,
            "VAChaMax_SF": 0,
            "MinRsvPct_SF": -1,
            "ChaState_SF": -1,
            "StorAval_SF": -2,
            "InBatV_SF": -1,
            "InOutWRte_SF": -2,
        }

    def write(self, name: str, value: Decoded) -> None:
        if not isinstance(value, int | float):
            return
        if Fault.IGNORE_SETPOINTS in self.faults:
            return  # acknowledged on the bus, dropped here
        self.writes += 1
        if name == "StorCtl_Mod":
            self.storctl_mod = int(value) & 0x3
        elif name == "OutWRte":
            self.out_wrte = float(value)
        elif name == "InWRte":
            self.in_wrte = float(value)
        elif name == "InOutWRte_RvrtTms":
            self.rvrt_tms = 0 if Fault.REVERT_ZERO in self.faults else int(value)
        elif name == "InOutWRte_WinTms":
            self.win_tms = int(value)
        elif name == "InOutWRte_RmpTms":
            self.rmp_tms = int(value)
        elif name == "ChaGriSet":
            self.cha_gri_set = int(value)
        elif name == "MinRsvPct":
            self.min_reserve_pct = float(value)
        elif name == "WChaMax":
            self.max_w = int(value)
        if name in ("StorCtl_Mod", "OutWRte", "InWRte"):
            self.last_rate_write = self.clock.monotonic()
        self.power_w = self.target_power()


class Inverter:
    """Model 103 of the storage inverter: AC side of the battery (W > 0: discharging)."""

    table = INVERTER_INT

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def values(self) -> Mapping[str, Decoded]:
        power = self.storage.power_w
        phase_current = abs(power) / (3 * 230.0)
        state = 4 if abs(power) > 0.5 else 8  # MPPT (operating) / STANDBY
        return {
            "A": round(3 * phase_current, 2),
            "AphA": round(phase_current, 2),
            "AphB": round(phase_current, 2),
            "AphC": round(phase_current, 2),
            "A_SF": -2,
            "PPVphAB": 400.0,
            "PPVphBC": 400.0,
            "PPVphCA": 400.0,
            "PhVphA": 230.0,
            "PhVphB": 230.0,
            "PhVphC": 230.0,
            "V_SF": -1,
            "W": round(power),
            "W_SF": 0,
            "Hz": 50.0,
            "Hz_SF": -2,
            "VA": round(abs(power)),
            "VA_SF": 0,
            "VAr": 0,
            "VAr_SF": 0,
            "PF": 100 if power >= 0 else -100,
            "PF_SF": 0,
            "WH": round(self.storage.discharged_wh),
            "WH_SF": 0,
            "DCA": round(abs(power) / self.storage.battery_voltage, 2),
            "DCA_SF": -2,
            "DCV": round(self.storage.battery_voltage, 1),
            "DCV_SF": -1,
            "DCW": round(power),
            "DCW_SF": 0,
            "TmpCab": 35.0,
            "Tmp_SF": -1,
            "St": state,
            "Evt1": 0,
        }


class Household:
    """Load and PV of the home: fixed values, or day profiles on the wall clock `wall()`."""

    def __init__(
        self,
        load_w: float | None = 600.0,
        pv_w: float | None = 0.0,
        wall: Callable[[], float] = _time.time,
    ) -> None:
        self.load_w = load_w
        self.pv_w = pv_w
        self.wall = wall

    def load(self) -> float:
        if self.load_w is not None:
            return self.load_w
        return load_power(4_500_000 / 8760.0, self._hour())

    def pv(self) -> float:
        if self.pv_w is not None:
            return self.pv_w
        local = _time.localtime(self.wall())
        return pv_power(6_000.0, local.tm_yday, self._hour(), 50.0)

    def _hour(self) -> float:
        local = _time.localtime(self.wall())
        return local.tm_hour + local.tm_min / 60.0 + local.tm_sec / 3600.0


class GridMeter:
    """Model 203 at the grid connection: W = load − PV − battery (+ import, − export)."""

    table = METER

    def __init__(self, clock: MonotonicClock, storage: Storage, home: Household) -> None:
        self.clock = clock
        self.storage = storage
        self.home = home
        self.imported_wh = 500_000.0
        self.exported_wh = 200_000.0
        self.power_w = 0.0
        self._last = clock.monotonic()

    def advance(self) -> None:
        now = self.clock.monotonic()
        dt = max(now - self._last, 0.0)
        self._last = now
        energy = self.power_w * dt / 3600.0
        if energy >= 0:
            self.imported_wh += energy
        else:
            self.exported_wh -= energy
        self.power_w = self.home.load() - self.home.pv() - self.storage.power_w

    def values(self) -> Mapping[str, Decoded]:
        power = self.power_w
        phase = power / 3.0
        current = abs(phase) / 230.0
        values: dict[str, Decoded] = {
            "A": round(3 * current, 2),
            "AphA": round(current, 2),
            "AphB": round(current, 2),
            "AphC": round(current, 2),
            "A_SF": -2,
            "PhV": 230.0,
            "PhVphA": 230.0,
            "PhVphB": 230.0,
            "PhVphC": 230.0,
            "PPV": 400.0,
            "PhVphAB": 400.0,
            "PhVphBC": 400.0,
            "PhVphCA": 400.0,
            "V_SF": -1,
            "Hz": 50.0,
            "Hz_SF": -2,
            "W": round(power),
            "WphA": round(phase),
            "WphB": round(phase),
            "WphC": round(phase),
            "W_SF": 0,
            "VA": round(abs(power)),
            "VA_SF": 0,
            "VAR": 0,
            "VAR_SF": 0,
            "PF": 100,
            "PF_SF": 0,
            "TotWhExp": round(self.exported_wh),
            "TotWhImp": round(self.imported_wh),
            "TotWh_SF": 0,
            "Evt": 0,
        }
        return values


@dataclass
class Slot:
    """A model placed at `address` in a device's register space."""

    model_id: int
    address: int
    state: ModelState


class SunSpecImage:
    """The register space of one SunSpec device: marker, model chain, end marker."""

    def __init__(self, models: Sequence[tuple[int, ModelState]], advance: Sequence[object]) -> None:
        self.slots: list[Slot] = []
        address = BASE + 2
        for model_id, state in models:
            self.slots.append(Slot(model_id, address, state))
            address += state.table.length
        self.end = address + 2  # after the end marker
        self._advance = advance

    @property
    def size(self) -> int:
        return self.end - BASE

    def tick(self) -> None:
        for item in self._advance:
            step = getattr(item, "advance", None)
            if callable(step):
                step()

    def registers(self) -> list[int]:
        words = list(MARKER)
        for slot in self.slots:
            words += render(slot.state.table, slot.state.values(), slot.model_id)
        return [*words, END_ID, 0]

    def read(self, address: int, count: int) -> list[int]:
        self.tick()
        offset = address - BASE
        words = self.registers()
        if offset < 0 or offset + count > len(words):
            raise WriteRefused(f"read {address}+{count} outside the device")
        return words[offset : offset + count]

    def write(self, address: int, values: Sequence[int]) -> None:
        """Apply a write; raises WriteRefused for read-only or unmapped registers."""
        self.tick()
        for slot in self.slots:
            table = slot.state.table
            if not slot.address <= address < slot.address + table.length:
                continue
            writer = getattr(slot.state, "write", None)
            decoded = self._decode_write(slot, address, values)
            if writer is None or decoded is None:
                raise WriteRefused(f"write {address}+{len(values)} to read-only registers")
            for name, value in decoded:
                writer(name, value)
            return
        raise WriteRefused(f"write {address} outside any model")

    @staticmethod
    def _decode_write(
        slot: Slot, address: int, values: Sequence[int]
    ) -> list[tuple[str, Decoded]] | None:
        table = slot.state.table
        current = slot.state.values()
        start, end = address - slot.address, address - slot.address + len(values)
        result: list[tuple[str, Decoded]] = []
        for point in table.points:
            if point.offset + point.words <= start or point.offset >= end:
                continue
            if not point.writable or point.offset < start or point.offset + point.words > end:
                return None
            raw = decode_raw(
                point, values[point.offset - start : point.offset - start + point.words]
            )
            sf = point.scale if isinstance(point.scale, int) else current.get(point.scale or "", 0)
            result.append((point.name, apply_scale(raw, sf if isinstance(sf, int) else None)))
        return result


def storage_inverter(
    clock: MonotonicClock,
    faults: Faults,
    unit: int = 1,
    *,
    capacity_wh: float = 10_000.0,
    max_w: int = 5_000,
    initial_soc: float = 50.0,
) -> tuple[SunSpecImage, Storage]:
    storage = Storage(clock, faults, capacity_wh=capacity_wh, max_w=max_w, initial_soc=initial_soc)
    image = SunSpecImage(
        [
            (1, Common("SimStorage 5000", "WK-SIM-0001", unit)),
            (103, Inverter(storage)),
            (124, storage),
        ],
        advance=[storage],
    )
    return image, storage


def grid_meter(
    clock: MonotonicClock, storage: Storage, home: Household, unit: int = 2
) -> tuple[SunSpecImage, GridMeter]:
    meter = GridMeter(clock, storage, home)
    image = SunSpecImage(
        [(1, Common("SimMeter 3P", "WK-SIM-0002", unit)), (203, meter)],
        advance=[storage, meter],
    )
    return image, meter
