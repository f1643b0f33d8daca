"""One slot of a plan as this cycle's constraint: a state, a relation and watts, and evcc's mode."""

from __future__ import annotations

from dataclasses import dataclass

from wattkeeper.controllers.time_of_use.channels import State
from wattkeeper.power.model import Relation

TOLERANCE_KW = 0.01


@dataclass(frozen=True)
class Step:
    """What the battery does now. `relation` None: nothing added, self-consumption decides."""

    state: State
    relation: Relation | None
    watts: int
    evcc_mode: str
    evcc_watts: int


BALANCE = Step(State.BALANCING, None, 0, "normal", 0)


def step(
    charge: float, discharge: float, grid_import: float, grid_export: float, pv: float, load: float
) -> Step:
    """The slot's planned powers (kW) as a constraint that survives forecast errors: the plan's
    intent (charge from the grid, hold back, limit) rather than its exact numbers where
    self-consumption already does the same."""
    deficit = load - pv
    if charge > TOLERANCE_KW and grid_import > TOLERANCE_KW:
        watts = round(charge * 1000)
        return Step(State.CHARGE_GRID, Relation.EQUALS, -watts, "charge", watts)
    if discharge > TOLERANCE_KW and grid_export > TOLERANCE_KW:
        watts = round(discharge * 1000)
        return Step(State.DISCHARGE_GRID, Relation.EQUALS, watts, "normal", watts)
    if discharge > TOLERANCE_KW:
        if discharge < deficit - TOLERANCE_KW:
            # cover only part of the load now: the rest of the energy is worth more later
            watts = round(discharge * 1000)
            return Step(State.DELAY_DISCHARGE, Relation.LESS_OR_EQUALS, watts, "hold", watts)
        return BALANCE
    if charge > TOLERANCE_KW:
        if charge < -deficit - TOLERANCE_KW:
            watts = round(charge * 1000)
            return Step(State.DELAY_CHARGE, Relation.GREATER_OR_EQUALS, -watts, "holdcharge", watts)
        return BALANCE
    if deficit > TOLERANCE_KW:
        return Step(State.DELAY_DISCHARGE, Relation.LESS_OR_EQUALS, 0, "hold", 0)
    if deficit < -TOLERANCE_KW:
        return Step(State.DELAY_CHARGE, Relation.GREATER_OR_EQUALS, 0, "holdcharge", 0)
    return BALANCE


HOLDS = (State.DELAY_DISCHARGE, State.DELAY_CHARGE)


def executed(planned: Step, mode: str) -> Step:
    """What the cycle applies of a planned step. "plan": the plan's intent, holds included.
    "grid-only": only charging from and discharging into the grid; where the plan would hold
    the battery back, self-consumption decides, because a hold is right only if the forecast
    is (bench_tou_year: with our own forecasts holds cost more than they save)."""
    if mode == "grid-only" and planned.state in HOLDS:
        return BALANCE
    return planned
