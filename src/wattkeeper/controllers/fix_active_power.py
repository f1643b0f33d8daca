"""`Controller.Ess.FixActivePower`: hold a fixed active power (or bound) while switched on."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from wattkeeper.config.registry import BuildContext, ComponentConfig, Factory
from wattkeeper.core.controller import Controller, Priority
from wattkeeper.power.model import Relation
from wattkeeper.power.stage import Power


class FixConfig(ComponentConfig):
    ess_id: str = Field("ess0", alias="ess.id")
    mode: Literal["MANUAL_ON", "MANUAL_OFF"] = "MANUAL_ON"
    power: int = 0
    relationship: Literal["EQUALS", "LESS_OR_EQUALS", "GREATER_OR_EQUALS"] = "EQUALS"


class FixActivePower(Controller):
    priority = Priority.FIX
    config: FixConfig

    def __init__(self, cid: str, alias: str, config: FixConfig, ctx: BuildContext) -> None:
        super().__init__(cid, alias, config)
        self._power: Power = ctx.power

    def run(self) -> None:
        if self.config.mode == "MANUAL_ON":
            relation = Relation[self.config.relationship]
            self._power.add_active(
                self.config.ess_id, relation, self.config.power, f"{self.id}: fixed"
            )


def build(cid: str, alias: str, config: Any, ctx: BuildContext) -> FixActivePower:
    return FixActivePower(cid, alias, config, ctx)


FACTORY = Factory("Controller.Ess.FixActivePower", FixConfig, build, "Fixed active power")
