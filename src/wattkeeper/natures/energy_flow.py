"""Who supplies whom: production, grid and battery split over consumption, battery and grid."""

from __future__ import annotations

from dataclasses import dataclass

from wattkeeper.core.channel import ChannelDoc, History, Unit, Value
from wattkeeper.core.channel import ChannelType as T


@dataclass(frozen=True, slots=True)
class Flow:
    """One path of the energy flow: a power channel and its counter(s)."""

    power: str
    energy: str
    #: the counter of the reverse direction of a signed power (GridToEss < 0: battery to grid)
    reverse_energy: str | None = None

    def docs(self) -> tuple[ChannelDoc, ...]:
        docs = [ChannelDoc(self.power, T.INTEGER, Unit.WATT, history=History.NONE)]
        for energy in (self.energy, self.reverse_energy):
            if energy is not None:
                docs.append(
                    ChannelDoc(energy, T.LONG, Unit.CUMULATED_WATT_HOURS, history=History.COUNTER)
                )
        return tuple(docs)


FLOWS = (
    Flow("ProductionToConsumptionPower", "ProductionToConsumptionEnergy"),
    Flow("ProductionToGridPower", "ProductionToGridEnergy"),
    Flow("ProductionToEssPower", "ProductionToEssEnergy"),
    Flow("GridToConsumptionPower", "GridToConsumptionEnergy"),
    Flow("EssToConsumptionPower", "EssToConsumptionEnergy"),
    Flow("GridToEssPower", "GridToEssEnergy", reverse_energy="EssToGridEnergy"),
)
# EssToGridEnergy has no power channel of its own in OpenEMS: it is GridToEssPower below zero.


def split_flows(
    production: int | None, consumption: int | None, grid: int | None, ess: float | None
) -> dict[str, int] | None:
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
        "ProductionToConsumptionPower": round(pv_to_load),
        "ProductionToGridPower": round(pv_to_grid),
        "ProductionToEssPower": round(pv_to_ess),
        "GridToConsumptionPower": round(grid_to_load),
        "EssToConsumptionPower": round(ess_to_load),
        "GridToEssPower": round(grid_to_ess),
    }


class EnergyFlow:
    """Integrates the flow powers into counters (Wh since the edge started)."""

    def __init__(self) -> None:
        self._wh = {doc.name: 0.0 for flow in FLOWS for doc in flow.docs()[1:]}

    def update(self, powers: dict[str, int] | None, dt_s: float) -> dict[str, Value]:
        values: dict[str, Value] = {}
        for flow in FLOWS:
            power = None if powers is None else powers[flow.power]
            values[flow.power] = power
            if power is not None:
                hours = dt_s / 3600.0
                self._wh[flow.energy] += max(power, 0) * hours
                if flow.reverse_energy is not None:
                    self._wh[flow.reverse_energy] += max(-power, 0) * hours
        for name, wh in self._wh.items():
            values[name] = round(wh)
        return values
