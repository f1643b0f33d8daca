"""Depth-first branch and bound on warm-started LP re-solves, over the switches that matter only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np

from wattkeeper.optimiser.layout import Floats, Ints
from wattkeeper.optimiser.model import Model

# past this many LPs the search stops with the best plan so far (and says so)
MAX_NODES = 400
# a branch that cannot beat the incumbent by more than this is not explored (€; and relative)
GAP_ABSOLUTE = 1e-3
GAP_RELATIVE = 1e-4


@dataclass
class Outcome:
    x: Floats | None
    value: float
    nodes: int
    branched: int
    failure: str


def search(model: Model, offending: Callable[[Floats], Ints]) -> Outcome:
    """The MILP optimum: the LP with the switches in [0, 1], then a switch fixed to 0 or 1 only
    where the LP's answer breaks it. Each child LP starts from its parent's basis."""
    prefer_on = set() if model.ev_on is None else {int(c) for c in model.ev_on}
    highs = _highs(model)
    incumbent: Floats | None = None
    best = np.inf
    nodes = 0
    branched: set[int] = set()
    stack: list[dict[int, float]] = [{}]
    applied: dict[int, float] = {}
    while stack and nodes < MAX_NODES:
        fixed = stack.pop()
        _apply(highs, applied, fixed)
        applied = fixed
        nodes += 1
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            continue  # infeasible branch
        value = float(highs.getInfo().objective_function_value)
        if value >= best - max(GAP_ABSOLUTE, GAP_RELATIVE * abs(best)):
            continue  # cannot beat the plan we have
        x = np.asarray(highs.getSolution().col_value, dtype=np.float64)
        broken = [int(c) for c in offending(x) if int(c) not in fixed]
        if not broken:
            incumbent, best = x, value
            continue
        switch = broken[0]
        branched.add(switch)
        # "on" first: the EV at its minimum or more, the battery in the LP's direction;
        # it usually ends as the incumbent and prunes its sibling
        near = 1.0 if x[switch] >= 0.5 or switch in prefer_on else 0.0
        stack.append({**fixed, switch: 1.0 - near})
        stack.append({**fixed, switch: near})
    failure = ""
    if stack:
        failure = f"search stopped after {nodes} LPs: best plan found so far"
    if incumbent is None:
        return Outcome(None, 0.0, nodes, len(branched), failure or "no feasible plan")
    return Outcome(incumbent, best, nodes, len(branched), failure)


def _highs(model: Model) -> highspy.Highs:
    highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    # the instances are small and well scaled: presolve costs more than it saves
    highs.setOptionValue("presolve", "off")
    highs.setOptionValue("solver", "simplex")
    highs.passModel(
        len(model.col_cost),
        len(model.row_lower),
        len(model.a_index),
        2,  # MatrixFormat.kRowwise
        1,  # ObjSense.kMinimize
        0.0,
        model.col_cost,
        model.col_lower,
        model.col_upper,
        model.row_lower,
        model.row_upper,
        model.a_start,
        model.a_index,
        model.a_value,
        np.zeros(len(model.col_cost), dtype=np.int32),
    )
    return highs


def _apply(highs: highspy.Highs, before: dict[int, float], now: dict[int, float]) -> None:
    """Release the switches the last node fixed and this one does not; fix this node's."""
    released = [c for c in before if c not in now]
    if released:
        cols = np.asarray(released, dtype=np.int32)
        highs.changeColsBounds(len(cols), cols, np.zeros(len(cols)), np.ones(len(cols)))
    if now:
        cols = np.asarray(list(now), dtype=np.int32)
        values = np.asarray(list(now.values()), dtype=np.float64)
        highs.changeColsBounds(len(cols), cols, values, values)
