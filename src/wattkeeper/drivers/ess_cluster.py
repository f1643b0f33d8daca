"""`Ess.Cluster`: several batteries as one `ess0`; readings are the sum of its members."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from wattkeeper.config.registry import BuildContext, ComponentConfig, Factory
from wattkeeper.core.manager import ComponentManager
from wattkeeper.natures.ess import EssCluster, ManagedSymmetricEss

_SUMMED = (
    "Capacity",
    "ActivePower",
    "ReactivePower",
    "MaxApparentPower",
    "AllowedChargePower",
    "AllowedDischargePower",
    "ActiveChargeEnergy",
    "ActiveDischargeEnergy",
)
#: the cluster's extreme cells are its members' extremes
_EXTREMES = {
    "MinCellVoltage": min,
    "MaxCellVoltage": max,
    "MinCellTemperature": min,
    "MaxCellTemperature": max,
}


class ClusterConfig(ComponentConfig):
    ess_ids: list[str] = Field(alias="ess.ids", min_length=1)


class Cluster(EssCluster):
    image_order = 5  # after its members have read their devices

    def __init__(self, cid: str, alias: str, config: ClusterConfig, manager: ComponentManager):
        super().__init__(cid, list(config.ess_ids), alias, config)
        self._manager = manager

    def members(self) -> list[ManagedSymmetricEss]:
        found = (self._manager.find(m) for m in self.member_ids)
        return [m for m in found if isinstance(m, ManagedSymmetricEss)]

    def before_process_image(self, now: float) -> None:
        members = self.members()
        for name in _SUMMED:
            values = [m.channels[name].next for m in members]
            known = [v for v in values if isinstance(v, int | float)]
            self.set(name, round(sum(known)) if known and len(known) == len(values) else None)
        modes = {m.channels["GridMode"].next for m in members}
        self.set("GridMode", modes.pop() if len(modes) == 1 else -1)  # -1: undefined / mixed
        for name, pick in _EXTREMES.items():
            cells = [m.channels[name].next for m in members]
            known = [v for v in cells if isinstance(v, int | float)]
            self.set(name, round(pick(known)) if known else None)
        weighted = [
            (m.channels["Soc"].next, m.channels["Capacity"].next)
            for m in members
            if isinstance(m.channels["Soc"].next, int | float)
            and isinstance(m.channels["Capacity"].next, int | float)
        ]
        capacity = sum(float(c or 0) for _, c in weighted)
        soc = (
            sum(float(s or 0) * float(c or 0) for s, c in weighted) / capacity if capacity else None
        )
        self.set("Soc", None if soc is None else round(soc))
        self.supports_reactive_power = bool(members) and all(
            m.supports_reactive_power for m in members
        )


def build(cid: str, alias: str, config: Any, ctx: BuildContext) -> Cluster:
    return Cluster(cid, alias, config, ctx.manager)


FACTORY = Factory("Ess.Cluster", ClusterConfig, build, "Several batteries as one")
