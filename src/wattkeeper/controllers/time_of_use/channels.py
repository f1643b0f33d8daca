"""The controller's channels: OpenEMS's StateMachine and QuarterlyPrices, and ours."""

from __future__ import annotations

import enum

from wattkeeper.core.channel import ChannelDoc, ChannelType, History, Unit


class State(enum.IntEnum):
    """OpenEMS's StateMachine values for this controller (the ones our plans use)."""

    DELAY_DISCHARGE = 0
    BALANCING = 1
    CHARGE_GRID = 3
    DISCHARGE_GRID = 4
    DELAY_CHARGE = 6


STATE_MACHINE = ChannelDoc(
    "StateMachine",
    ChannelType.INTEGER,
    text="Current state of the controller",
    history=History.STATE,
    options=tuple((s.name, s.value) for s in State),
)
QUARTERLY_PRICES = ChannelDoc(
    "QuarterlyPrices",
    ChannelType.DOUBLE,
    Unit.MONEY_PER_MEGAWATT_HOUR,
    text="Price of electricity in the current quarter hour",
    history=History.POWER,
)
DECIDED_BY = ChannelDoc(
    "BatteryPowerDecidedBy",
    ChannelType.STRING,
    text="The controller whose constraint set the battery's power this cycle",
)
PLAN_STATUS = ChannelDoc(
    "PlanStatus",
    ChannelType.STRING,
    text="optimal, relaxed, no-plan, planning or fallback (self-consumption)",
)
PLAN_REASON = ChannelDoc("PlanReason", ChannelType.STRING, text="Why the plan is not optimal")
PLANNED_POWER = ChannelDoc(
    "PlannedEssActivePower",
    ChannelType.INTEGER,
    Unit.WATT,
    text="The plan's battery power for now: + discharge, - charge",
    history=History.POWER,
)
PLANNED_SOC = ChannelDoc(
    "PlannedSoc",
    ChannelType.INTEGER,
    Unit.PERCENT,
    text="The plan's SoC for now",
    history=History.POWER,
)
EVCC_MODE = ChannelDoc(
    "EvccBatteryMode",
    ChannelType.STRING,
    text="evcc's battery mode: normal, hold, charge, holdcharge",
)
SOLVE_MS = ChannelDoc("SolveTime", ChannelType.INTEGER, Unit.MILLISECONDS, text="Last solve")
CONSUMPTION_FORECAST_ERROR = ChannelDoc(
    "ConsumptionForecastError",
    ChannelType.INTEGER,
    Unit.WATT,
    text="Mean absolute error of the consumption forecast, last 24 h",
    history=History.POWER,
)
PRODUCTION_FORECAST_ERROR = ChannelDoc(
    "ProductionForecastError",
    ChannelType.INTEGER,
    Unit.WATT,
    text="Mean absolute error of the production forecast, last 24 h",
    history=History.POWER,
)
SAVED_MONEY = ChannelDoc(
    "SavedMoney",
    ChannelType.DOUBLE,
    text="€ saved since start against the same meters without the battery",
    history=History.POWER,
)

PRICE_STATE = ChannelDoc(
    "PriceState",
    ChannelType.STRING,
    text="Day-ahead prices: ok, late (end within 6 h), missing (none for now) or tariff",
)
PRICE_ERROR = ChannelDoc("PriceError", ChannelType.STRING, text="Why the last fetch failed")
PV_FORECAST_STATE = ChannelDoc(
    "PvForecastState",
    ChannelType.STRING,
    text="Weather-based PV forecast: ok, late or missing (the history is used), or history",
)
PV_FORECAST_ERROR = ChannelDoc(
    "PvForecastError", ChannelType.STRING, text="Why the last PV forecast fetch failed"
)

CHANNELS = (
    PRICE_STATE,
    PRICE_ERROR,
    PV_FORECAST_STATE,
    PV_FORECAST_ERROR,
    STATE_MACHINE,
    QUARTERLY_PRICES,
    DECIDED_BY,
    PLAN_STATUS,
    PLAN_REASON,
    PLANNED_POWER,
    PLANNED_SOC,
    EVCC_MODE,
    SOLVE_MS,
    CONSUMPTION_FORECAST_ERROR,
    PRODUCTION_FORECAST_ERROR,
    SAVED_MONEY,
)
