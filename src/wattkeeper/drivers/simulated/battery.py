"""`Simulator.EssSymmetric.Reacting`: a battery that follows its setpoint within its physics."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from wattkeeper.config.registry import BuildContext, ComponentConfig, Factory
from wattkeeper.core.site_time import SiteTime
from wattkeeper.drivers.simulated.physics import derate, integrate
from wattkeeper.natures.ess import (
    ACTIVE_CHARGE_ENERGY,
    ACTIVE_DISCHARGE_ENERGY,
    ACTIVE_POWER,
    ALLOWED_CHARGE_POWER,
    ALLOWED_DISCHARGE_POWER,
    CAPACITY,
    GRID_MODE,
    MAX_APPARENT_POWER,
    MAX_CELL_TEMPERATURE,
    MAX_CELL_VOLTAGE,
    MIN_CELL_TEMPERATURE,
    MIN_CELL_VOLTAGE,
    REACTIVE_POWER,
    SOC,
    ManagedSymmetricEss,
)


class BatteryConfig(ComponentConfig):
    capacity: int = Field(10_000, gt=0, description="Usable capacity in Wh")
    max_charge_power: int = Field(5_000, alias="maxChargePower", ge=0)
    max_discharge_power: int = Field(5_000, alias="maxDischargePower", ge=0)
    max_apparent_power: int = Field(5_000, alias="maxApparentPower", gt=0)
    initial_soc: float = Field(50.0, alias="initialSoc", ge=0, le=100)


class SimulatedBattery(ManagedSymmetricEss):
    config: BatteryConfig

    def __init__(self, component_id: str, alias: str, config: BatteryConfig, time: SiteTime):
        super().__init__(component_id, alias, config)
        self._time = time
        self.energy_wh = config.capacity * config.initial_soc / 100.0
        self.setpoint = 0.0
        self.charged_wh = 0.0
        self.discharged_wh = 0.0
        self._last: float | None = None
        self.set(GRID_MODE, 1)
        self._publish(0.0)

    @property
    def soc_exact(self) -> float:
        return 100.0 * self.energy_wh / self.config.capacity

    def before_process_image(self, now: float) -> None:
        dt = 0.0 if self._last is None else self._time.elapsed(self._last, now)
        self._last = now
        step = integrate(self.energy_wh, self.config.capacity, self.setpoint, dt)
        self.energy_wh = step.energy_wh
        if step.power_w > 0:
            self.discharged_wh += step.power_w * dt / 3600.0
        else:
            self.charged_wh -= step.power_w * dt / 3600.0
        self._publish(step.power_w if dt > 0 else self.setpoint)

    def _publish(self, power: float) -> None:
        cfg = self.config
        charge_factor, discharge_factor = derate(self.soc_exact)
        self.set(SOC, round(self.soc_exact))
        self.set(CAPACITY, cfg.capacity)
        self.set(ACTIVE_POWER, round(power))
        self.set(REACTIVE_POWER, 0)
        self.set(MAX_APPARENT_POWER, cfg.max_apparent_power)
        self.set(ALLOWED_CHARGE_POWER, -round(cfg.max_charge_power * charge_factor))
        self.set(ALLOWED_DISCHARGE_POWER, round(cfg.max_discharge_power * discharge_factor))
        self.set(ACTIVE_CHARGE_ENERGY, round(self.charged_wh))
        self.set(ACTIVE_DISCHARGE_ENERGY, round(self.discharged_wh))
        # LFP cells: about 3.0 V empty to 3.4 V full, a few mV spread; a cool, even pack
        cell_mv = 3000 + 4 * self.soc_exact
        self.set(MIN_CELL_VOLTAGE, round(cell_mv - 4))
        self.set(MAX_CELL_VOLTAGE, round(cell_mv + 4))
        self.set(MIN_CELL_TEMPERATURE, 24)
        self.set(MAX_CELL_TEMPERATURE, 26)

    def write_power(self, active: int, reactive: int) -> None:
        self.setpoint = float(active)
        self.set(ACTIVE_POWER, active)


def build(component_id: str, alias: str, config: Any, ctx: BuildContext) -> SimulatedBattery:
    return SimulatedBattery(component_id, alias, config, ctx.site_time)


FACTORY = Factory(
    "Simulator.EssSymmetric.Reacting", BatteryConfig, build, "Simulated battery (reacting)"
)
