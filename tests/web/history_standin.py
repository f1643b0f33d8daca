"""A stand-in for the history JSON-RPC methods, used only while the real store is not wired."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from wattkeeper.api.context import ApiContext, RpcCall

METHODS = (
    "queryHistoricTimeseriesData",
    "queryHistoricTimeseriesEnergy",
    "queryHistoricTimeseriesEnergyPerPeriod",
)


def _days(params: dict[str, Any]) -> list[date]:
    first = date.fromisoformat(params["fromDate"])
    last = date.fromisoformat(params["toDate"])
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _curve(address: str, hour: float) -> int:
    sun = max(0.0, math.sin(math.pi * (hour - 6) / 14)) if 6 <= hour <= 20 else 0.0
    pv = 7000 * sun
    home = 400 + 600 * math.exp(-((hour - 19) ** 2) / 4) + 300 * math.exp(-((hour - 7) ** 2))
    battery = max(-5000, min(5000, home - pv))
    values = {
        "_sum/ProductionActivePower": pv,
        "_sum/ConsumptionActivePower": home,
        "_sum/EssActivePower": battery,
        "_sum/GridActivePower": home - pv - battery,
    }
    return round(values.get(address, 0.0))


async def timeseries(call: RpcCall) -> Any:
    zone = ZoneInfo(call.params["timezone"])
    stamps, data = [], {c: [] for c in call.params["channels"]}
    for day in _days(call.params):
        start = datetime(day.year, day.month, day.day, tzinfo=zone)
        for slot in range(288):
            moment = start + timedelta(minutes=5 * slot)
            stamps.append(moment.isoformat())
            for address in data:
                data[address].append(_curve(address, slot / 12))
    return {"timestamps": stamps, "data": data}


DAILY = {
    "_sum/ProductionActiveEnergy": 38_000,
    "_sum/ConsumptionActiveEnergy": 12_300,
    "_sum/GridBuyActiveEnergy": 1_100,
    "_sum/GridSellActiveEnergy": 24_000,
    "_sum/EssActiveChargeEnergy": 6_200,
    "_sum/EssActiveDischargeEnergy": 5_400,
}


async def energy(call: RpcCall) -> Any:
    days = len(_days(call.params))
    return {"data": {c: DAILY.get(c, 0) * days for c in call.params["channels"]}}


async def per_period(call: RpcCall) -> Any:
    days = _days(call.params)
    zone = ZoneInfo(call.params["timezone"])
    stamps = [datetime(d.year, d.month, d.day, tzinfo=zone).isoformat() for d in days]
    data = {
        c: [round(DAILY.get(c, 0) * (0.6 + 0.4 * math.sin(n))) for n in range(len(days))]
        for c in call.params["channels"]
    }
    return {"timestamps": stamps, "data": data}


def install(ctx: ApiContext) -> list[str]:
    """Register the stand-ins where nothing is registered; returns what was added."""
    added = []
    for name, handler in zip(METHODS, (timeseries, energy, per_period), strict=True):
        if name not in ctx.methods:
            ctx.methods[name] = handler
            added.append(name)
    return added
