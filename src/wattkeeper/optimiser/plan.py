"""The optimiser's answer: a plan per slot, its cost, and why it is not the plan asked for."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class PlanStatus(enum.Enum):
    """OPTIMAL: every limit holds; RELAXED: the best feasible plan, `reasons` say what gave way."""

    OPTIMAL = "optimal"
    RELAXED = "relaxed"
    NO_PLAN = "no-plan"


@dataclass(frozen=True)
class Plan:
    """Per-slot powers in kW (battery: + discharges; grid: + imports), energy at slot ends."""

    status: PlanStatus
    durations_h: tuple[float, ...] = ()
    charge_kw: tuple[float, ...] = ()
    discharge_kw: tuple[float, ...] = ()
    import_kw: tuple[float, ...] = ()
    export_kw: tuple[float, ...] = ()
    ev_kw: tuple[float, ...] = ()
    curtailed_kw: tuple[float, ...] = ()
    energy_kwh: tuple[float, ...] = ()
    cost: float = 0.0
    objective_value: float = 0.0
    reasons: tuple[str, ...] = ()
    binaries: int = 0
    solve_ms: float = 0.0
    rounds: int = 0
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def slots(self) -> int:
        return len(self.durations_h)

    def battery_kw(self, slot: int) -> float:
        """The battery's AC power in the slot, OpenEMS sign: positive discharges."""
        return self.discharge_kw[slot] - self.charge_kw[slot]

    def grid_kw(self, slot: int) -> float:
        return self.import_kw[slot] - self.export_kw[slot]


def no_plan(reason: str) -> Plan:
    """No plan at all (nothing to plan over); the controller falls back to self-consumption."""
    return Plan(status=PlanStatus.NO_PLAN, reasons=(reason,))
