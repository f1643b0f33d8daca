"""EMHASS over bench_tou_year's year: one day-ahead plan per day, as EMHASS's users run it; run
by bench_tou_year.py with the interpreter of a separate venv that has `emhass` (never a
dependency of this project).

Usage: python -m bench.emhass_year IN.npz OUT.npz
IN holds the year's quarter-hour `pv`, `load` (kW), `price` (€/kWh) and the scalars `feed_in`,
`cap` (kWh), `pmax` (kW), `eta`, `floor` (kWh), `soc0` (kWh); for a household with an EV also
its sessions (`ev_arrival`, `ev_departure` slots, `ev_energy` kWh) and `ev_max` (kW). OUT gets
EMHASS's battery power (`battery`, kW, + discharge) and EV charging power (`ev`, kW) per
quarter hour. Each plan starts from the state of charge EMHASS's own plan before it ended with,
and must end at its target (30 %), as EMHASS asks of a daily run. With an EV the plans run from
noon to noon, so that each evening-to-morning session is one deferrable load of one plan.
"""

from __future__ import annotations

import itertools
import sys

import numpy as np
import pandas as pd
from emhass.optimization import Optimization  # type: ignore[import-not-found]

from bench.emhass_side import LOG, setup

DAY = 96
TARGET = 0.3


def with_session(
    optim: dict[str, object], power_w: float, hours: float, start: int, end: int
) -> dict[str, object]:
    """EMHASS's options with one deferrable load: the car, between its arrival and departure."""
    return {
        **optim,
        "number_of_deferrable_loads": 1,
        "nominal_power_of_deferrable_loads": [power_w],
        "minimum_power_of_deferrable_loads": [0.0],
        "operating_hours_of_each_deferrable_load": [hours],
        "start_timesteps_of_each_deferrable_load": [start],
        "end_timesteps_of_each_deferrable_load": [end],
        "treat_deferrable_load_as_semi_cont": [False],
        "set_deferrable_load_single_constant": [False],
        "set_deferrable_startup_penalty": [0.0],
    }


def windows(n: int, with_ev: bool) -> list[tuple[int, int]]:
    """The plans' slot ranges: midnight to midnight, or noon to noon with an EV."""
    first = DAY // 2 if with_ev else DAY
    bounds = [0, *range(first, n, DAY), n]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def settings(cap: float, pmax: float, eta: float, floor: float) -> dict[str, object]:
    return {
        "optimization_time_step": 15,
        "set_use_battery": True,
        "number_of_deferrable_loads": 0,
        "nominal_power_of_deferrable_loads": [],
        "operating_hours_of_each_deferrable_load": [],
        "treat_deferrable_load_as_semi_cont": [],
        "set_deferrable_load_single_constant": [],
        "start_timesteps_of_each_deferrable_load": [],
        "end_timesteps_of_each_deferrable_load": [],
        "battery_nominal_energy_capacity": cap * 1000,
        "battery_discharge_power_max": pmax * 1000,
        "battery_charge_power_max": pmax * 1000,
        "battery_discharge_efficiency": eta,
        "battery_charge_efficiency": eta,
        "battery_minimum_state_of_charge": floor / cap,
        "battery_maximum_state_of_charge": 1.0,
        "battery_target_state_of_charge": TARGET,
    }


def main() -> None:
    data = np.load(sys.argv[1])
    cap, pmax, eta, floor = (float(data[k]) for k in ("cap", "pmax", "eta", "floor"))
    hass, optim, plant, conf = setup(settings(cap, pmax, eta, floor))
    pv, load, price = data["pv"], data["load"], data["price"]
    sessions = (
        list(zip(data["ev_arrival"], data["ev_departure"], data["ev_energy"], strict=True))
        if "ev_arrival" in data
        else []
    )
    ev_max = float(data["ev_max"]) if sessions else 0.0
    power, ev = np.zeros(len(pv)), np.zeros(len(pv))
    soc = float(data["soc0"]) / cap
    for start, stop in windows(len(pv), bool(sessions)):
        slots = stop - start
        day = slice(start, stop)
        index = pd.date_range("2024-01-01", periods=slots, freq="15min", tz="UTC")
        frame = pd.DataFrame(
            {
                "unit_load_cost": price[day],
                "unit_prod_price": np.full(slots, float(data["feed_in"])),
            },
            index=index,
        )
        options = optim
        car = [s for s in sessions if start <= s[0] < stop]
        if car:
            arrival, departure, energy = car[0]
            end = min(int(departure), stop) - start
            options = with_session(optim, ev_max * 1000, float(energy) / ev_max,
                                   int(arrival) - start, end)  # fmt: skip
        model = Optimization(
            hass, options, plant, "unit_load_cost", "unit_prod_price", "profit", conf, LOG,
            num_timesteps=slots,
        )  # fmt: skip
        plan = model.perform_dayahead_forecast_optim(
            frame,
            pd.Series(pv[day] * 1000, index=index),
            pd.Series(load[day] * 1000, index=index),
            soc_init=min(max(soc, floor / cap), 1.0),
            soc_final=TARGET,
        )
        power[day] = plan["P_batt"].to_numpy() / 1000
        if car:
            ev[day] = plan["P_deferrable0"].to_numpy() / 1000
        soc = float(plan["SOC_opt"].to_numpy()[-1])
    np.savez(sys.argv[2], battery=power, ev=ev)


if __name__ == "__main__":
    main()
