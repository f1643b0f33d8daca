"""A simulated hybrid system like the FENECON Home: battery inverter `ess0` with PV on `charger0`.

`Simulator.EssDcCharger.Profile` produces PV power on the DC side; `Simulator.EssHybrid.Reacting`
is the battery inverter: its AC `ActivePower` is battery discharge plus the PV of its chargers,
and `DcDischargePower` is what the battery itself delivers (OpenEMS's HybridEss).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from wattkeeper.config.registry import BuildContext, ComponentConfig, Factory
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.site_time import SiteTime
from wattkeeper.drivers.simulated.battery import BatteryConfig, SimulatedBattery
from wattkeeper.drivers.simulated.physics import Noise, derate, integrate, pv_history, pv_power
from wattkeeper.natures import charger as charger_ch
from wattkeeper.natures import ess as ess_ch
from wattkeeper.natures.charger import EssDcCharger
from wattkeeper.natures.ess import HybridEss

MPP_VOLTAGE_MV = 350_000  # a typical string voltage at the maximum power point


class DcChargerConfig(ComponentConfig):
    ess_id: str = Field("ess0", alias="ess.id", description="The hybrid inverter it feeds")
    peak_power: int = Field(8_000, alias="peakPower", ge=0, description="Peak power in W")
    latitude: float = Field(50.0, ge=-66, le=66)
    clouds: float = Field(0.3, ge=0, le=1, description="Cloud variability 0..1")
    seed: int = 1


class SimulatedDcCharger(EssDcCharger):
    """PV on the DC bus from the same day profile as the simulated PV meter."""

    config: DcChargerConfig
    image_order = -1  # before its inverter, which adds this PV to its AC power

    def __init__(self, cid: str, alias: str, config: DcChargerConfig, time: SiteTime) -> None:
        super().__init__(cid, alias, config)
        self.ess_id = config.ess_id
        self._time = time
        self._noise = Noise(config.seed, config.clouds * 0.5)
        self._last: float | None = None
        self.power = 0.0
        self.energy_wh = 0.0

    def update_config(self, config: Any) -> None:
        super().update_config(config)
        self.ess_id = self.config.ess_id

    history_kind = "production"

    def past_power(self, start: float, end: float) -> float | None:
        cfg = self.config
        return pv_history(cfg.peak_power, cfg.latitude, cfg.clouds, self._time.zone, start, end)

    def before_process_image(self, now: float) -> None:
        dt = 0.0 if self._last is None else self._time.elapsed(self._last, now)
        self._last = now
        self.energy_wh += self.power * dt / 3600.0
        cloud = self._noise.next() * (1.0 - 0.3 * self.config.clouds)
        self.power = pv_power(
            self.config.peak_power,
            self._time.local().timetuple().tm_yday,
            self._time.hour(),
            self.config.latitude,
            cloud,
        )
        producing = self.power > 0
        self.set(charger_ch.MAX_ACTUAL_POWER, self.config.peak_power)
        self.set(charger_ch.ACTUAL_POWER, round(self.power))
        self.set(charger_ch.ACTUAL_ENERGY, round(self.energy_wh))
        self.set(charger_ch.VOLTAGE, MPP_VOLTAGE_MV if producing else 0)
        self.set(charger_ch.CURRENT, round(self.power / MPP_VOLTAGE_MV * 1e6) if producing else 0)


class SimulatedHybridBattery(SimulatedBattery, HybridEss):
    """The battery inverter: the solver sets its AC power; the battery covers AC minus PV."""

    def __init__(
        self, cid: str, alias: str, config: BatteryConfig, time: SiteTime, manager: ComponentManager
    ) -> None:
        self._manager = manager
        self.dc_charged_wh = 0.0
        self.dc_discharged_wh = 0.0
        self.pv = 0.0
        super().__init__(cid, alias, config, time)

    def chargers(self) -> list[EssDcCharger]:
        return [c for c in self._manager.of_type(EssDcCharger) if c.ess_id == self.id]

    def before_process_image(self, now: float) -> None:
        dt = 0.0 if self._last is None else self._time.elapsed(self._last, now)
        self._last = now
        # the chargers ran first (image_order): their PV of this image feeds the battery
        self.pv = sum(float(c.channel(charger_ch.ACTUAL_POWER).next or 0) for c in self.chargers())
        cfg = self.config
        charge_factor, discharge_factor = derate(self.soc_exact)
        wanted = min(
            max(self.setpoint - self.pv, -cfg.max_charge_power * charge_factor),
            cfg.max_discharge_power * discharge_factor,
        )
        step = integrate(self.energy_wh, cfg.capacity, wanted, dt)
        self.energy_wh = step.energy_wh
        battery = step.power_w if dt > 0 else wanted
        ac = battery + self.pv
        hours = dt / 3600.0
        self.dc_discharged_wh += max(battery, 0.0) * hours
        self.dc_charged_wh += max(-battery, 0.0) * hours
        self.discharged_wh += max(ac, 0.0) * hours
        self.charged_wh += max(-ac, 0.0) * hours
        self._publish(ac)
        self.set(ess_ch.DC_DISCHARGE_POWER, round(battery))
        self.set(ess_ch.DC_CHARGE_ENERGY, round(self.dc_charged_wh))
        self.set(ess_ch.DC_DISCHARGE_ENERGY, round(self.dc_discharged_wh))

    def write_power(self, active: int, reactive: int) -> None:
        super().write_power(active, reactive)
        self.set(ess_ch.DC_DISCHARGE_POWER, round(active - self.pv))

    def _publish(self, power: float) -> None:
        super()._publish(power)
        cfg = self.config
        charge_factor, discharge_factor = derate(self.soc_exact)
        pv = getattr(self, "pv", 0.0)
        lowest = max(pv - cfg.max_charge_power * charge_factor, -cfg.max_apparent_power)
        highest = min(pv + cfg.max_discharge_power * discharge_factor, cfg.max_apparent_power)
        self.set(ess_ch.ALLOWED_CHARGE_POWER, min(round(lowest), 0))
        self.set(ess_ch.ALLOWED_DISCHARGE_POWER, max(round(highest), 0))


def build_charger(cid: str, alias: str, config: Any, ctx: BuildContext) -> SimulatedDcCharger:
    return SimulatedDcCharger(cid, alias, config, ctx.site_time)


def build_hybrid(cid: str, alias: str, config: Any, ctx: BuildContext) -> SimulatedHybridBattery:
    return SimulatedHybridBattery(cid, alias, config, ctx.site_time, ctx.manager)


CHARGER_FACTORY = Factory(
    "Simulator.EssDcCharger.Profile", DcChargerConfig, build_charger, "Simulated DC PV charger"
)
HYBRID_FACTORY = Factory(
    "Simulator.EssHybrid.Reacting",
    BatteryConfig,
    build_hybrid,
    "Simulated hybrid battery inverter (PV on its DC chargers)",
)
