"""Who supplies whom: production, grid and battery split over consumption, battery and grid."""

from __future__ import annotations

from dataclasses import dataclass

from wattkeeper.core.channel import ChannelDoc, History, Unit, Value
from wattkeeper.core.channel import ChannelType as T


@dataclass(frozen=True, slots=True)
class Flow:
    """One path of the energy flow: a power channel and its counter(s)."""

    power: ChannelDoc
    energy: ChannelDoc
    #: the counter of the reverse direction of a signed power (GridToEss < 0: battery to grid)
    reverse_energy: ChannelDoc | None = None

    def docs(self) -> tuple[ChannelDoc, ...]:
        if self.reverse_energy is None:
            return (self.power, self.energy)
        return (self.power, self.energy, self.reverse_energy)


def _power(name: str) -> ChannelDoc:
    return ChannelDoc(name, T.INTEGER, Unit.WATT, history=History.NONE)


def _energy(name: str) -> ChannelDoc:
    return ChannelDoc(name, T.LONG, Unit.CUMULATED_WATT_HOURS, history=History.COUNTER)


PRODUCTION_TO_CONSUMPTION = Flow(
    _power("ProductionToConsumptionPower"), _energy("ProductionToConsumptionEnergy")
)
PRODUCTION_TO_GRID = Flow(_power("ProductionToGridPower"), _energy("ProductionToGridEnergy"))
PRODUCTION_TO_ESS = Flow(_power("ProductionToEssPower"), _energy("ProductionToEssEnergy"))
GRID_TO_CONSUMPTION = Flow(_power("GridToConsumptionPower"), _energy("GridToConsumptionEnergy"))
ESS_TO_CONSUMPTION = Flow(_power("EssToConsumptionPower"), _energy("EssToConsumptionEnergy"))
GRID_TO_ESS = Flow(
    _power("GridToEssPower"), _energy("GridToEssEnergy"), reverse_energy=_energy("EssToGridEnergy")
)
FLOWS = (
    PRODUCTION_TO_CONSUMPTION,
    PRODUCTION_TO_GRID,
    PRODUCTION_TO_ESS,
    GRID_TO_CONSUMPTION,
    ESS_TO_CONSUMPTION,
    GRID_TO_ESS,
)
#: every flow channel, declared once (Sum declares them)
FLOW_CHANNELS = tuple(doc for flow in FLOWS for doc in flow.docs())
# EssToGridEnergy has no power channel of its own in OpenEMS: it is GridToEssPower below zero.


def split_flows(
    production: int | None, consumption: int | None, grid: int | None, ess: float | None
) -> dict[Flow, int] | None:
    """Allocate this cycle's powers: production serves consumption first, then the battery,
    then the grid; the battery serves consumption before the grid. None when a power is unknown."""
    if production is None or consumption is None or grid is None or ess is None:
        return None
    pv, load = max(production, 0), max(consumption, 0)
    discharge, charge = max(ess, 0.0), max(-ess, 0.0)
    pv_to_load = min(pv, load)
    pv_left, load_left = pv - pv_to_load, load - pv_to_load
    pv_to_ess = min(pv_left, charge)
    pv_to_grid = pv_left - pv_to_ess
    ess_to_load = min(discharge, load_left)
    grid_to_load = load_left - ess_to_load
    grid_to_ess = (charge - pv_to_ess) - (discharge - ess_to_load)
    return {
        PRODUCTION_TO_CONSUMPTION: round(pv_to_load),
        PRODUCTION_TO_GRID: round(pv_to_grid),
        PRODUCTION_TO_ESS: round(pv_to_ess),
        GRID_TO_CONSUMPTION: round(grid_to_load),
        ESS_TO_CONSUMPTION: round(ess_to_load),
        GRID_TO_ESS: round(grid_to_ess),
    }


class EnergyFlow:
    """Integrates the flow powers into counters (Wh since the edge started)."""

    def __init__(self) -> None:
        self._wh = {doc: 0.0 for flow in FLOWS for doc in flow.docs()[1:]}

    def update(self, powers: dict[Flow, int] | None, dt_s: float) -> dict[ChannelDoc, Value]:
        values: dict[ChannelDoc, Value] = {}
        for flow in FLOWS:
            power = None if powers is None else powers[flow]
            values[flow.power] = power
            if power is not None:
                hours = dt_s / 3600.0
                self._wh[flow.energy] += max(power, 0) * hours
                if flow.reverse_energy is not None:
                    self._wh[flow.reverse_energy] += max(-power, 0) * hours
        for doc, wh in self._wh.items():
            values[doc] = round(wh)
        return values
