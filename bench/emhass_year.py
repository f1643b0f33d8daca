"""EMHASS over bench_tou_year's year: one day-ahead plan per day, as EMHASS's users run it; run
by bench_tou_year.py with the interpreter of a separate venv that has `emhass` (never a
dependency of this project).

Usage: python -m bench.emhass_year IN.npz OUT.npy
IN holds the year's quarter-hour `pv`, `load` (kW), `price` (€/kWh) and the scalars `feed_in`,
`cap` (kWh), `pmax` (kW), `eta`, `floor` (kWh), `soc0` (kWh). OUT gets EMHASS's battery power
per quarter hour (kW, + discharge). Each day starts from the state of charge EMHASS's own plan
of the day before ended with, and must end at its target (30 %), as EMHASS asks of a daily run.
"""

from __future__ import annotations

import asyncio
import logging
import pathlib
import sys
import tempfile

import numpy as np
import pandas as pd
from emhass import utils  # type: ignore[import-not-found]
from emhass.optimization import Optimization  # type: ignore[import-not-found]

ROOT = pathlib.Path(utils.__file__).parent
LOG = logging.getLogger("emhass")
LOG.setLevel(logging.ERROR)
DAY = 96
TARGET = 0.3


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
    conf = {
        "data_path": pathlib.Path(tempfile.mkdtemp(prefix="emhass-")),
        "root_path": ROOT,
        "defaults_path": ROOT / "data" / "config_defaults.json",
        "associations_path": ROOT / "data" / "associations.csv",
    }

    async def params() -> dict[str, dict[str, object]]:
        config = await utils.build_config(conf, LOG, str(conf["defaults_path"]))
        config.update(settings(cap, pmax, eta, floor))
        built: dict[str, dict[str, object]] = await utils.build_params(conf, {}, config, LOG)
        return built

    hass, optim, plant = utils.get_yaml_parse(asyncio.run(params()), LOG)
    pv, load, price = data["pv"], data["load"], data["price"]
    power = np.zeros(len(pv))
    soc = float(data["soc0"]) / cap
    for start in range(0, len(pv) - DAY + 1, DAY):
        day = slice(start, start + DAY)
        index = pd.date_range("2024-01-01", periods=DAY, freq="15min", tz="UTC")
        frame = pd.DataFrame(
            {
                "unit_load_cost": price[day],
                "unit_prod_price": np.full(DAY, float(data["feed_in"])),
            },
            index=index,
        )
        model = Optimization(
            hass, optim, plant, "unit_load_cost", "unit_prod_price", "profit", conf, LOG,
            num_timesteps=DAY,
        )  # fmt: skip
        plan = model.perform_dayahead_forecast_optim(
            frame,
            pd.Series(pv[day] * 1000, index=index),
            pd.Series(load[day] * 1000, index=index),
            soc_init=min(max(soc, floor / cap), 1.0),
            soc_final=TARGET,
        )
        power[day] = plan["P_batt"].to_numpy() / 1000
        soc = float(plan["SOC_opt"].to_numpy()[-1])
    np.save(sys.argv[2], power)


if __name__ == "__main__":
    main()
