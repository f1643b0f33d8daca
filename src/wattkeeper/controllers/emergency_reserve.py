"""`Controller.Ess.EmergencyCapacityReserve`: never discharge below a reserve state of charge."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from wattkeeper.config.registry import BuildContext, ComponentConfig, Factory
from wattkeeper.core.channel import ChannelDoc, ChannelType, History, Unit
from wattkeeper.core.controller import Controller, Priority
from wattkeeper.core.manager import ComponentManager
from wattkeeper.natures.ess import ManagedSymmetricEss
from wattkeeper.power.model import Relation
from wattkeeper.power.stage import Power


class ReserveConfig(ComponentConfig):
    ess_id: str = Field("ess0", alias="ess.id")
    reserve_soc: int = Field(20, alias="reserveSoc", ge=0, le=100)
    enabled: bool = Field(True, alias="isReserveSocEnabled")


#: OpenEMS's channel of this controller; its UI charts it with the state of charge.
ACTUAL_RESERVE_SOC = ChannelDoc(
    "ActualReserveSoc",
    ChannelType.INTEGER,
    Unit.PERCENT,
    text="The reserve SoC in force (null while the reserve is switched off)",
    history=History.POWER,
)


class EmergencyReserve(Controller):
    priority = Priority.EMERGENCY
    config: ReserveConfig

    def __init__(self, cid: str, alias: str, config: ReserveConfig, ctx: BuildContext) -> None:
        super().__init__(cid, alias, config)
        self.declare(ACTUAL_RESERVE_SOC)
        self._manager: ComponentManager = ctx.manager
        self._power: Power = ctx.power

    def run(self) -> None:
        self.set(ACTUAL_RESERVE_SOC.name, self.config.reserve_soc if self.config.enabled else None)
        if not self.config.enabled:
            return
        ess = self._manager.get_as(self.config.ess_id, ManagedSymmetricEss)
        soc = ess.soc()
        if soc is not None and soc <= self.config.reserve_soc:
            self._power.add_active(
                ess.id,
                Relation.LESS_OR_EQUALS,
                0,
                f"{self.id}: reserve {self.config.reserve_soc} %",
            )


def build(cid: str, alias: str, config: Any, ctx: BuildContext) -> EmergencyReserve:
    return EmergencyReserve(cid, alias, config, ctx)


FACTORY = Factory(
    "Controller.Ess.EmergencyCapacityReserve", ReserveConfig, build, "Emergency capacity reserve"
)
