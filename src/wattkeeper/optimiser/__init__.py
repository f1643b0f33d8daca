"""Time-of-use optimiser: a pure MILP (HiGHS) from prices, forecasts and limits to a plan."""

from wattkeeper.optimiser.plan import Plan, PlanStatus
from wattkeeper.optimiser.problem import Battery, Ev, Grid, Objective, Problem
from wattkeeper.optimiser.solve import solve

__all__ = ["Battery", "Ev", "Grid", "Objective", "Plan", "PlanStatus", "Problem", "solve"]
