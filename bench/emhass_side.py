"""EMHASS's solve time on bench_tou's instances; run by bench_tou.py with the interpreter of a
separate venv that has `emhass` (never a dependency of this project). Prints one JSON per size.

EMHASS's model is its own (battery + one deferrable load of 11 kW for 2 hours, 15-minute
steps, "profit" cost function); the instances' prices, PV and load are the same as ours.
"""

from __future__ import annotations

import asyncio
import json
import logging
import pathlib
import statistics
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from emhass import utils  # type: ignore[import-not-found]
from emhass.optimization import Optimization  # type: ignore[import-not-found]

from bench.tou_instances import household

ROOT = pathlib.Path(utils.__file__).parent
LOG = logging.getLogger("emhass")
LOG.setLevel(logging.ERROR)
SETTINGS = {
    "optimization_time_step": 15,
    "set_use_battery": True,
    "number_of_deferrable_loads": 1,
    "nominal_power_of_deferrable_loads": [11000],
    "operating_hours_of_each_deferrable_load": [2],
    "treat_deferrable_load_as_semi_cont": [False],
    "set_deferrable_load_single_constant": [False],
    "start_timesteps_of_each_deferrable_load": [0],
    "end_timesteps_of_each_deferrable_load": [0],
    "battery_nominal_energy_capacity": 10000,
    "battery_discharge_power_max": 5000,
    "battery_charge_power_max": 5000,
    "battery_minimum_state_of_charge": 0.1,
    "battery_maximum_state_of_charge": 1.0,
    "battery_target_state_of_charge": 0.3,
}


def setup(
    settings: dict[str, object],
) -> tuple[dict[str, object], dict[str, object], dict[str, object], dict[str, object]]:
    """EMHASS's (retrieve_hass, optim, plant) configuration with `settings` over its defaults,
    and the paths it runs with (a fresh data folder)."""
    conf: dict[str, object] = {
        "data_path": pathlib.Path(tempfile.mkdtemp(prefix="emhass-")),
        "root_path": ROOT,
        "defaults_path": ROOT / "data" / "config_defaults.json",
        "associations_path": ROOT / "data" / "associations.csv",
    }

    async def params() -> dict[str, dict[str, object]]:
        config = await utils.build_config(conf, LOG, str(conf["defaults_path"]))
        config.update(settings)
        built: dict[str, dict[str, object]] = await utils.build_params(conf, {}, config, LOG)
        return built

    hass, optim, plant = utils.get_yaml_parse(asyncio.run(params()), LOG)
    return hass, optim, plant, conf


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    hass, optim, plant, conf = setup(SETTINGS)
    for slots in (96, 192):
        times = []
        for seed in range(repeat):
            problem = household(slots, seed)
            index = pd.date_range("2026-12-07", periods=slots, freq="15min", tz="Europe/Berlin")
            prices = {
                "unit_load_cost": problem.import_price,
                "unit_prod_price": problem.export_price,
            }
            frame = pd.DataFrame(prices, index=index)
            pv = pd.Series(np.array(problem.pv_kw) * 1000, index=index)
            load = pd.Series(np.array(problem.load_kw) * 1000, index=index)
            model = Optimization(
                hass, optim, plant, "unit_load_cost", "unit_prod_price", "profit", conf, LOG,
                num_timesteps=slots,
            )  # fmt: skip
            started = time.perf_counter()
            model.perform_dayahead_forecast_optim(frame, pv, load, soc_init=0.3, soc_final=0.3)
            times.append((time.perf_counter() - started) * 1000)
        ordered = sorted(times)
        p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
        print(json.dumps({"slots": slots, "p50": statistics.median(times), "p99": p99}))


if __name__ == "__main__":
    main()
