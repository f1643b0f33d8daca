"""The power solver: a pure function from limits and ordered constraints to setpoints.

Constraints are applied in priority order to an interval per battery. A constraint that no
longer fits is fitted into what is still possible (Equals clamped, <= raised to the minimum,
>= lowered to the maximum) and reported as an Adjustment; earlier constraints always win.
A cluster's interval and its members' intervals are kept consistent, so constraints on both
mix freely. Without an Equals the value closest to zero is chosen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from wattkeeper.power.distribution import distribute, soc_weights
from wattkeeper.power.interval import closest_to_zero, fit
from wattkeeper.power.model import Adjustment, Constraint, EssLimits, Pwr, Setpoint, Solution


@dataclass(slots=True)
class _Bounds:
    low: float
    high: float


@dataclass(slots=True)
class _Cluster:
    members: list[str]
    low: float = -math.inf
    high: float = math.inf
    sum_low: float = 0.0
    sum_high: float = 0.0

    def effective(self) -> tuple[float, float]:
        return max(self.low, self.sum_low), min(self.high, self.sum_high)


def solve(
    limits: Sequence[EssLimits],
    clusters: Mapping[str, Sequence[str]],
    constraints: Sequence[Constraint],
) -> Solution:
    solution = Solution()
    by_id = {lim.ess_id: lim for lim in limits}
    member_of = {m: cid for cid, members in clusters.items() for m in members if m in by_id}
    active = _solve_dimension(
        Pwr.ACTIVE,
        {
            i: _Bounds(
                max(lim.min_active, -lim.max_apparent), min(lim.max_active, lim.max_apparent)
            )
            for i, lim in by_id.items()
        },
        by_id,
        clusters,
        member_of,
        constraints,
        solution,
    )
    active = {ess_id: float(round(value)) for ess_id, value in active.items()}
    reactive_bounds = {}
    for ess_id, lim in by_id.items():
        # what the apparent-power limit leaves for reactive power, in whole var
        room = float(math.floor(math.sqrt(max(lim.max_apparent**2 - active[ess_id] ** 2, 0.0))))
        if not lim.reactive_capable:
            room = 0.0
        reactive_bounds[ess_id] = _Bounds(-room, room)
    reactive = _solve_dimension(
        Pwr.REACTIVE, reactive_bounds, by_id, clusters, member_of, constraints, solution
    )
    for ess_id in list(by_id) + [c for c in clusters if c in active]:
        solution.setpoints[ess_id] = Setpoint(round(active[ess_id]), round(reactive[ess_id]))
    return solution


def _solve_dimension(
    pwr: Pwr,
    bounds: dict[str, _Bounds],
    by_id: Mapping[str, EssLimits],
    clusters: Mapping[str, Sequence[str]],
    member_of: Mapping[str, str],
    constraints: Sequence[Constraint],
    solution: Solution,
) -> dict[str, float]:
    groups = {}
    for cid, members in clusters.items():
        present = [m for m in members if m in bounds]
        group = _Cluster(present)
        group.sum_low = sum(bounds[m].low for m in present)
        group.sum_high = sum(bounds[m].high for m in present)
        groups[cid] = group

    for constraint in constraints:
        if constraint.pwr is not pwr:
            continue
        target = constraint.ess_id
        if target in groups:
            group = groups[target]
            low, high = group.effective()
            group.low, group.high, fitted = fit(low, high, constraint.relation, constraint.value)
        elif target in bounds:
            own = bounds[target]
            group_id = member_of.get(target)
            low, high = own.low, own.high
            if group_id is not None:
                group = groups[group_id]
                low = max(low, group.low - (group.sum_high - own.high))
                high = min(high, group.high - (group.sum_low - own.low))
            new_low, new_high, fitted = fit(low, high, constraint.relation, constraint.value)
            if group_id is not None:
                group.sum_low += new_low - own.low
                group.sum_high += new_high - own.high
            own.low, own.high = new_low, new_high
        else:
            if constraint not in solution.unknown:
                solution.unknown.append(constraint)
            continue
        if fitted is not None:
            solution.adjustments.append(
                Adjustment(constraint, fitted, f"outside the feasible range [{low:g}, {high:g}]")
            )

    result = {ess_id: closest_to_zero(b.low, b.high) for ess_id, b in bounds.items()}
    for cid, group in groups.items():
        if not group.members:
            continue
        total = closest_to_zero(*group.effective())
        members = group.members
        lows = [bounds[m].low for m in members]
        highs = [bounds[m].high for m in members]
        if pwr is Pwr.ACTIVE:
            weights = soc_weights(
                total, [by_id[m].soc for m in members], [by_id[m].capacity for m in members]
            )
        else:
            weights = [max(h - lo, 0.0) for lo, h in zip(lows, highs, strict=True)]
        for member, share in zip(members, distribute(total, lows, highs, weights), strict=True):
            result[member] = share
        result[cid] = total
    return result
