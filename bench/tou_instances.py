"""Instances for the time-of-use benchmarks: a household day by quarter hours, battery and EV."""

from __future__ import annotations

import math

import numpy as np

from wattkeeper.optimiser import Battery, Ev, Problem


def household(slots: int, seed: int, ev: bool = True) -> Problem:
    """`slots` quarter hours from midnight: a day-ahead-shaped price with morning and evening
    peaks, a PV bell at noon, a noisy load, 10 kWh / 5 kW battery, an 11 kW EV home overnight."""
    rng = np.random.default_rng(seed)
    hours = np.arange(slots) * 0.25
    of_day = hours % 24
    price = (
        0.22
        + 0.08 * np.exp(-(((of_day - 8) / 1.5) ** 2))
        + 0.12 * np.exp(-(((of_day - 19) / 2.0) ** 2))
        - 0.07 * np.exp(-(((of_day - 13) / 2.5) ** 2))
        + rng.normal(0, 0.015, slots)
    )
    pv = np.clip(7.0 * np.sin(math.pi * (of_day - 6) / 14), 0, None) * rng.uniform(0.4, 1.0, slots)
    load = 0.25 + rng.gamma(2.0, 0.25, slots) + 1.5 * ((of_day > 17) & (of_day < 21))
    car = None
    if ev:
        # home from 18:00 to 07:00 the next morning, 20 kWh to go
        arrival = 18 * 4 if slots > 18 * 4 else 0
        car = Ev(
            energy_kwh=20.0, arrival=arrival, departure=min(slots, 31 * 4), max_kw=11.0, min_kw=4.1
        )
    return Problem(
        durations_h=(0.25,) * slots,
        import_price=tuple(float(p) for p in price),
        export_price=(0.08,) * slots,
        pv_kw=tuple(float(p) for p in pv),
        load_kw=tuple(float(v) for v in load),
        battery=Battery(
            capacity_kwh=10.0,
            soc=0.3,
            max_charge_kw=5.0,
            max_discharge_kw=5.0,
            reserve=0.1,
            wear_cost_per_kwh=0.02,
        ),
        ev=car,
    )
