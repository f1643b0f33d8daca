"""A solved plan placed in time: slot boundaries, the inputs it was solved for, and its steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wattkeeper.controllers.time_of_use.execution import BALANCE, Step, step
from wattkeeper.optimiser import Plan, PlanStatus, Problem


@dataclass(frozen=True)
class Schedule:
    bounds: tuple[datetime, ...]  # slots + 1 boundaries, UTC
    problem: Problem
    plan: Plan

    @property
    def usable(self) -> bool:
        return self.plan.status is not PlanStatus.NO_PLAN and self.plan.slots > 0

    @property
    def end(self) -> datetime:
        return self.bounds[min(self.plan.slots, len(self.bounds) - 1)]

    def slot(self, when: datetime) -> int | None:
        """The slot containing `when`; None before the plan or past its horizon."""
        if not self.usable:
            return None
        for i in range(self.plan.slots):
            if self.bounds[i] <= when < self.bounds[i + 1]:
                return i
        return None

    def step(self, i: int) -> Step:
        p, q = self.plan, self.problem
        if not self.usable:
            return BALANCE
        return step(
            p.charge_kw[i],
            p.discharge_kw[i],
            p.import_kw[i],
            p.export_kw[i],
            q.pv_kw[i],
            q.load_kw[i],
        )

    def soc_percent(self, i: int) -> float:
        """The planned SoC at the start of slot i."""
        return 100.0 * self.plan.energy_kwh[i] / self.problem.battery.capacity_kwh
