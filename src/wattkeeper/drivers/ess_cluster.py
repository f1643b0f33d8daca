"""`Ess.Cluster`: several batteries as one `ess0`; readings are the sum of its members."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from wattkeeper.config.registry import BuildContext, ComponentConfig, Factory
from wattkeeper.core.manager import ComponentManager
from wattkeeper.natures import ess as ess_ch
from wattkeeper.natures.ess import EssCluster, ManagedSymmetricEss

_SUMMED = (
    ess_ch.CAPACITY,
    ess_ch.ACTIVE_POWER,
    ess_ch.REACTIVE_POWER,
    ess_ch.MAX_APPARENT_POWER,
    ess_ch.ALLOWED_CHARGE_POWER,
    ess_ch.ALLOWED_DISCHARGE_POWER,
    ess_ch.ACTIVE_CHARGE_ENERGY,
    ess_ch.ACTIVE_DISCHARGE_ENERGY,
)
#: the cluster's extreme cells are its members' extremes
_EXTREMES = (
    (ess_ch.MIN_CELL_VOLTAGE, min),
    (ess_ch.MAX_CELL_VOLTAGE, max),
    (ess_ch.MIN_CELL_TEMPERATURE, min),
    (ess_ch.MAX_CELL_TEMPERATURE, max),
)


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
            values = [m.channel(name).next for m in members]
            known = [v for v in values if isinstance(v, int | float)]
            self.set(name, round(sum(known)) if known and len(known) == len(values) else None)
        modes = {m.channel(ess_ch.GRID_MODE).next for m in members}
        self.set(ess_ch.GRID_MODE, modes.pop() if len(modes) == 1 else -1)  # -1: undefined / mixed
        for name, pick in _EXTREMES:
            cells = [m.channel(name).next for m in members]
            known = [v for v in cells if isinstance(v, int | float)]
            self.set(name, round(pick(known)) if known else None)
        weighted = [
            (m.channel(ess_ch.SOC).next, m.channel(ess_ch.CAPACITY).next)
            for m in members
            if isinstance(m.channel(ess_ch.SOC).next, int | float)
            and isinstance(m.channel(ess_ch.CAPACITY).next, int | float)
        ]
        capacity = sum(float(c or 0) for _, c in weighted)
        soc = (
            sum(float(s or 0) * float(c or 0) for s, c in weighted) / capacity if capacity else None
        )
        self.set(ess_ch.SOC, None if soc is None else round(soc))
        self.supports_reactive_power = bool(members) and all(
            m.supports_reactive_power for m in members
        )


def build(cid: str, alias: str, config: Any, ctx: BuildContext) -> Cluster:
    return Cluster(cid, alias, config, ctx.manager)


FACTORY = Factory("Ess.Cluster", ClusterConfig, build, "Several batteries as one")
