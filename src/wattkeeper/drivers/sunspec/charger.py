"""`SunSpec.Charger`: one MPPT module of SunSpec model 160 as a DC charger (`charger0`, ...).

A hybrid inverter reports its PV strings in model 160 (MPPT), one repeating `module` per
tracker. The `SunSpec.Ess` component (`ess.id`) already reads 160 over its connection; each
charger publishes one module (`module`, 1-based, in the order the device lists them) under
the channel ids of OpenEMS' EssDcCharger nature (openems-channels.json):

=================  ===========================================================
Channel            SunSpec 160 source
=================  ===========================================================
ActualPower        module DCW (W)
ActualEnergy       module DCWH (Wh, lifetime)
Voltage            module DCV, V → mV
Current            module DCA, A → mA
MaxActualPower     the largest ActualPower seen since start
=================  ===========================================================

A Fronius GEN24 lists its battery paths as modules too ("StCha 3", "StDisCha 4"): they are
not PV, so configure the PV modules only (the component refuses a battery module).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from wattkeeper.config.registry import BuildContext, ComponentConfig, Factory
from wattkeeper.core.errors import ComponentNotFound
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.state import Level, StateDoc
from wattkeeper.drivers.sunspec.common import Values, number, rounded
from wattkeeper.drivers.sunspec.ess import SunSpecEss
from wattkeeper.natures import charger as charger_ch
from wattkeeper.natures.charger import EssDcCharger

#: 160 module names a Fronius GEN24 gives its battery paths.
BATTERY_MODULES = ("StCha", "StDisCha")

MODULE_MISSING = StateDoc(
    "ModuleMissing", Level.WARNING, "The configured MPPT module is not PV on this device"
)


class SunSpecChargerConfig(ComponentConfig):
    ess_id: str = Field("ess0", alias="ess.id", description="The SunSpec.Ess that reads 160")
    module: int = Field(1, ge=1, le=64, description="MPPT module of model 160 (1-based)")


class SunSpecCharger(EssDcCharger):
    """A PV tracker of a hybrid inverter."""

    config: SunSpecChargerConfig

    def __init__(
        self, component_id: str, alias: str, config: SunSpecChargerConfig, manager: ComponentManager
    ) -> None:
        super().__init__(component_id, alias, config)
        self.declare_state(MODULE_MISSING)
        self.ess_id = config.ess_id
        self._manager = manager
        self._max_power: int | None = None

    def before_process_image(self, now: float) -> None:
        module = self._module(now)
        power = rounded(number(module, "DCW"))
        if power is not None:
            self._max_power = max(power, self._max_power or 0)
        self.set(charger_ch.ACTUAL_POWER, power)
        self.set(charger_ch.ACTUAL_ENERGY, rounded(number(module, "DCWH")))
        self.set(charger_ch.VOLTAGE, rounded(number(module, "DCV"), 1000))
        self.set(charger_ch.CURRENT, rounded(number(module, "DCA"), 1000))
        self.set(charger_ch.MAX_ACTUAL_POWER, self._max_power)

    def _module(self, now: float) -> Values:
        """The module's points (names without the `module[i].` prefix); {} when unknown."""
        try:
            ess = self._manager.get_as(self.config.ess_id, SunSpecEss)
        except ComponentNotFound:
            self.raise_state(MODULE_MISSING, f"no SunSpec.Ess '{self.config.ess_id}'")
            return {}
        if not ess.link.fresh(now):
            return {}  # the ESS component carries CommunicationFailed
        mppt = ess.link.values("mppt")
        prefix = f"module[{self.config.module - 1}]."
        name = mppt.get(prefix + "IDStr")
        if prefix + "DCW" not in mppt:
            count = mppt.get("N")
            self.raise_state(MODULE_MISSING, f"model 160 has {count or 0} module(s)")
            return {}
        if isinstance(name, str) and name.startswith(BATTERY_MODULES):
            self.raise_state(MODULE_MISSING, f"module {self.config.module} is '{name}'")
            return {}
        self.clear_state(MODULE_MISSING)
        start = len(prefix)
        return {key[start:]: value for key, value in mppt.items() if key.startswith(prefix)}


def build(component_id: str, alias: str, config: Any, ctx: BuildContext) -> SunSpecCharger:
    return SunSpecCharger(component_id, alias, config, ctx.manager)


FACTORY = Factory(
    "SunSpec.Charger", SunSpecChargerConfig, build, "PV tracker of a SunSpec hybrid (model 160)"
)
