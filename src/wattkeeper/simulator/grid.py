"""The simulated household and the grid meter that closes its balance (model 203)."""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Mapping

from wattkeeper.drivers.simulated.physics import load_power, pv_power
from wattkeeper.protocols.registers import (
    Decoded,
)
from wattkeeper.protocols.sunspec.models import (
    METER,
)
from wattkeeper.simulator.faults import MonotonicClock
from wattkeeper.simulator.storage import Storage


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


class SimulatedMeter:
    """Model 203 with a power of `measure()` W (+ import into the meter), counted in Wh."""

    table = METER

    def __init__(
        self,
        clock: MonotonicClock,
        measure: Callable[[], float],
        imported_wh: float = 0.0,
        exported_wh: float = 0.0,
    ) -> None:
        self.clock = clock
        self.measure = measure
        self.imported_wh = imported_wh
        self.exported_wh = exported_wh
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
        self.power_w = self.measure()

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


class GridMeter(SimulatedMeter):
    """At the grid connection: W = load − PV − battery (+ import, − export). Its lifetime
    counters are not zero, as a real meter's are not."""

    def __init__(self, clock: MonotonicClock, storage: Storage, home: Household) -> None:
        super().__init__(clock, self._grid, imported_wh=500_000.0, exported_wh=200_000.0)
        self.storage = storage
        self.home = home

    def _grid(self) -> float:
        return self.home.load() - self.home.pv() - self.storage.power_w


class PvMeter(SimulatedMeter):
    """At the PV inverter's AC output, mounted so that production reads positive (W = PV).
    Its counters start above 0: an acc32 of 0 means "not accumulated" in SunSpec."""

    def __init__(self, clock: MonotonicClock, home: Household) -> None:
        super().__init__(clock, home.pv, imported_wh=12_000.0, exported_wh=1.0)
