"""The EV of the year simulation: sessions from an evening arrival to a morning departure with
the energy needed by then, the charger that always meets it, and the year's exact optimum with
or without the EV (one programme: the optimiser's Problem holds one EV session, the year has
hundreds; without the EV it gives the optimiser's own year solve, −53.51 € on 2024, in a third
of the time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import highspy
import numpy as np

from wattkeeper.optimiser.layout import INF, Columns, Rows

EV_MAX = 11.0  # kW: a three-phase 16 A wallbox
EV_MIN = 4.2  # kW: the smallest current a car accepts (6 A on three phases)


@dataclass(frozen=True)
class Session:
    """Plugged in at slot `arrival`, must hold `energy` kWh more before slot `departure`."""

    arrival: int
    departure: int
    energy: float


def sessions(starts: list[datetime], dt: float, seed: int = 11) -> list[Session]:
    """A commuter's car: home between 17:00 and 20:00 on working days (and on half of the
    weekend evenings), away between 06:30 and 08:00, 6 to 20 kWh to recharge."""
    rng = np.random.default_rng(seed)
    index = {t: i for i, t in enumerate(starts)}
    zone = starts[0].tzinfo
    found = []
    day = starts[0].date()
    while True:
        arrive_q = int(rng.integers(17 * 4, 20 * 4))
        leave_q = int(rng.integers(26, 32))
        energy = float(rng.uniform(6.0, 20.0))
        weekend_home = rng.uniform() < 0.5
        evening = datetime.combine(day, time(arrive_q // 4, 15 * (arrive_q % 4)), zone)
        morning = datetime.combine(
            day + timedelta(days=1), time(leave_q // 4, 15 * (leave_q % 4)), zone
        )
        if evening not in index:
            break
        if morning not in index:
            break
        if day.weekday() < 5 or weekend_home:
            a, d = index[evening], index[morning]
            # never more than the charger can deliver in 80 % of the time parked
            found.append(Session(a, d, min(energy, 0.8 * EV_MAX * (d - a) * dt)))
        day += timedelta(days=1)
    return found


class Charger:
    """The wallbox: charges what is asked (kW) while a car is plugged in, but never less than
    what still meets the departure at full power, never more than the car still takes."""

    def __init__(self, found: list[Session], n: int, dt: float) -> None:
        self.sessions = found
        self.dt = dt
        self.at = np.full(n, -1, dtype=np.int64)
        for k, s in enumerate(found):
            self.at[s.arrival : s.departure] = k
        self.left = [s.energy for s in found]
        self.arrivals = {s.arrival for s in found}

    def power(self, i: int, wish_kw: float) -> float:
        k = int(self.at[i])
        if k < 0:
            return 0.0
        left = self.left[k]
        later = (self.sessions[k].departure - i - 1) * EV_MAX * self.dt
        must = max(left - later, 0.0) / self.dt
        power = min(max(wish_kw, must), EV_MAX, left / self.dt)
        self.left[k] = left - power * self.dt
        # the car leaves with what it needed, whatever the strategy asked for
        assert i + 1 < self.sessions[k].departure or self.left[k] < 1e-6
        return power

    def next_session(self, i: int) -> int | None:
        """The session plugged in now, or else the next one to come."""
        k = int(self.at[i])
        if k >= 0:
            return k
        later = [k for k, s in enumerate(self.sessions) if s.arrival > i]
        return later[0] if later else None


def optimum(
    pv: np.ndarray,
    load: np.ndarray,
    price: np.ndarray,
    found: list[Session],
    battery: tuple[float, float, float, float, float],
    feed_in: float,
    dt: float,
) -> float:
    """The cheapest year with the EV: the optimiser's battery model (charge and discharge
    efficiency, floor, power limits, curtailment) with every session's energy as a row. An LP
    but where the import price is below the feed-in tariff (a few hours of negative spot
    prices): there importing and exporting at once would pay, so a switch per such slot."""
    cap, pmax, eta, floor, start = battery
    n = len(pv)
    cols, rows = Columns(), Rows()
    charge = cols.block(n, 0.0, pmax)
    discharge = cols.block(n, 0.0, pmax)
    grid_import = cols.block(n, 0.0, INF, price * dt)
    grid_export = cols.block(n, 0.0, INF, -feed_in * dt)
    curtail = cols.block(n, 0.0, pv)
    lower, upper = np.full(n + 1, floor), np.full(n + 1, cap)
    lower[0] = upper[0] = start
    energy = cols.block(n + 1, lower, upper)
    window = np.zeros(n)
    for s in found:
        window[s.arrival : s.departure] = EV_MAX
    ev = cols.block(n, 0.0, window)
    rows.family(load - pv, load - pv, (grid_import, 1.0), (discharge, 1.0), (charge, -1.0),
                (grid_export, -1.0), (curtail, -1.0), (ev, -1.0))  # fmt: skip
    cheap = np.flatnonzero(price < feed_in)
    switch = cols.block(len(cheap), 0.0, 1.0)
    import_most = load[cheap] + pmax + EV_MAX
    export_most = pv[cheap] + pmax
    rows.family(-INF, 0.0, (grid_import[cheap], 1.0), (switch, -import_most))
    rows.family(-INF, export_most, (grid_export[cheap], 1.0), (switch, export_most))
    rows.family(0.0, 0.0, (energy[1:], 1.0), (energy[:-1], -1.0), (charge, -eta * dt),
                (discharge, dt / eta))  # fmt: skip
    for s in found:
        span = ev[s.arrival : s.departure]
        rows.single(s.energy, s.energy, span, np.full(len(span), dt))
    col_lower, col_upper, cost = cols.arrays()
    row_lower, row_upper, a_start, a_index, a_value = rows.arrays()
    highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    integrality = np.zeros(cols.count, dtype=np.int32)
    integrality[switch] = 1
    highs.passModel(cols.count, rows.count, len(a_index), 2, 1, 0.0, cost, col_lower, col_upper,
                    row_lower, row_upper, a_start, a_index, a_value, integrality)  # fmt: skip
    highs.setOptionValue("mip_rel_gap", 1e-6)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"the year's LP: {highs.modelStatusToString(highs.getModelStatus())}")
    return float(highs.getInfo().objective_function_value)
