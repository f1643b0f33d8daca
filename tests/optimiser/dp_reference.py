"""An independent optimum for battery-only instances: backward dynamic programming over an SoC grid.

It shares no code with the MILP: the same physics written as a recursion over energy states,
with each slot's decision taken from the grid steps plus the kinks of that slot's cost (where the
grid flow changes direction or the power limits bind), the value between grid points interpolated.
"""

from __future__ import annotations

import numpy as np

from wattkeeper.optimiser import Problem


def slot_cost(problem: Problem, t: int, delta: np.ndarray) -> np.ndarray:
    """Money for slot t when the stored energy changes by `delta` kWh (inf where not allowed)."""
    bat = problem.battery
    dt = problem.durations_h[t]
    charge = np.where(delta > 0, delta / (bat.charge_efficiency * dt), 0.0)
    discharge = np.where(delta < 0, -delta * bat.discharge_efficiency / dt, 0.0)
    net = problem.load_kw[t] - problem.pv_kw[t] + charge - discharge
    p_in, p_out = problem.import_price[t], problem.export_price[t]
    pv = problem.pv_kw[t]

    def bill(flow: np.ndarray) -> np.ndarray:
        return np.where(flow > 0, p_in * flow, p_out * flow) * dt

    # curtailing PV raises the net flow by up to pv: the bill is convex in the flow (feed-in
    # never above the import price), so the best curtailment is at an end or at zero flow
    cost = np.minimum(bill(net), bill(net + pv))
    cost = np.where((net <= 0) & (net + pv >= 0), np.minimum(cost, 0.0), cost)
    cost = cost + bat.wear_cost_per_kwh * discharge * dt
    ok = (charge <= bat.max_charge_kw + 1e-9) & (discharge <= bat.max_discharge_kw + 1e-9)
    return np.where(ok, cost, np.inf)


def optimum(problem: Problem, step_kwh: float = 0.01) -> float:
    """The least objective (bill minus the value left at the end) from the problem's start SoC."""
    bat = problem.battery
    lo, hi = bat.floor_kwh, bat.ceiling_kwh
    states = np.linspace(lo, hi, round((hi - lo) / step_kwh) + 1)
    value = -problem.terminal_value() * states
    start = bat.soc * bat.capacity_kwh
    for t in reversed(range(problem.slots)):
        dt = problem.durations_h[t]
        up = bat.max_charge_kw * bat.charge_efficiency * dt
        down = bat.max_discharge_kw * dt / bat.discharge_efficiency
        steps = np.arange(-np.floor(down / step_kwh), np.floor(up / step_kwh) + 1) * step_kwh
        net0 = problem.load_kw[t] - problem.pv_kw[t]
        kinks = [0.0, up, -down]
        kinks.append(
            -net0 / bat.discharge_efficiency * dt
            if net0 > 0
            else -net0 * bat.charge_efficiency * dt
        )
        kinks.append(-problem.load_kw[t] / bat.discharge_efficiency * dt)
        deltas = np.concatenate([steps, [k for k in kinks if -down <= k <= up]])
        costs = slot_cost(problem, t, deltas)
        keep = np.isfinite(costs)
        deltas, costs = deltas[keep], costs[keep]
        states_here = states if t > 0 else np.array([start])
        after = states_here[:, None] + deltas[None, :]
        inside = (after >= lo - 1e-9) & (after <= hi + 1e-9)
        total = costs[None, :] + np.interp(after, states, value)
        best = np.where(inside, total, np.inf).min(axis=1)
        value = best
    return float(value[0])


def no_battery_cost(problem: Problem) -> float:
    """The bill with the battery idle: the scale the 0.1 % is measured against."""
    total = 0.0
    for t in range(problem.slots):
        net = problem.load_kw[t] - problem.pv_kw[t]
        price = problem.import_price[t] if net > 0 else max(problem.export_price[t], 0.0)
        total += price * net * problem.durations_h[t]
    return total
