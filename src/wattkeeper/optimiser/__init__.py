"""Time-of-use optimiser: a pure MILP (HiGHS) from prices, forecasts and limits to a plan."""

from wattkeeper.optimiser.plan import Plan, PlanStatus
from wattkeeper.optimiser.problem import Battery, Ev, Grid, Objective, Problem


def solve(problem: Problem) -> Plan:
    """The cheapest plan for `problem` (optimiser/exact.py). numpy and HiGHS (~24 MB resident)
    are loaded by the first solve, so an edge without the time-of-use app never holds them."""
    from wattkeeper.optimiser.exact import solve as solve_now

    return solve_now(problem)


__all__ = ["Battery", "Ev", "Grid", "Objective", "Plan", "PlanStatus", "Problem", "solve"]
