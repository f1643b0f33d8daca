"""`SunSpec.Meter`: a grid or production meter with SunSpec model 201, 202, 203 or 204.

=============================  ============================================================
Channel (and its L1..L3)        SunSpec source (model 20x; phases: the phA/phB/phC points)
=============================  ============================================================
ActivePower                    W, WphA.. (× −1 with `invert`)
ReactivePower                  VAR, VARphA..
Voltage                        PhV (else PhVphA), PhVphA.. : V → mV
Current                        A, AphA.. : A → mA
Frequency                      Hz → mHz
ActiveProductionEnergy         TotWhImp, TotWhImpPhA.. (TotWhExp.. with `invert`)
ActiveConsumptionEnergy        TotWhExp, TotWhExpPhA.. (TotWhImp.. with `invert`)
=============================  ============================================================

Sign convention: SunSpec meters count W > 0 and TotWhImp for energy flowing into the site
(import). At the grid connection point that is exactly the grid-meter nature: + buy,
− feed-in; ActiveProductionEnergy is what was bought, ActiveConsumptionEnergy what was
sold. For a production meter (`type = "PRODUCTION"`) mounted so that production reads
negative, set `invert = true`. Per-phase powers are published as ActivePowerL1..L3.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from wattkeeper.config.registry import BuildContext, Factory
from wattkeeper.core.clock import Clock
from wattkeeper.core.state import COMMUNICATION_FAILED
from wattkeeper.drivers.sunspec.common import (
    Role,
    SunSpecConfig,
    SunSpecLink,
    number,
    rounded,
    set_all_none,
)
from wattkeeper.natures import meter as meter_ch
from wattkeeper.natures.meter import Meter, MeterType
from wattkeeper.protocols.sunspec.models import METER_MODELS

#: SunSpec point suffixes (power, energy) of the total and of L1..L3
_POINTS = (("", ""), ("phA", "PhA"), ("phB", "PhB"), ("phC", "PhC"))
_ACTIVE = (meter_ch.ACTIVE_POWER, *meter_ch.ACTIVE_POWER_PHASES)
_REACTIVE = (meter_ch.REACTIVE_POWER, *meter_ch.REACTIVE_POWER_PHASES)
_CURRENT = (meter_ch.CURRENT, *meter_ch.CURRENT_PHASES)
_PRODUCTION = (meter_ch.ACTIVE_PRODUCTION_ENERGY, *meter_ch.ACTIVE_PRODUCTION_ENERGY_PHASES)
_CONSUMPTION = (meter_ch.ACTIVE_CONSUMPTION_ENERGY, *meter_ch.ACTIVE_CONSUMPTION_ENERGY_PHASES)


class SunSpecMeterConfig(SunSpecConfig):
    type: MeterType = Field(MeterType.GRID, description="GRID or PRODUCTION")
    invert: bool = Field(False, description="Swap the sign of power and the energy counters")


class SunSpecMeter(Meter):
    config: SunSpecMeterConfig
    live_config = False  # host, port and unit id are bound into the connection at start

    def __init__(
        self, component_id: str, alias: str, config: SunSpecMeterConfig, clock: Clock
    ) -> None:
        super().__init__(component_id, alias, config)
        self.meter_type = config.type
        self.declare_state(COMMUNICATION_FAILED)
        self.link = SunSpecLink(component_id, config, clock, [Role("meter", METER_MODELS)])
        set_all_none(self)

    async def start(self) -> None:
        await self.link.start()

    async def stop(self) -> None:
        await self.link.stop()

    def before_process_image(self, now: float) -> None:
        if not self.link.check(self, now):
            set_all_none(self)
            return
        values = self.link.values("meter")
        sign = -1.0 if self.config.invert else 1.0
        for i, (point, energy_point) in enumerate(_POINTS):
            self.set(_ACTIVE[i], rounded(number(values, f"W{point}"), sign))
            self.set(_REACTIVE[i], rounded(number(values, f"VAR{point}"), sign))
            self.set(_CURRENT[i], rounded(number(values, f"A{point}"), 1000))
            imported = rounded(number(values, f"TotWhImp{energy_point}"))
            exported = rounded(number(values, f"TotWhExp{energy_point}"))
            if self.config.invert:
                imported, exported = exported, imported
            self.set(_PRODUCTION[i], imported)
            self.set(_CONSUMPTION[i], exported)
        for voltage, (point, _) in zip(meter_ch.VOLTAGE_PHASES, _POINTS[1:], strict=True):
            self.set(voltage, rounded(number(values, f"PhV{point}"), 1000))
        volts = number(values, "PhV")
        self.set(
            meter_ch.VOLTAGE,
            rounded(volts if volts is not None else number(values, "PhVphA"), 1000),
        )
        self.set(meter_ch.FREQUENCY, rounded(number(values, "Hz"), 1000))


def build(component_id: str, alias: str, config: Any, ctx: BuildContext) -> SunSpecMeter:
    return SunSpecMeter(component_id, alias, config, ctx.clock)


FACTORY = Factory("SunSpec.Meter", SunSpecMeterConfig, build, "SunSpec meter (201-204)")
