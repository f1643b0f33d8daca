"""`_sum`: the site's aggregate, recalculated from the process image at the start of every cycle."""

from __future__ import annotations

from collections.abc import Iterable

from wattkeeper.core.channel import ChannelDoc, History, Unit, Value
from wattkeeper.core.channel import ChannelType as T
from wattkeeper.core.component import Component
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.state import STATE
from wattkeeper.natures.ess import EssCluster, SymmetricEss
from wattkeeper.natures.meter import Meter, MeterType

SUM_ID = "_sum"
P, C = History.POWER, History.COUNTER
W, E = Unit.WATT, Unit.CUMULATED_WATT_HOURS

SUM_CHANNELS = (
    ChannelDoc("EssSoc", T.INTEGER, Unit.PERCENT, text="Capacity-weighted SoC", history=P),
    ChannelDoc("EssActivePower", T.INTEGER, W, text="Battery: + discharge, - charge", history=P),
    ChannelDoc("EssDischargePower", T.INTEGER, W, text="AC discharge power", history=P),
    ChannelDoc("EssCapacity", T.INTEGER, Unit.WATT_HOURS, text="Sum of capacities"),
    ChannelDoc("GridActivePower", T.INTEGER, W, text="Grid: + buy, - feed-in", history=P),
    ChannelDoc("ProductionActivePower", T.INTEGER, W, text="AC + DC production", history=P),
    ChannelDoc("ProductionAcActivePower", T.INTEGER, W, history=P),
    ChannelDoc("ProductionDcActualPower", T.INTEGER, W, history=P),
    ChannelDoc("ConsumptionActivePower", T.INTEGER, W, text="Household load", history=P),
    ChannelDoc("GridBuyActiveEnergy", T.LONG, E, history=C),
    ChannelDoc("GridSellActiveEnergy", T.LONG, E, history=C),
    ChannelDoc("ProductionActiveEnergy", T.LONG, E, history=C),
    ChannelDoc("ConsumptionActiveEnergy", T.LONG, E, history=C),
    ChannelDoc("EssActiveChargeEnergy", T.LONG, E, history=C),
    ChannelDoc("EssActiveDischargeEnergy", T.LONG, E, history=C),
)


def _total(values: Iterable[Value]) -> int | None:
    known = [v for v in values if isinstance(v, int | float)]
    return round(sum(known)) if known else None


def _plus(*values: int | None) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


class Sum(Component):
    """Aggregates every battery and meter of the site; `State` is the worst of all components."""

    def __init__(self, manager: ComponentManager) -> None:
        super().__init__(SUM_ID, "Sum")
        self.declare_all(SUM_CHANNELS)
        self._manager = manager

    def calculate(self) -> None:
        batteries = [
            e for e in self._manager.of_type(SymmetricEss) if not isinstance(e, EssCluster)
        ]
        meters = self._manager.of_type(Meter)
        grid = [m for m in meters if m.meter_type is MeterType.GRID]
        production = [m for m in meters if m.meter_type is MeterType.PRODUCTION]

        def ess(name: str) -> int | None:
            return _total(e.value(name) for e in batteries)

        def meter(group: list[Meter], name: str) -> int | None:
            return _total(m.value(name) for m in group)

        weighted = [
            (e.value("Soc"), e.value("Capacity"))
            for e in batteries
            if isinstance(e.value("Soc"), int | float)
            and isinstance(e.value("Capacity"), int | float)
        ]
        capacity = sum(float(c) for _, c in weighted if c is not None)
        soc = (
            round(
                sum(float(s) * float(c) for s, c in weighted if s is not None and c is not None)
                / capacity
            )
            if capacity > 0
            else None
        )
        ess_power = ess("ActivePower")
        grid_power = meter(grid, "ActivePower")
        pv_ac = meter(production, "ActivePower")
        pv_dc = 0 if batteries else None
        charge, discharge = ess("ActiveChargeEnergy"), ess("ActiveDischargeEnergy")
        buy, sell = meter(grid, "ActiveProductionEnergy"), meter(grid, "ActiveConsumptionEnergy")
        produced = meter(production, "ActiveProductionEnergy")
        consumed = None
        if buy is not None or produced is not None:
            consumed = max(
                0, (buy or 0) - (sell or 0) + (produced or 0) + (discharge or 0) - (charge or 0)
            )
        values: dict[str, Value] = {
            "EssSoc": soc,
            "EssActivePower": ess_power,
            "EssDischargePower": None if ess_power is None else ess_power - (pv_dc or 0),
            "EssCapacity": ess("Capacity"),
            "GridActivePower": grid_power,
            "ProductionAcActivePower": pv_ac,
            "ProductionDcActualPower": pv_dc,
            "ProductionActivePower": _plus(pv_ac, pv_dc),
            "ConsumptionActivePower": _plus(ess_power, grid_power, pv_ac),
            "GridBuyActiveEnergy": buy,
            "GridSellActiveEnergy": sell,
            "ProductionActiveEnergy": produced,
            "ConsumptionActiveEnergy": consumed,
            "EssActiveChargeEnergy": charge,
            "EssActiveDischargeEnergy": discharge,
        }
        for name, value in values.items():
            self.channels[name].set_now(value)
        worst = max((c.state_level for c in self._manager if c is not self), default=0)
        self.channels[STATE.name].set_now(int(worst))
