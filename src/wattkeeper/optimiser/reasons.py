"""What gave way in a plan: each soft constraint that had to bend, in words a user understands."""

from __future__ import annotations

import numpy as np

from wattkeeper.optimiser.layout import Floats
from wattkeeper.optimiser.model import Model
from wattkeeper.optimiser.problem import Problem

SHOWN = 1e-4  # kWh or kW below which a bend is rounding, not a reason


def relaxations(problem: Problem, model: Model, x: Floats) -> list[str]:
    reasons = []
    below = x[model.soc_low]
    if below.max(initial=0.0) > SHOWN:
        reasons.append(
            f"battery below its floor (SoC minimum or reserve) by up to {below.max():.2f} kWh "
            f"in {int((below > SHOWN).sum())} slots: it cannot be charged back sooner"
        )
    above = x[model.soc_high]
    if above.max(initial=0.0) > SHOWN:
        reasons.append(
            f"battery above its SoC maximum by up to {above.max():.2f} kWh "
            f"in {int((above > SHOWN).sum())} slots: it cannot be discharged sooner"
        )
    over = x[model.import_over]
    if over.max(initial=0.0) > SHOWN:
        reasons.append(
            f"grid import above its limit by up to {over.max():.2f} kW "
            f"in {int((over > SHOWN).sum())} slots: consumption exceeds the limit and the battery"
        )
    if model.ev_short is not None and problem.ev is not None:
        short = float(x[model.ev_short][0])
        if short > SHOWN:
            got = problem.ev.energy_kwh - short
            reasons.append(
                f"EV target cannot be met: {got:.2f} of {problem.ev.energy_kwh:.2f} kWh "
                "by departure at its maximum power"
            )
    if np.isnan(x).any():
        reasons.append("solver returned undefined values")
    return reasons
