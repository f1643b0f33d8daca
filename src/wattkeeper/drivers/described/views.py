"""`Described.Meter` and `Described.Charger`: the grid meter and the PV of a described device,
read through its `Described.Ess` connection (`ess.id`), published by the description's
`[meter]` and `[charger]` mappings."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field

from wattkeeper.config.registry import BuildContext, ComponentConfig, Factory
from wattkeeper.core.component import Component
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.state import COMMUNICATION_FAILED
from wattkeeper.drivers.described.ess import DescribedEss
from wattkeeper.drivers.described.publish import publish
from wattkeeper.drivers.modbus_device import set_all_none
from wattkeeper.natures.charger import EssDcCharger
from wattkeeper.natures.meter import Meter, MeterType


class ViewConfig(ComponentConfig):
    ess_id: str = Field(
        "ess0",
        validation_alias=AliasChoices("ess.id", "ess_id"),
        serialization_alias="ess.id",
        description="The Described.Ess whose connection reads this",
    )


class MeterConfig(ViewConfig):
    type: MeterType = MeterType.GRID


class _View(Component):
    image_order = 4  # after the ESS published its poll
    section = ""

    def __init__(self, cid: str, alias: str, config: Any, manager: ComponentManager) -> None:
        super().__init__(cid, alias, config)
        self.manager = manager
        self.declare_state(COMMUNICATION_FAILED)
        set_all_none(self)

    def before_process_image(self, now: float) -> None:
        ess = self.manager.find(self.config.ess_id)
        if not isinstance(ess, DescribedEss):
            self.raise_state(COMMUNICATION_FAILED, f"{self.config.ess_id} is no Described.Ess")
            set_all_none(self)
            return
        if not ess.links.fresh(now):
            reason = ess.links.failure(now)
            if reason is not None:
                self.raise_state(COMMUNICATION_FAILED, f"{ess.id}: {reason}")
            set_all_none(self)
            return
        self.clear_state(COMMUNICATION_FAILED)
        publish(self, getattr(ess.description, self.section), ess.values())


class DescribedMeter(_View, Meter):
    section = "meter"

    def __init__(self, cid: str, alias: str, config: Any, manager: ComponentManager) -> None:
        super().__init__(cid, alias, config, manager)
        self.meter_type = config.type


class DescribedCharger(_View, EssDcCharger):
    section = "charger"

    def __init__(self, cid: str, alias: str, config: Any, manager: ComponentManager) -> None:
        super().__init__(cid, alias, config, manager)
        self.ess_id = config.ess_id


def _meter(cid: str, alias: str, config: Any, ctx: BuildContext) -> DescribedMeter:
    return DescribedMeter(cid, alias, config, ctx.manager)


def _charger(cid: str, alias: str, config: Any, ctx: BuildContext) -> DescribedCharger:
    return DescribedCharger(cid, alias, config, ctx.manager)


METER_FACTORY = Factory(
    "Described.Meter", MeterConfig, _meter, "Grid meter read through a Described.Ess"
)
CHARGER_FACTORY = Factory(
    "Described.Charger", ViewConfig, _charger, "PV (DC) read through a Described.Ess"
)
