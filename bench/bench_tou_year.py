"""A year in 15-minute steps for one household, battery 10 kWh / 5 kW: the yearly bill of no
battery, self-consumption, OpenEMS-like price rules, ours with perfect forecasts, ours with our
own forecasts, and the perfect-foresight optimum (one LP over the whole year, with a switch
where the import price is below the feed-in tariff); once without and
once with an EV (bench/tou_year_ev.py): the baselines charge it at full power from its arrival,
ours plans it with the battery.

Run: .venv/bin/python -m bench.bench_tou_year [--days N] [--prices recorded|synthetic]
     [--ev without|with|both] [--inputs simulator|pvlib] [--emhass-python PY]

Prices: by default the recorded day-ahead prices of 2024 for DE-LU (bench/data, from SMARD.de,
CC BY 4.0), as a dynamic tariff passes them on: (spot + 17 ct/kWh of grid fees, levies and
margin) × 1.19 VAT; `--prices synthetic` uses a seeded day-ahead-shaped curve instead. PV and
load come from the demo simulator's models, or with `--inputs pvlib` (`pip install -e .[bench]`)
from a TMY that pvlib ships through PVWatts and demandlib's BDEW H0 (bench/tou_inputs.py).
The figures compare strategies on the same inputs; they are not a forecast of a real bill.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from bench.tou_year_ev import EV_MAX, EV_MIN, Charger, Session, optimum
from bench.tou_year_ev import sessions as ev_sessions
from wattkeeper.controllers.time_of_use.execution import executed
from wattkeeper.controllers.time_of_use.execution import step as intent
from wattkeeper.drivers.simulated.physics import load_power, pv_power
from wattkeeper.forecast.profile import Profile
from wattkeeper.optimiser import Battery, Ev, Problem, solve
from wattkeeper.power.model import Relation

ZONE = ZoneInfo("Europe/Berlin")
START = datetime(2024, 1, 1, tzinfo=ZONE)  # the recorded prices' year
RECORDED = Path(__file__).parent / "data" / "day-ahead-de-lu-2024.csv"
SURCHARGE = 0.17  # €/kWh on top of the spot price: grid fees, levies, the supplier's margin
VAT = 1.19
DT = 0.25
CAP, PMAX, ETA = 10.0, 5.0, 0.95
FLOOR = 0.05 * CAP
FEED_IN = 0.08
# a strategy: (slot, stored kWh) -> a constraint on the battery (kW, + discharge), or None
Rule = Callable[[int, float], tuple[Relation, float] | None]
EXECUTION = "grid-only"  # the controller's default (ADR 0181)
REPLAN = 16  # slots between plans (4 h); the controller re-plans every quarter hour


def recorded_prices(starts: list[datetime]) -> np.ndarray:
    """The retail price (€/kWh) of each quarter hour from the recorded hourly spot prices."""
    spot: dict[datetime, float] = {}
    for line in RECORDED.read_text(encoding="utf-8").splitlines():
        if line.startswith(("#", "utc_start")):
            continue
        when, value = line.split(",")
        spot[datetime.strptime(when, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)] = float(value)
    hours = [t.astimezone(UTC).replace(minute=0) for t in starts]
    return np.array([(spot[h] / 1000 + SURCHARGE) * VAT for h in hours])


def inputs(
    days: int, seed: int = 7, recorded: bool = True
) -> tuple[list[datetime], np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = days * 96
    # quarter hours counted in UTC: the DST days have 92 and 100 of them in local time
    first = START.astimezone(UTC)
    starts = [(first + timedelta(minutes=15 * i)).astimezone(ZONE) for i in range(n)]
    cloud = np.repeat(rng.uniform(0.2, 1.0, days), 96)
    noise = rng.lognormal(0, 0.25, n)
    pv, load, price = np.zeros(n), np.zeros(n), np.zeros(n)
    daily = np.repeat(rng.normal(0, 0.03, days), 96)
    for i, t in enumerate(starts):
        hour = t.hour + t.minute / 60
        yday = t.timetuple().tm_yday
        pv[i] = pv_power(7000, yday, hour, 50.0, cloud[i]) / 1000
        load[i] = load_power(4500 / 8.76, hour) / 1000 * noise[i]
        season = 0.03 * math.cos(2 * math.pi * (yday - 15) / 365)
        solar_dip = 0.06 * pv[i] / 7.0
        price[i] = (
            0.30
            + season
            + 0.06 * math.exp(-(((hour - 8) / 1.5) ** 2))
            + 0.10 * math.exp(-(((hour - 19) / 2.0) ** 2))
            - solar_dip
            + daily[i]
            + rng.normal(0, 0.01)
        )
    if recorded:
        price = recorded_prices(starts)
    return starts, pv, load, price


def bill(grid: np.ndarray, price: np.ndarray) -> float:
    return float(np.sum(np.where(grid > 0, grid * price, grid * FEED_IN)) * DT)


def run_battery(
    pv: np.ndarray,
    load: np.ndarray,
    price: np.ndarray,
    decide: Rule,
    ev: Callable[[int], float] | None = None,
) -> float:
    """Simulate the battery slot by slot; `decide(i, energy)` gives (relation, kW) or None;
    `ev(i)` is the EV's charging power in slot i (after decide: a plan made at i counts)."""
    energy = 0.5 * CAP
    grid = np.zeros(len(pv))
    for i in range(len(pv)):
        rule = decide(i, energy)
        net = load[i] - pv[i] + (0.0 if ev is None else ev(i))  # from battery or grid
        balance = net  # self-consumption: + discharge
        power = balance
        if rule is not None:
            relation, watts = rule
            if relation is Relation.EQUALS:
                power = watts
            elif relation is Relation.LESS_OR_EQUALS:
                power = min(balance, watts)
            elif relation is Relation.GREATER_OR_EQUALS:
                power = max(balance, watts)
        power = min(max(power, -PMAX), PMAX)
        if power > 0:
            power = min(power, max(energy - FLOOR, 0) * ETA / DT)
            energy -= power * DT / ETA
        else:
            power = max(power, -(CAP - energy) / ETA / DT)
            energy -= power * DT * ETA
        grid[i] = net - power
    return bill(grid, price)


def plan_daily(
    starts: list[datetime],
    pv: np.ndarray,
    load: np.ndarray,
    price: np.ndarray,
    forecast: bool,
    found: list[Session] | None = None,
) -> tuple[float, list[float]]:
    """Ours: a 36-hour plan every REPLAN slots (and when the car arrives), executed as the
    controller does; with `found`, the EV's session is in the plan (with our own forecasts
    only once the car is plugged in: nobody tells us before)."""
    n = len(pv)
    consumption, production = Profile(default=0.4), Profile(default=0.0)
    decisions: dict[int, tuple[Relation, float] | None] = {}
    ev_plan: dict[int, float] = {}
    charger = None if found is None else Charger(found, n, DT)
    times: list[float] = []

    def session(i: int, horizon: int) -> Ev | None:
        k = None if charger is None else charger.next_session(i)
        if charger is None or k is None:
            return None
        s = charger.sessions[k]
        if s.departure > horizon or (forecast and s.arrival > i):
            return None
        return Ev(charger.left[k], s.departure - i, EV_MAX, EV_MIN, max(s.arrival - i, 0))

    def decide(i: int, energy: float) -> tuple[Relation, float] | None:
        if i % REPLAN == 0 or (charger is not None and i in charger.arrivals):
            horizon = min(n, i + 36 * 4)
            if forecast:
                f_pv = [production.expect(starts[j]) for j in range(i, horizon)]
                f_load = [consumption.expect(starts[j]) for j in range(i, horizon)]
            else:
                f_pv, f_load = list(pv[i:horizon]), list(load[i:horizon])
            problem = Problem(
                durations_h=(DT,) * (horizon - i),
                import_price=tuple(price[i:horizon]),
                export_price=(FEED_IN,) * (horizon - i),
                pv_kw=tuple(f_pv),
                load_kw=tuple(f_load),
                battery=Battery(CAP, energy / CAP, PMAX, PMAX, ETA, ETA, reserve=FLOOR / CAP),
                # what is left at the end of the year is worth nothing, as in the optimum
                terminal_value_per_kwh=0.0
                if horizon == n
                else float(np.median(price[i:horizon])) * ETA,
                ev=session(i, horizon),
            )
            started = time.perf_counter()
            plan = solve(problem)
            times.append(time.perf_counter() - started)
            for k in range(min(REPLAN, plan.slots)):
                ev_kw = plan.ev_kw[k] if plan.ev_kw else 0.0
                ev_plan[i + k] = ev_kw
                s = intent(plan.charge_kw[k], plan.discharge_kw[k], plan.import_kw[k],
                           plan.export_kw[k], problem.pv_kw[k],
                           problem.load_kw[k] + ev_kw)  # fmt: skip
                if forecast:
                    s = executed(s, EXECUTION)
                    decisions[i + k] = None if s.relation is None else (s.relation, s.watts / 1000)
                else:
                    # perfect forecasts: the plan's own battery power is what happens
                    decisions[i + k] = (Relation.EQUALS, plan.battery_kw(k))
        # learn what happened (the forecasts only see the past)
        production.add(starts[i], pv[i])
        consumption.add(starts[i], load[i])
        return decisions.get(i)

    ev = None if charger is None else (lambda i: charger.power(i, ev_plan.get(i, 0.0)))
    return run_battery(pv, load, price, decide, ev), times


def openems_like(price: np.ndarray) -> Rule:
    """Price rules in OpenEMS's spirit: hold the battery in the cheapest third of the next 24 h
    (delay discharge), charge from the grid in the cheapest eighth when the day ahead is dear."""

    def decide(i: int, energy: float) -> tuple[Relation, float] | None:
        ahead = price[i : i + 96]
        if price[i] <= np.quantile(ahead, 0.125) and ahead.max() > price[i] / (ETA * ETA) + 0.02:
            return (Relation.EQUALS, -PMAX / 2)
        if price[i] <= np.quantile(ahead, 0.33):
            return (Relation.LESS_OR_EQUALS, 0.0)
        return None

    return decide


def table(
    starts: list[datetime],
    pv: np.ndarray,
    load: np.ndarray,
    price: np.ndarray,
    found: list[Session] | None,
) -> tuple[list[tuple[str, float]], list[float]]:
    """The six rows for one household; with `found`, its EV charges at full power from its
    arrival in the baselines ("dumb" charging) and is planned with the battery in ours."""
    n = len(pv)

    def dumb() -> Callable[[int], float] | None:
        if found is None:
            return None
        charger = Charger(found, n, DT)
        return lambda i: charger.power(i, EV_MAX)

    none = dumb()
    ev_kw = np.zeros(n) if none is None else np.array([none(i) for i in range(n)])
    rows = [("no battery", bill(load + ev_kw - pv, price))]
    rows.append(("self-consumption only", run_battery(pv, load, price, lambda i, e: None, dumb())))
    rows.append(
        ("OpenEMS-like price rules", run_battery(pv, load, price, openems_like(price), dumb()))
    )
    perfect, t1 = plan_daily(starts, pv, load, price, forecast=False, found=found)
    rows.append(("ours, perfect forecasts", perfect))
    ours, t2 = plan_daily(starts, pv, load, price, forecast=True, found=found)
    rows.append((f"ours, our own forecasts (execution {EXECUTION})", ours))
    started = time.perf_counter()
    battery = (CAP, PMAX, ETA, FLOOR, 0.5 * CAP)
    best = optimum(pv, load, price, found or [], battery, FEED_IN, DT)
    rows.append(
        (f"perfect-foresight optimum (one LP, {time.perf_counter() - started:.1f} s)", best)
    )
    return rows, t1 + t2


def emhass_year(
    python: str,
    pv: np.ndarray,
    load: np.ndarray,
    price: np.ndarray,
    found: list[Session] | None,
) -> tuple[float, float]:
    """EMHASS's yearly bill on the same inputs: its daily plans (bench/emhass_year.py, in
    EMHASS's own venv) executed by the same battery simulation and wallbox as every other
    strategy (the wallbox still meets each departure whatever the plan asked)."""
    folder = Path(tempfile.mkdtemp(prefix="wk-emhass-"))
    inputs_file, plan_file = folder / "in.npz", folder / "plan.npz"
    cars: dict[str, object] = {}
    if found:
        cars = {
            "ev_arrival": np.array([s.arrival for s in found]),
            "ev_departure": np.array([s.departure for s in found]),
            "ev_energy": np.array([s.energy for s in found]),
            "ev_max": EV_MAX,
        }
    np.savez(
        inputs_file, pv=pv, load=load, price=price, feed_in=FEED_IN, cap=CAP, pmax=PMAX,
        eta=ETA, floor=FLOOR, soc0=0.5 * CAP, **cars,
    )  # fmt: skip
    started = time.perf_counter()
    root = Path(__file__).resolve().parents[1]
    subprocess.run(
        [python, "-m", "bench.emhass_year", str(inputs_file), str(plan_file)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": f"{root}:{root / 'src'}"},  # the shared EMHASS setup
        check=True,
    )
    plan = np.load(plan_file)
    battery, ev = plan["battery"], plan["ev"]
    follow: Rule = lambda i, energy: (Relation.EQUALS, float(battery[i]))  # noqa: E731
    wallbox = None
    if found:
        charger = Charger(found, len(pv), DT)
        wallbox = lambda i: charger.power(i, float(ev[i]))  # noqa: E731
    return run_battery(pv, load, price, follow, wallbox), time.perf_counter() - started


def show(rows: list[tuple[str, float]], times: list[float]) -> None:
    for name, value in rows:
        print(f"{name:<58} {value:10.2f} €")
    perfect, best = rows[3][1], rows[5][1]
    scale = rows[0][1]  # the no-battery bill: the optimum itself can be near zero
    gap = 100 * (perfect - best) / abs(scale)
    print(f"ours (perfect) above the optimum by {perfect - best:.2f} € = {gap:.2f} % of the bill")
    print(f"solves: {len(times)}, p50 {1000 * np.median(times):.1f} ms")


def main() -> None:
    global EXECUTION, REPLAN
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--execution", choices=("grid-only", "plan"), default="grid-only")
    parser.add_argument("--prices", choices=("recorded", "synthetic"), default="recorded")
    parser.add_argument("--ev", choices=("without", "with", "both"), default="both")
    parser.add_argument("--inputs", choices=("simulator", "pvlib"), default="simulator")
    parser.add_argument("--emhass-python", help="python of a separate venv with emhass")
    parser.add_argument("--replan", type=int, default=REPLAN, help="quarter hours between plans")
    args = parser.parse_args()
    EXECUTION = args.execution
    REPLAN = args.replan
    starts, pv, load, price = inputs(args.days, recorded=args.prices == "recorded")
    if args.inputs == "pvlib":
        from bench.tou_inputs import pv_and_load_kw  # the bench extra: pvlib, demandlib

        pv, load = pv_and_load_kw(starts)
        print("PV: pvlib's TMY through PVWatts (bench/tou_inputs.py); load: demandlib's BDEW H0")
    source = (
        "recorded DE-LU day-ahead prices of 2024 (SMARD.de, CC BY 4.0) as a dynamic tariff"
        if args.prices == "recorded"
        else "synthetic day-ahead prices"
    )
    print(f"{args.days} days, {source}; mean import price {np.mean(price):.3f} €/kWh")
    found = ev_sessions(starts, DT)
    households: dict[str, list[Session] | None] = {}
    if args.ev in ("without", "both"):
        households["household without an EV"] = None
    if args.ev in ("with", "both"):
        energy = sum(s.energy for s in found)
        households[
            f"household with an EV: {len(found)} sessions, {energy:.0f} kWh, evening to "
            f"morning, {EV_MIN:g}-{EV_MAX:g} kW; the baselines charge at full power on arrival"
        ] = found
    # the households are independent: one process each on a 2-core machine (the solve times
    # below are then measured beside the other household's; bench_tou.py measures them alone)
    context = multiprocessing.get_context("fork")
    workers = len(households) * (2 if args.emhass_python else 1)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {
            title: pool.submit(table, starts, pv, load, price, sessions)
            for title, sessions in households.items()
        }
        emhass = {
            title: pool.submit(emhass_year, args.emhass_python, pv, load, price, sessions)
            for title, sessions in households.items()
            if args.emhass_python
        }
        for title, future in futures.items():
            print(f"\n{title}")
            show(*future.result())
    for title, run in emhass.items():
        bill_, seconds = run.result()
        print(f"\nEMHASS, {title.split(':')[0]} (a day-ahead plan a day, perfect forecasts,")
        print("each ending at its 30 % target; executed by the same battery simulation)")
        print(f"{'EMHASS':<58} {bill_:10.2f} €  [{seconds:.0f} s]")


if __name__ == "__main__":
    main()
