"""`Controller.Symmetric.Balancing`: self-consumption optimisation, keeping the grid at a target."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from wattkeeper.config.registry import BuildContext, ComponentConfig, Factory
from wattkeeper.core.controller import Controller, Priority
from wattkeeper.core.manager import ComponentManager
from wattkeeper.natures.ess import ACTIVE_POWER, ManagedSymmetricEss
from wattkeeper.natures.meter import Meter
from wattkeeper.power.model import Relation
from wattkeeper.power.stage import Power


class BalancingConfig(ComponentConfig):
    ess_id: str = Field("ess0", alias="ess.id")
    meter_id: str = Field("meter0", alias="meter.id")
    target_grid_setpoint: int = Field(0, alias="targetGridSetpoint")


class Balancing(Controller):
    priority = Priority.BALANCING
    config: BalancingConfig

    def __init__(self, cid: str, alias: str, config: BalancingConfig, ctx: BuildContext) -> None:
        super().__init__(cid, alias, config)
        self._manager: ComponentManager = ctx.manager
        self._power: Power = ctx.power

    def run(self) -> None:
        ess = self._manager.get_as(self.config.ess_id, ManagedSymmetricEss)
        meter = self._manager.get_as(self.config.meter_id, Meter)
        grid = meter.active_power()
        ess_power = ess.value(ACTIVE_POWER)
        if grid is None or not isinstance(ess_power, int | float):
            return  # readings unavailable: add nothing, the battery falls back to 0 W
        # the battery takes over what the grid delivers beyond the target
        wanted = grid + ess_power - self.config.target_grid_setpoint
        self._power.add_active(ess.id, Relation.EQUALS, wanted, f"{self.id}: balancing")


def build(cid: str, alias: str, config: Any, ctx: BuildContext) -> Balancing:
    return Balancing(cid, alias, config, ctx)


FACTORY = Factory(
    "Controller.Symmetric.Balancing", BalancingConfig, build, "Self-consumption optimisation"
)
