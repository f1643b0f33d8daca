"""`GoodWe.Charger-PV` (a PV string as EssDcCharger) and `GoodWe.Grid-Meter`: views of the
inverter poll that `GoodWe.Ess` owns (same registers, no extra traffic on the line)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, Field

from wattkeeper.config.registry import BuildContext, ComponentConfig, Factory
from wattkeeper.core.channel import ChannelDoc
from wattkeeper.core.component import Component
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.state import COMMUNICATION_FAILED
from wattkeeper.drivers.goodwe.ess import GoodWeEss
from wattkeeper.drivers.modbus_device import number, set_all_none
from wattkeeper.natures import charger as charger_ch
from wattkeeper.natures import meter as meter_ch
from wattkeeper.natures.charger import EssDcCharger
from wattkeeper.natures.meter import Meter, MeterType


def set_in_unit(component: Component, key: ChannelDoc, value: float | None) -> None:
    """Set `value` (given in the base unit: V, A, Hz, W) in the channel's declared unit,
    so the driver follows whether a nature declares V or mV, Hz or mHz."""
    channel = component.channels.get(key.name)
    if channel is None:
        return
    if value is None:
        channel.next = None
        return
    factor = 1000.0 if channel.doc.unit.startswith("m") and len(channel.doc.unit) > 1 else 1.0
    channel.next = round(value * factor)


class ViewConfig(ComponentConfig):
    ess_id: str = Field(
        "ess0",
        validation_alias=AliasChoices("essOrBatteryInverter.id", "ess.id", "ess_id"),
        serialization_alias="essOrBatteryInverter.id",
    )


class ChargerConfig(ViewConfig):
    pv: Literal[1, 2] = Field(1, description="Which MPPT string (PV1 or PV2)")


class _View(Component):
    image_order = 4  # after GoodWe.Ess

    def __init__(self, cid: str, alias: str, config: Any, manager: ComponentManager) -> None:
        super().__init__(cid, alias, config)
        self.manager = manager

    def source(self, now: float) -> GoodWeEss | None:
        """The inverter's component if its data is fresh; else the readings are None and
        `CommunicationFailed` follows the inverter's (not raised while it is starting)."""
        ess = self.manager.find(self.config.ess_id)
        if isinstance(ess, GoodWeEss) and ess.fresh:
            self.clear_state(COMMUNICATION_FAILED)
            return ess
        reason = ess.link.failure(now) if isinstance(ess, GoodWeEss) else "no such inverter"
        if reason is not None:
            self.raise_state(COMMUNICATION_FAILED, f"{self.config.ess_id}: {reason}")
        set_all_none(self)
        return None


class GoodWeCharger(_View, EssDcCharger):
    config: ChargerConfig

    def __init__(self, cid: str, alias: str, config: Any, manager: ComponentManager) -> None:
        super().__init__(cid, alias, config, manager)
        self.ess_id = config.ess_id
        self.declare_state(COMMUNICATION_FAILED)
        self._energy_wh = 0.0
        self._at: float | None = None

    def before_process_image(self, now: float) -> None:
        ess = self.source(now)
        if ess is None:
            self._at = None
            return
        values = ess.session.values
        n = self.config.pv
        power = number(values, f"Pv{n}Power")
        self.set(charger_ch.ACTUAL_POWER, None if power is None else round(power))
        self.set(charger_ch.MAX_ACTUAL_POWER, ess.session.type.max_charge_power)
        set_in_unit(self, charger_ch.VOLTAGE, number(values, f"Pv{n}Voltage"))
        set_in_unit(self, charger_ch.CURRENT, number(values, f"Pv{n}Current"))
        if self._at is not None and power is not None:
            self._energy_wh += power * max(now - self._at, 0.0) / 3600.0
        self._at = now
        self.set(charger_ch.ACTUAL_ENERGY, round(self._energy_wh))


class GoodWeGridMeter(_View, Meter):
    """The GoodWe smart meter at the grid connection, read through the inverter (OpenEMS
    sign: + purchase; the device reports + feed-in)."""

    meter_type = MeterType.GRID

    def __init__(self, cid: str, alias: str, config: Any, manager: ComponentManager) -> None:
        super().__init__(cid, alias, config, manager)
        self.declare_state(COMMUNICATION_FAILED)

    def before_process_image(self, now: float) -> None:
        ess = self.source(now)
        if ess is None:
            return
        values = ess.session.values

        def inverted(name: str) -> int | None:
            value = number(values, name)
            return None if value is None else -round(value)

        self.set(meter_ch.ACTIVE_POWER, inverted("MeterActivePower"))
        for phase, doc in enumerate(meter_ch.ACTIVE_POWER_PHASES, start=1):
            if doc.name in self.channels:
                self.set(doc, inverted(f"MeterActivePowerL{phase}"))
        reactive = number(values, "MeterReactivePower")
        self.set(meter_ch.REACTIVE_POWER, None if reactive is None else -round(reactive))
        set_in_unit(self, meter_ch.FREQUENCY, number(values, "MeterFrequency"))
        imported = number(values, "MeterImportEnergy")
        exported = number(values, "MeterExportEnergy")
        self.set(meter_ch.ACTIVE_CONSUMPTION_ENERGY, None if imported is None else round(imported))
        self.set(meter_ch.ACTIVE_PRODUCTION_ENERGY, None if exported is None else round(exported))


def _charger(cid: str, alias: str, config: Any, ctx: BuildContext) -> Component:
    return GoodWeCharger(cid, alias, config, ctx.manager)


def _meter(cid: str, alias: str, config: Any, ctx: BuildContext) -> Component:
    return GoodWeGridMeter(cid, alias, config, ctx.manager)


CHARGER_FACTORY = Factory("GoodWe.Charger-PV", ChargerConfig, _charger, "GoodWe PV string")
METER_FACTORY = Factory("GoodWe.Grid-Meter", ViewConfig, _meter, "GoodWe grid meter")
