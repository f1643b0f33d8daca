"""The MILP of one instance: variables, constraints and objective as sparse arrays for HiGHS."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wattkeeper.optimiser.layout import INF, Columns, Floats, Ints, Rows
from wattkeeper.optimiser.problem import Objective, Problem

# € per kWh for giving way: above any day-ahead price, ordered by what matters most
PENALTY_SOC = 1000.0
PENALTY_IMPORT = 1000.0
PENALTY_EV = 100.0
# the cost stays a tie-breaker under the other objectives
TIE_BREAK = 1e-3


@dataclass(frozen=True)
class Model:
    """The arrays HiGHS takes, plus where each quantity's columns are."""

    col_lower: Floats
    col_upper: Floats
    col_cost: Floats
    row_lower: Floats
    row_upper: Floats
    a_start: Ints
    a_index: Ints
    a_value: Floats
    charge: Ints
    discharge: Ints
    grid_import: Ints
    grid_export: Ints
    curtail: Ints
    energy: Ints  # slots + 1 entries: energy at the start, then at each slot's end
    soc_low: Ints
    soc_high: Ints
    import_over: Ints
    battery_mode: Ints  # 1 charging may happen, 0 discharging may happen
    grid_mode: Ints  # 1 import may happen, 0 export may happen
    ev: Ints | None
    ev_on: Ints | None
    ev_short: Ints | None
    money: Floats  # the bill's coefficients (€ per column unit), for reporting the cost


def build(problem: Problem, energy_start: float) -> Model:
    """Lay out every variable and constraint; the switches are continuous in [0, 1] here."""
    n = problem.slots
    bat = problem.battery
    dt = np.asarray(problem.durations_h, dtype=np.float64)
    p_in = np.asarray(problem.import_price, dtype=np.float64)
    p_out = np.asarray(problem.export_price, dtype=np.float64)
    pv = np.asarray(problem.pv_kw, dtype=np.float64)
    load = np.asarray(problem.load_kw, dtype=np.float64)
    ev = problem.ev
    ev_max = ev.max_kw if ev else 0.0
    import_cap = _limits(problem.grid.import_limit_kw, n)
    export_cap = _limits(problem.grid.export_limit_kw, n)
    # the most each flow can physically be: the big-M of its on/off switch
    import_most = np.maximum(load + bat.max_charge_kw + ev_max, 1e-3)
    export_most = np.minimum(export_cap, pv + bat.max_discharge_kw)
    charge_most = max(bat.max_charge_kw, 1e-3)
    discharge_most = max(bat.max_discharge_kw, 1e-3)

    cols = Columns()
    charge = cols.block(n, 0.0, bat.max_charge_kw)
    discharge = cols.block(n, 0.0, bat.max_discharge_kw)
    grid_import = cols.block(n, 0.0, import_most)
    grid_export = cols.block(n, 0.0, export_most)
    curtail = cols.block(n, 0.0, pv)
    energy_lower = np.zeros(n + 1)
    energy_upper = np.full(n + 1, bat.capacity_kwh)
    energy_lower[0] = energy_upper[0] = energy_start
    energy = cols.block(n + 1, energy_lower, energy_upper)
    soc_low = cols.block(n, 0.0, INF)
    soc_high = cols.block(n, 0.0, INF)
    import_over = cols.block(n, 0.0, INF)
    battery_mode = cols.block(n, 0.0, 1.0)
    grid_mode = cols.block(n, 0.0, 1.0)

    rows = Rows()
    ev_cols = ev_on = ev_short = None
    ev_flow: Ints | None = None
    if ev is not None:
        window = np.zeros(n)
        window[max(ev.arrival, 0) : max(min(ev.departure, n), 0)] = 1.0
        ev_cols = cols.block(n, 0.0, ev.max_kw * window)
        ev_on = cols.block(n, 0.0, window)
        ev_short = cols.block(1, 0.0, INF)
        ev_flow = ev_cols
        rows.family(-INF, 0.0, (ev_cols, 1.0), (ev_on, -max(ev.max_kw, 1e-3)))
        if ev.min_kw > 0:
            rows.family(0.0, INF, (ev_cols, 1.0), (ev_on, -ev.min_kw))
        rows.single(
            ev.energy_kwh,
            INF,
            np.concatenate([ev_cols, ev_short]),
            np.concatenate([dt, [1.0]]),
        )

    # power balance: what comes in equals what goes out, in every slot
    balance: list[tuple[Ints, object]] = [
        (grid_import, 1.0),
        (discharge, 1.0),
        (charge, -1.0),
        (grid_export, -1.0),
        (curtail, -1.0),
    ]
    if ev_flow is not None:
        balance.append((ev_flow, -1.0))
    rows.family(load - pv, load - pv, *balance)
    # energy: the next slot holds what this one held plus what charging stored minus what left
    rows.family(
        0.0,
        0.0,
        (energy[1:], 1.0),
        (energy[:-1], -1.0),
        (charge, -bat.charge_efficiency * dt),
        (discharge, dt / bat.discharge_efficiency),
    )
    rows.family(bat.floor_kwh, INF, (energy[1:], 1.0), (soc_low, 1.0))
    rows.family(-INF, bat.ceiling_kwh, (energy[1:], 1.0), (soc_high, -1.0))
    rows.family(-INF, import_cap, (grid_import, 1.0), (import_over, -1.0))
    # the switches: charge xor discharge, import xor export (integral only where it matters)
    rows.family(-INF, 0.0, (charge, 1.0), (battery_mode, -charge_most))
    rows.family(-INF, discharge_most, (discharge, 1.0), (battery_mode, discharge_most))
    rows.family(-INF, 0.0, (grid_import, 1.0), (grid_mode, -import_most))
    export_switch = np.maximum(export_most, 1e-3)
    rows.family(-INF, export_switch, (grid_export, 1.0), (grid_mode, export_switch))

    col_lower, col_upper, _ = cols.arrays()
    money = np.zeros(cols.count)
    money[grid_import] = p_in * dt
    money[grid_export] = -p_out * dt
    cost = money.copy()
    cost[discharge] += bat.wear_cost_per_kwh * dt
    cost[energy[-1]] = -problem.terminal_value()
    if problem.objective is not Objective.COST:
        cost *= TIE_BREAK
    if problem.objective is Objective.SELF_CONSUMPTION:
        cost[grid_import] += dt
    cost[soc_low] = PENALTY_SOC
    cost[soc_high] = PENALTY_SOC
    cost[import_over] = PENALTY_IMPORT * dt
    if ev_short is not None:
        cost[ev_short] = PENALTY_EV
    if problem.objective is Objective.PEAK:
        cost = np.append(cost, 1.0)
        money = np.append(money, 0.0)
        peak = np.int32(cols.count)
        col_lower = np.append(col_lower, 0.0)
        col_upper = np.append(col_upper, INF)
        rows.family(0.0, INF, (np.full(n, peak, dtype=np.int32), 1.0), (grid_import, -1.0))
    row_lower, row_upper, a_start, a_index, a_value = rows.arrays()
    return Model(
        col_lower=col_lower,
        col_upper=col_upper,
        col_cost=cost,
        row_lower=row_lower,
        row_upper=row_upper,
        a_start=a_start,
        a_index=a_index,
        a_value=a_value,
        charge=charge,
        discharge=discharge,
        grid_import=grid_import,
        grid_export=grid_export,
        curtail=curtail,
        energy=energy,
        soc_low=soc_low,
        soc_high=soc_high,
        import_over=import_over,
        battery_mode=battery_mode,
        grid_mode=grid_mode,
        ev=ev_cols,
        ev_on=ev_on,
        ev_short=ev_short,
        money=money,
    )


def _limits(values: tuple[float, ...] | None, n: int) -> Floats:
    if values is None:
        return np.full(n, INF)
    out = np.full(n, INF)
    given = [INF if v is None or not v >= 0 else v for v in values[:n]]
    out[: len(given)] = given
    return out
