"""`_sum`: the site's aggregate (OpenEMS's 63 Sum channels), recalculated every cycle."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from wattkeeper.core.channel import ChannelDoc, ChannelKey, History, Unit, Value
from wattkeeper.core.channel import ChannelType as T
from wattkeeper.core.component import Component
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.state import STATE, Level, StateDoc
from wattkeeper.natures import charger as charger_ch
from wattkeeper.natures import ess as ess_ch
from wattkeeper.natures import meter as meter_ch
from wattkeeper.natures.charger import EssDcCharger
from wattkeeper.natures.energy_flow import FLOW_CHANNELS, EnergyFlow, split_flows
from wattkeeper.natures.ess import (
    GRID_MODE_OPTIONS,
    EssCluster,
    HybridEss,
    ManagedSymmetricEss,
    SymmetricEss,
)
from wattkeeper.natures.meter import PHASES, Meter, MeterType

SUM_ID = "_sum"
P, C = History.POWER, History.COUNTER
W, E = Unit.WATT, Unit.CUMULATED_WATT_HOURS
GRID_MODE_UNDEFINED, ON_GRID, OFF_GRID, OFF_GRID_GENSET = -1, 1, 2, 3


def _power(name: str, text: str = "", history: History = P) -> ChannelDoc:
    return ChannelDoc(name, T.INTEGER, W, text=text, history=history)


def _energy(name: str, text: str = "") -> ChannelDoc:
    return ChannelDoc(name, T.LONG, E, text=text, history=C)


def _phases(name: str) -> tuple[ChannelDoc, ChannelDoc, ChannelDoc]:
    l1, l2, l3 = (_power(f"{name}{p}", history=History.NONE) for p in PHASES)
    return l1, l2, l3


# One handle per Sum channel: the live status line, the controllers and `calculate` use these.
ESS_SOC = ChannelDoc("EssSoc", T.INTEGER, Unit.PERCENT, text="Capacity-weighted SoC", history=P)
ESS_ACTIVE_POWER = _power("EssActivePower", "Battery inverters (AC): + discharge, - charge")
ESS_REACTIVE_POWER = ChannelDoc("EssReactivePower", T.INTEGER, Unit.VAR)
ESS_ACTIVE_POWER_PHASES = _phases("EssActivePower")
ESS_DISCHARGE_POWER = _power(
    "EssDischargePower", "Batteries (DC of hybrids): + discharge, - charge"
)
ESS_MIN_DISCHARGE_POWER = _power(
    "EssMinDischargePower", "Largest charge power the batteries allow", History.NONE
)
ESS_MAX_DISCHARGE_POWER = _power(
    "EssMaxDischargePower", "Largest discharge power the batteries allow", History.NONE
)
ESS_CAPACITY = ChannelDoc("EssCapacity", T.INTEGER, Unit.WATT_HOURS, text="Sum of capacities")
GRID_ACTIVE_POWER = _power("GridActivePower", "Grid: + buy, - feed-in")
GRID_ACTIVE_POWER_PHASES = _phases("GridActivePower")
GRID_MIN_ACTIVE_POWER = _power(
    "GridMinActivePower", "Lowest grid power seen since start", History.NONE
)
GRID_MAX_ACTIVE_POWER = _power(
    "GridMaxActivePower", "Highest grid power seen since start", History.NONE
)
GRID_BUY_PRICE = ChannelDoc(
    "GridBuyPrice", T.DOUBLE, Unit.MONEY_PER_MEGAWATT_HOUR, text="No tariff source"
)
PRODUCTION_ACTIVE_POWER = _power("ProductionActivePower", "AC + DC production")
PRODUCTION_AC_ACTIVE_POWER = _power("ProductionAcActivePower", "Production meters")
PRODUCTION_AC_ACTIVE_POWER_PHASES = _phases("ProductionAcActivePower")
PRODUCTION_DC_ACTUAL_POWER = _power(
    "ProductionDcActualPower", "DC chargers behind hybrid inverters"
)
PRODUCTION_MAX_ACTIVE_POWER = _power(
    "ProductionMaxActivePower", "Peak power of the PV, or the highest seen", History.NONE
)
UNMANAGED_PRODUCTION_ACTIVE_POWER = _power(
    "UnmanagedProductionActivePower", "Production no controller limits", History.NONE
)
CONSUMPTION_ACTIVE_POWER = _power("ConsumptionActivePower", "Household load")
CONSUMPTION_ACTIVE_POWER_PHASES = _phases("ConsumptionActivePower")
CONSUMPTION_MAX_ACTIVE_POWER = _power(
    "ConsumptionMaxActivePower", "Highest consumption seen since start", History.NONE
)
UNMANAGED_CONSUMPTION_ACTIVE_POWER = _power(
    "UnmanagedConsumptionActivePower", "Consumption no controller manages", History.NONE
)
GRID_MODE = ChannelDoc(
    "GridMode",
    T.INTEGER,
    text="-1:Undefined, 1:On-Grid, 2:Off-Grid, 3:Off-Grid-Genset",
    options=GRID_MODE_OPTIONS,
    history=History.STATE,  # OpenEMS's UI charts off-grid periods from its history
)
GRID_MODE_OFF_GRID_TIME = ChannelDoc(
    "GridModeOffGridTime", T.LONG, Unit.CUMULATED_SECONDS, history=C
)
GRID_MODE_OFF_GRID_GENSET_TIME = ChannelDoc(
    "GridModeOffGridGensetTime", T.LONG, Unit.CUMULATED_SECONDS, history=C
)
GRID_GENSET_ACTIVE_POWER = _power("GridGensetActivePower", "No genset meter: null", History.NONE)
GRID_GENSET_ACTIVE_POWER_PHASES = _phases("GridGensetActivePower")
ESS_MAX_APPARENT_POWER = ChannelDoc("EssMaxApparentPower", T.INTEGER, Unit.VOLT_AMPERE)
ESS_ACTIVE_CHARGE_ENERGY = _energy("EssActiveChargeEnergy")
ESS_ACTIVE_DISCHARGE_ENERGY = _energy("EssActiveDischargeEnergy")
ESS_DC_DISCHARGE_ENERGY = _energy("EssDcDischargeEnergy")
ESS_DC_CHARGE_ENERGY = _energy("EssDcChargeEnergy")
GRID_BUY_ACTIVE_ENERGY = _energy("GridBuyActiveEnergy")
GRID_SELL_ACTIVE_ENERGY = _energy("GridSellActiveEnergy")
PRODUCTION_ACTIVE_ENERGY = _energy("ProductionActiveEnergy")
PRODUCTION_AC_ACTIVE_ENERGY = _energy("ProductionAcActiveEnergy")
PRODUCTION_DC_ACTIVE_ENERGY = _energy("ProductionDcActiveEnergy")
CONSUMPTION_ACTIVE_ENERGY = _energy("ConsumptionActiveEnergy")

SUM_CHANNELS = (
    ESS_SOC,
    ESS_ACTIVE_POWER,
    ESS_REACTIVE_POWER,
    *ESS_ACTIVE_POWER_PHASES,
    ESS_DISCHARGE_POWER,
    ESS_MIN_DISCHARGE_POWER,
    ESS_MAX_DISCHARGE_POWER,
    ESS_CAPACITY,
    GRID_ACTIVE_POWER,
    *GRID_ACTIVE_POWER_PHASES,
    GRID_MIN_ACTIVE_POWER,
    GRID_MAX_ACTIVE_POWER,
    GRID_BUY_PRICE,
    PRODUCTION_ACTIVE_POWER,
    PRODUCTION_AC_ACTIVE_POWER,
    *PRODUCTION_AC_ACTIVE_POWER_PHASES,
    PRODUCTION_DC_ACTUAL_POWER,
    PRODUCTION_MAX_ACTIVE_POWER,
    UNMANAGED_PRODUCTION_ACTIVE_POWER,
    CONSUMPTION_ACTIVE_POWER,
    *CONSUMPTION_ACTIVE_POWER_PHASES,
    CONSUMPTION_MAX_ACTIVE_POWER,
    UNMANAGED_CONSUMPTION_ACTIVE_POWER,
    GRID_MODE,
    GRID_MODE_OFF_GRID_TIME,
    GRID_MODE_OFF_GRID_GENSET_TIME,
    GRID_GENSET_ACTIVE_POWER,
    *GRID_GENSET_ACTIVE_POWER_PHASES,
    ESS_MAX_APPARENT_POWER,
    ESS_ACTIVE_CHARGE_ENERGY,
    ESS_ACTIVE_DISCHARGE_ENERGY,
    ESS_DC_DISCHARGE_ENERGY,
    ESS_DC_CHARGE_ENERGY,
    GRID_BUY_ACTIVE_ENERGY,
    GRID_SELL_ACTIVE_ENERGY,
    PRODUCTION_ACTIVE_ENERGY,
    PRODUCTION_AC_ACTIVE_ENERGY,
    PRODUCTION_DC_ACTIVE_ENERGY,
    CONSUMPTION_ACTIVE_ENERGY,
    *FLOW_CHANNELS,
)


def _property(source: ChannelDoc) -> ChannelDoc:
    return ChannelDoc(f"_Property{source.name}", T.INTEGER, text=f"Configuration: {source.name}")


#: OpenEMS keeps the learned extremes as Sum's configuration; here they are the values seen since
#: start (or the device limits), published like every configuration property.
EXTREME_PROPERTIES = tuple(
    (_property(source), source)
    for source in (
        GRID_MIN_ACTIVE_POWER,
        GRID_MAX_ACTIVE_POWER,
        PRODUCTION_MAX_ACTIVE_POWER,
        ESS_MIN_DISCHARGE_POWER,
        ESS_MAX_DISCHARGE_POWER,
        CONSUMPTION_MAX_ACTIVE_POWER,
    )
)
PROPERTY_IGNORE_STATE_COMPONENTS = ChannelDoc(
    "_PropertyIgnoreStateComponents", T.STRING, text="Configuration: none ignored"
)
SUM_PROPERTIES = (
    *(prop for prop, _ in EXTREME_PROPERTIES),
    PROPERTY_IGNORE_STATE_COMPONENTS,
)

HAS_IGNORED_COMPONENT_STATES = StateDoc(
    "HasIgnoredComponentStates", Level.INFO, "States of some components are ignored"
)


def _total(values: Iterable[Value]) -> int | None:
    known = [v for v in values if isinstance(v, int | float)]
    return round(sum(known)) if known else None


def _plus(*values: int | None) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _number(value: Value) -> float | None:
    return float(value) if isinstance(value, int | float) else None


class Sum(Component):
    """Aggregates every battery, charger and meter; `State` is the worst of all components."""

    nature_id = "Sum"

    def __init__(self, manager: ComponentManager) -> None:
        super().__init__(SUM_ID, "Sum")
        self.declare_all(SUM_CHANNELS)
        self.declare_all(SUM_PROPERTIES)
        self.declare_state(HAS_IGNORED_COMPONENT_STATES)
        self.channels[PROPERTY_IGNORE_STATE_COMPONENTS.name].set_now("")
        self._manager = manager
        #: seconds of site time between two monotonic instants (the demo may run faster)
        self.elapsed: Callable[[float, float], float] = lambda start, end: end - start
        self._now: float | None = None
        self._dt = 0.0
        self._extremes: dict[str, int] = {}
        self._off_grid_s = 0.0
        self._genset_s = 0.0
        self._flows = EnergyFlow()

    def before_process_image(self, now: float) -> None:
        self._dt = 0.0 if self._now is None else max(self.elapsed(self._now, now), 0.0)
        self._now = now

    def _extreme(self, name: str, value: int | None, pick: Callable[[int, int], int]) -> int | None:
        if value is not None:
            seen = self._extremes.get(name)
            self._extremes[name] = value if seen is None else pick(seen, value)
        return self._extremes.get(name)

    def calculate(self) -> None:
        batteries = [
            e for e in self._manager.of_type(SymmetricEss) if not isinstance(e, EssCluster)
        ]
        meters = self._manager.of_type(Meter)
        chargers = self._manager.of_type(EssDcCharger)
        grid = [m for m in meters if m.meter_type is MeterType.GRID]
        production = [m for m in meters if m.meter_type is MeterType.PRODUCTION]
        values = self._ess_values(batteries)

        def meter(group: list[Meter], key: ChannelKey) -> int | None:
            return _total(m.value(key) for m in group)

        ess_power = _number(values[ESS_ACTIVE_POWER])
        grid_power = meter(grid, meter_ch.ACTIVE_POWER)
        pv_ac = meter(production, meter_ch.ACTIVE_POWER)
        pv_dc = _total(c.value(charger_ch.ACTUAL_POWER) for c in chargers)
        production_power = _plus(pv_ac, pv_dc)
        consumption = _plus(None if ess_power is None else round(ess_power), grid_power, pv_ac)
        phases = zip(
            meter_ch.ACTIVE_POWER_PHASES,
            ESS_ACTIVE_POWER_PHASES,
            GRID_ACTIVE_POWER_PHASES,
            PRODUCTION_AC_ACTIVE_POWER_PHASES,
            CONSUMPTION_ACTIVE_POWER_PHASES,
            GRID_GENSET_ACTIVE_POWER_PHASES,
            strict=True,
        )
        for meter_phase, ess_l, grid_l, pv_l, consumption_l, genset_l in phases:
            ess_phase = None if ess_power is None else round(ess_power / 3)
            grid_phase = meter(grid, meter_phase)
            pv_phase = meter(production, meter_phase)
            values[ess_l] = ess_phase
            values[grid_l] = grid_phase
            values[pv_l] = pv_phase
            values[consumption_l] = _plus(ess_phase, grid_phase, pv_phase)
            values[genset_l] = None
        peak = _total(c.value(charger_ch.MAX_ACTUAL_POWER) for c in chargers)
        values.update(
            {
                GRID_ACTIVE_POWER: grid_power,
                GRID_MIN_ACTIVE_POWER: self._extreme("GridMin", grid_power, min),
                GRID_MAX_ACTIVE_POWER: self._extreme("GridMax", grid_power, max),
                GRID_BUY_PRICE: None,
                PRODUCTION_AC_ACTIVE_POWER: pv_ac,
                PRODUCTION_DC_ACTUAL_POWER: pv_dc,
                PRODUCTION_ACTIVE_POWER: production_power,
                PRODUCTION_MAX_ACTIVE_POWER: self._extreme(
                    "ProductionMax", _plus(production_power, 0) if peak is None else peak, max
                ),
                UNMANAGED_PRODUCTION_ACTIVE_POWER: production_power,
                CONSUMPTION_ACTIVE_POWER: consumption,
                CONSUMPTION_MAX_ACTIVE_POWER: self._extreme("ConsumptionMax", consumption, max),
                UNMANAGED_CONSUMPTION_ACTIVE_POWER: consumption,
                GRID_GENSET_ACTIVE_POWER: None,
            }
        )
        values.update(self._grid_mode(batteries))
        values.update(self._energies(grid, production, chargers, values))
        flows = split_flows(
            production_power, consumption, grid_power, _number(values[ESS_DISCHARGE_POWER])
        )
        values.update(self._flows.update(flows, self._dt))
        for prop, source in EXTREME_PROPERTIES:
            values[prop] = values[source]
        for doc, value in values.items():
            self.channels[doc.name].set_now(value)
        worst = max((c.state_level for c in self._manager if c is not self), default=0)
        self.channels[STATE.name].set_now(int(worst))

    @staticmethod
    def _energies(
        grid: list[Meter],
        production: list[Meter],
        chargers: list[EssDcCharger],
        values: dict[ChannelDoc, Value],
    ) -> dict[ChannelDoc, Value]:
        def meter(group: list[Meter], key: ChannelKey) -> int | None:
            return _total(m.value(key) for m in group)

        charge = _number(values[ESS_ACTIVE_CHARGE_ENERGY])
        discharge = _number(values[ESS_ACTIVE_DISCHARGE_ENERGY])
        buy = meter(grid, meter_ch.ACTIVE_PRODUCTION_ENERGY)
        sell = meter(grid, meter_ch.ACTIVE_CONSUMPTION_ENERGY)
        produced_ac = meter(production, meter_ch.ACTIVE_PRODUCTION_ENERGY)
        produced_dc = _total(c.value(charger_ch.ACTUAL_ENERGY) for c in chargers)
        consumed = None
        if buy is not None or produced_ac is not None:
            # the inverters' AC counters already contain their DC chargers' PV
            consumed = max(
                0,
                round(
                    (buy or 0) - (sell or 0) + (produced_ac or 0) + (discharge or 0) - (charge or 0)
                ),
            )
        return {
            GRID_BUY_ACTIVE_ENERGY: buy,
            GRID_SELL_ACTIVE_ENERGY: sell,
            PRODUCTION_AC_ACTIVE_ENERGY: produced_ac,
            PRODUCTION_DC_ACTIVE_ENERGY: produced_dc,
            PRODUCTION_ACTIVE_ENERGY: _plus(produced_ac, produced_dc),
            CONSUMPTION_ACTIVE_ENERGY: consumed,
        }

    def _ess_values(self, batteries: list[SymmetricEss]) -> dict[ChannelDoc, Value]:
        def ess(key: ChannelKey, group: Iterable[SymmetricEss] = batteries) -> int | None:
            return _total(e.value(key) for e in group)

        weighted = [
            (float(s), float(c))
            for s, c in ((e.value(ess_ch.SOC), e.value(ess_ch.CAPACITY)) for e in batteries)
            if isinstance(s, int | float) and isinstance(c, int | float)
        ]
        capacity = sum(c for _, c in weighted)
        soc = round(sum(s * c for s, c in weighted) / capacity) if capacity > 0 else None
        hybrids = [e for e in batteries if isinstance(e, HybridEss)]
        plain = [e for e in batteries if not isinstance(e, HybridEss)]
        managed = [e for e in batteries if isinstance(e, ManagedSymmetricEss)]
        apparent = _total(e.value(ess_ch.MAX_APPARENT_POWER) for e in managed)
        return {
            ESS_SOC: soc,
            ESS_ACTIVE_POWER: ess(ess_ch.ACTIVE_POWER),
            ESS_REACTIVE_POWER: ess(ess_ch.REACTIVE_POWER),
            # a hybrid's battery delivers its DC power; a plain battery its AC power
            ESS_DISCHARGE_POWER: _plus(
                ess(ess_ch.DC_DISCHARGE_POWER, hybrids), ess(ess_ch.ACTIVE_POWER, plain)
            ),
            ESS_MIN_DISCHARGE_POWER: None if apparent is None else -apparent,
            ESS_MAX_DISCHARGE_POWER: apparent,
            ESS_CAPACITY: ess(ess_ch.CAPACITY),
            ESS_MAX_APPARENT_POWER: ess(ess_ch.MAX_APPARENT_POWER),
            ESS_ACTIVE_CHARGE_ENERGY: ess(ess_ch.ACTIVE_CHARGE_ENERGY),
            ESS_ACTIVE_DISCHARGE_ENERGY: ess(ess_ch.ACTIVE_DISCHARGE_ENERGY),
            ESS_DC_CHARGE_ENERGY: _plus(
                ess(ess_ch.DC_CHARGE_ENERGY, hybrids), ess(ess_ch.ACTIVE_CHARGE_ENERGY, plain)
            ),
            ESS_DC_DISCHARGE_ENERGY: _plus(
                ess(ess_ch.DC_DISCHARGE_ENERGY, hybrids), ess(ess_ch.ACTIVE_DISCHARGE_ENERGY, plain)
            ),
        }

    def _grid_mode(self, batteries: list[SymmetricEss]) -> dict[ChannelDoc, Value]:
        modes = {e.value(ess_ch.GRID_MODE) for e in batteries}
        if OFF_GRID_GENSET in modes:
            mode = OFF_GRID_GENSET
        elif OFF_GRID in modes:
            mode = OFF_GRID
        elif modes == {ON_GRID}:
            mode = ON_GRID
        else:
            mode = GRID_MODE_UNDEFINED
        if mode == OFF_GRID:
            self._off_grid_s += self._dt
        elif mode == OFF_GRID_GENSET:
            self._genset_s += self._dt
        return {
            GRID_MODE: mode,
            GRID_MODE_OFF_GRID_TIME: round(self._off_grid_s),
            GRID_MODE_OFF_GRID_GENSET_TIME: round(self._genset_s),
        }
