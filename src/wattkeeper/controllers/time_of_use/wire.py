"""The controller's JSON API: OpenEMS's `getSchedule`, evcc's battery modes, pushed prices."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from wattkeeper.controllers.time_of_use.channels import State
from wattkeeper.controllers.time_of_use.inputs import quarter_start
from wattkeeper.controllers.time_of_use.past import Past
from wattkeeper.controllers.time_of_use.schedule import Schedule
from wattkeeper.core.errors import WriteRejected
from wattkeeper.prices.series import PriceError, PriceSeries, PriceStep

QUARTER = timedelta(minutes=15)
MAX_PUSHED = 2000


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _int(value: float | None) -> int | None:
    return None if value is None or not math.isfinite(value) else round(value)


def schedule_entries(
    past: list[Past], schedule: Schedule | None, now: datetime
) -> list[dict[str, Any]]:
    """`result.schedule`: the last 3 h as recorded, then the plan from the current quarter
    hour on, one entry per 15 minutes (an hourly slot repeats for its four quarters); powers
    in W, price in €/MWh, SoC in %."""
    entries = [
        {
            "timestamp": stamp(p.start),
            "price": p.price,
            "state": p.state,
            "grid": _int(p.grid),
            "production": _int(p.production),
            "consumption": _int(p.consumption),
            "ess": _int(p.ess),
            "soc": _int(p.soc),
        }
        for p in past
    ]
    if schedule is None or not schedule.usable:
        return entries
    plan, problem = schedule.plan, schedule.problem
    since = quarter_start(now)  # earlier quarters are the past's
    for i in range(plan.slots):
        start, end = schedule.bounds[i], schedule.bounds[i + 1]
        if end <= since:
            continue
        step = schedule.step(i)
        at = start
        while at < end:
            if at < since:
                at += QUARTER
                continue
            share = (at - start) / (end - start)
            energy = plan.energy_kwh[i] + share * (plan.energy_kwh[i + 1] - plan.energy_kwh[i])
            entries.append(
                {
                    "timestamp": stamp(at),
                    "price": problem.import_price[i] * 1000.0,
                    "state": int(step.state),
                    "grid": round(plan.grid_kw(i) * 1000),
                    "production": round((problem.pv_kw[i] - plan.curtailed_kw[i]) * 1000),
                    "consumption": round(problem.load_kw[i] * 1000),
                    "ess": round(plan.battery_kw(i) * 1000),
                    "soc": round(100 * energy / problem.battery.capacity_kwh),
                }
            )
            at += QUARTER
    return entries


def battery_modes(schedule: Schedule | None) -> list[dict[str, Any]]:
    """The plan per slot as evcc's battery modes (normal, hold, charge, holdcharge) with watts."""
    if schedule is None or not schedule.usable:
        return []
    out = []
    for i in range(schedule.plan.slots):
        step = schedule.step(i)
        out.append(
            {
                "start": stamp(schedule.bounds[i]),
                "end": stamp(schedule.bounds[i + 1]),
                "mode": step.evcc_mode,
                "power": step.evcc_watts,
                "state": State(step.state).name,
            }
        )
    return out


def pushed_prices(params: dict[str, Any]) -> PriceSeries:
    """`setPrices {"prices": [{"start": ISO, "end": ISO, "price": €/kWh}]}`, checked whole."""
    rows = params.get("prices")
    if not isinstance(rows, list) or not rows:
        raise WriteRejected('setPrices needs a non-empty "prices" list')
    if len(rows) > MAX_PUSHED:
        raise WriteRejected(f"setPrices takes at most {MAX_PUSHED} prices, got {len(rows)}")
    steps = []
    for n, row in enumerate(rows):
        if not isinstance(row, dict):
            raise WriteRejected(f"prices[{n}] must be an object with start, end and price")
        try:
            start = datetime.fromisoformat(str(row.get("start")))
            end = datetime.fromisoformat(str(row.get("end")))
        except ValueError:
            raise WriteRejected(f"prices[{n}]: start and end must be ISO 8601 times") from None
        price = row.get("price")
        if not isinstance(price, int | float) or isinstance(price, bool) or not -10 <= price <= 10:
            raise WriteRejected(f"prices[{n}].price must be a number of €/kWh from -10 to 10")
        if start.tzinfo is None or end.tzinfo is None:
            raise WriteRejected(f"prices[{n}]: start and end need a UTC offset")
        steps.append(PriceStep(start, end, float(price)))
    try:
        return PriceSeries.of(steps)
    except PriceError as exc:
        raise WriteRejected(str(exc)) from None
