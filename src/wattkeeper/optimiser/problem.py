"""The optimiser's input: slots, prices, forecasts, battery, grid and one deferrable load."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from datetime import datetime


class Objective(enum.Enum):
    """What the plan minimises; every objective keeps the cost as a tie-breaker."""

    COST = "cost"
    SELF_CONSUMPTION = "self-consumption"
    PEAK = "peak"


@dataclass(frozen=True)
class Battery:
    """Usable capacity in kWh, AC power limits in kW, SoC limits and reserve as fractions (0..1)."""

    capacity_kwh: float
    soc: float
    max_charge_kw: float
    max_discharge_kw: float
    charge_efficiency: float = 0.95
    discharge_efficiency: float = 0.95
    soc_min: float = 0.0
    soc_max: float = 1.0
    reserve: float = 0.0
    wear_cost_per_kwh: float = 0.0

    @property
    def floor_kwh(self) -> float:
        """The lowest energy a plan may hold: the SoC minimum or the emergency reserve."""
        return max(self.soc_min, self.reserve) * self.capacity_kwh

    @property
    def ceiling_kwh(self) -> float:
        return self.soc_max * self.capacity_kwh


@dataclass(frozen=True)
class Grid:
    """Per-slot import/export limits in kW (None: only the physics limits it)."""

    import_limit_kw: tuple[float, ...] | None = None
    export_limit_kw: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Ev:
    """One deferrable load: energy_kwh must reach it before slot `departure` (exclusive).

    With `time_share` (the default) a slot's mean power below `min_kw` is met by charging at
    `min_kw` or more for part of the slot, so the minimum needs no binary; without it the
    charger runs the whole slot or not at all, and the minimum becomes a switch per slot.
    """

    energy_kwh: float
    departure: int
    max_kw: float
    min_kw: float = 0.0
    arrival: int = 0
    time_share: bool = True


@dataclass(frozen=True)
class Problem:
    """One instance: per-slot durations (h), prices (€/kWh), forecasts (kW mean over a slot)."""

    durations_h: tuple[float, ...]
    import_price: tuple[float, ...]
    export_price: tuple[float, ...]
    pv_kw: tuple[float, ...]
    load_kw: tuple[float, ...]
    battery: Battery
    grid: Grid = field(default_factory=Grid)
    ev: Ev | None = None
    objective: Objective = Objective.COST
    # € per kWh left in the battery at the end; None: the median import price after discharge losses
    terminal_value_per_kwh: float | None = None
    starts: tuple[datetime, ...] | None = None

    @property
    def slots(self) -> int:
        return len(self.durations_h)

    def terminal_value(self) -> float:
        if self.terminal_value_per_kwh is not None:
            return self.terminal_value_per_kwh
        prices = sorted(p for p in self.import_price if math.isfinite(p))
        if not prices:
            return 0.0
        return prices[len(prices) // 2] * self.battery.discharge_efficiency
