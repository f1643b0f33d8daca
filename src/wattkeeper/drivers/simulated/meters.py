"""Simulated meters: PV production from a day profile, household load, and the reacting grid."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from wattkeeper.config.registry import BuildContext, ComponentConfig, Factory
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.site_time import SiteTime
from wattkeeper.drivers.simulated.physics import (
    Noise,
    load_power,
    local_hour,
    pv_history,
    pv_power,
    replay,
)
from wattkeeper.natures import meter as meter_ch
from wattkeeper.natures.ess import ACTIVE_POWER as ESS_ACTIVE_POWER
from wattkeeper.natures.ess import EssCluster, SymmetricEss
from wattkeeper.natures.meter import Meter, MeterType

VOLTAGE_MV = 230_000
FREQUENCY_MHZ = 50_000

#: each phase's channels, in the order `publish_balanced` sets them
_BY_PHASE = tuple(
    zip(
        meter_ch.ACTIVE_POWER_PHASES,
        meter_ch.REACTIVE_POWER_PHASES,
        meter_ch.VOLTAGE_PHASES,
        meter_ch.CURRENT_PHASES,
        meter_ch.ACTIVE_PRODUCTION_ENERGY_PHASES,
        meter_ch.ACTIVE_CONSUMPTION_ENERGY_PHASES,
        strict=True,
    )
)


def publish_balanced(meter: Meter, power: float, produced_wh: float, consumed_wh: float) -> None:
    """A meter on a balanced three-phase line: each phase carries a third (OpenEMS units)."""
    phase_power = power / 3.0
    phase_current_ma = round(phase_power / (VOLTAGE_MV / 1000.0) * 1000.0)
    meter.set(meter_ch.ACTIVE_POWER, round(power))
    meter.set(meter_ch.REACTIVE_POWER, 0)
    meter.set(meter_ch.VOLTAGE, VOLTAGE_MV)
    meter.set(meter_ch.CURRENT, 3 * phase_current_ma)
    meter.set(meter_ch.FREQUENCY, FREQUENCY_MHZ)
    meter.set(meter_ch.ACTIVE_PRODUCTION_ENERGY, round(produced_wh))
    meter.set(meter_ch.ACTIVE_CONSUMPTION_ENERGY, round(consumed_wh))
    for active, reactive, voltage, current, produced, consumed in _BY_PHASE:
        meter.set(active, round(phase_power))
        meter.set(reactive, 0)
        meter.set(voltage, VOLTAGE_MV)
        meter.set(current, phase_current_ma)
        meter.set(produced, round(produced_wh / 3.0))
        meter.set(consumed, round(consumed_wh / 3.0))


class _EnergyMeter(Meter):
    """Integrates its power into the energy counters; positive power counts as production
    (grid: buy), negative as consumption (grid: feed-in) — for a load meter the other way round."""

    positive_is_consumption = False

    def __init__(self, component_id: str, alias: str, config: Any, time: SiteTime) -> None:
        super().__init__(component_id, alias, config)
        self._time = time
        self._last: float | None = None
        self.power = 0.0
        self.produced_wh = 0.0
        self.consumed_wh = 0.0

    def before_process_image(self, now: float) -> None:
        dt = 0.0 if self._last is None else self._time.elapsed(self._last, now)
        self._last = now
        energy = self.power * dt / 3600.0
        if self.positive_is_consumption:
            energy = -energy
        if energy >= 0:
            self.produced_wh += energy
        else:
            self.consumed_wh -= energy
        self.power = self.measure()
        publish_balanced(self, self.power, self.produced_wh, self.consumed_wh)

    def measure(self) -> float:
        raise NotImplementedError


class PvConfig(ComponentConfig):
    peak_power: int = Field(8_000, alias="peakPower", ge=0, description="Peak power in W")
    latitude: float = Field(50.0, ge=-66, le=66)
    clouds: float = Field(0.3, ge=0, le=1, description="Cloud variability 0..1")
    seed: int = 1


class SimulatedPv(_EnergyMeter):
    meter_type = MeterType.PRODUCTION
    config: PvConfig

    def __init__(self, component_id: str, alias: str, config: PvConfig, time: SiteTime) -> None:
        super().__init__(component_id, alias, config, time)
        self._noise = Noise(config.seed, config.clouds * 0.5)

    history_kind = "production"

    def past_power(self, start: float, end: float) -> float | None:
        cfg = self.config
        return pv_history(cfg.peak_power, cfg.latitude, cfg.clouds, self._time.zone, start, end)

    def measure(self) -> float:
        local = self._time.local()
        cloud = self._noise.next() * (1.0 - 0.3 * self.config.clouds)
        return pv_power(
            self.config.peak_power,
            local.timetuple().tm_yday,
            self._time.hour(),
            self.config.latitude,
            cloud,
        )


class LoadConfig(ComponentConfig):
    annual_energy: int = Field(4_500_000, alias="annualEnergy", ge=0, description="Wh per year")
    noise: float = Field(0.25, ge=0, le=1)
    seed: int = 2


class SimulatedLoad(_EnergyMeter):
    meter_type = MeterType.CONSUMPTION_METERED
    positive_is_consumption = True
    config: LoadConfig

    def __init__(self, component_id: str, alias: str, config: LoadConfig, time: SiteTime) -> None:
        super().__init__(component_id, alias, config, time)
        self._noise = Noise(config.seed, config.noise)

    history_kind = "consumption"

    def past_power(self, start: float, end: float) -> float | None:
        mean = self.config.annual_energy / 8760.0
        return replay(lambda t: load_power(mean, local_hour(t)), self._time.zone, start, end)

    def measure(self) -> float:
        mean = self.config.annual_energy / 8760.0
        return load_power(mean, self._time.hour()) * self._noise.next()


class GridConfig(ComponentConfig):
    pass


class SimulatedGrid(_EnergyMeter):
    """Closes the balance: grid = load - production - battery discharge (runs after the others)."""

    meter_type = MeterType.GRID
    image_order = 10

    def __init__(self, component_id: str, alias: str, config: Any, ctx: BuildContext) -> None:
        super().__init__(component_id, alias, config, ctx.site_time)
        self._manager: ComponentManager = ctx.manager

    def measure(self) -> float:
        balance = 0.0
        for meter in self._manager.of_type(Meter):
            power = meter.channel(meter_ch.ACTIVE_POWER).next
            if meter is self or not isinstance(power, int):
                continue
            if meter.meter_type is MeterType.CONSUMPTION_METERED:
                balance += power
            elif meter.meter_type is MeterType.PRODUCTION:
                balance -= power
        for ess in self._manager.of_type(SymmetricEss):
            power = ess.channel(ESS_ACTIVE_POWER).next
            if not isinstance(ess, EssCluster) and isinstance(power, int):
                balance -= power
        return balance


def _site_time(ctx: BuildContext) -> SiteTime:
    time: SiteTime = ctx.site_time
    return time


PV_FACTORY = Factory(
    "Simulator.ProductionMeter.Profile",
    PvConfig,
    lambda cid, alias, cfg, ctx: SimulatedPv(cid, alias, cfg, _site_time(ctx)),
    "Simulated PV from a day profile",
)
LOAD_FACTORY = Factory(
    "Simulator.ConsumptionMeter.Profile",
    LoadConfig,
    lambda cid, alias, cfg, ctx: SimulatedLoad(cid, alias, cfg, _site_time(ctx)),
    "Simulated household load (standard load profile with noise)",
)
GRID_FACTORY = Factory(
    "Simulator.GridMeter.Reacting",
    GridConfig,
    lambda cid, alias, cfg, ctx: SimulatedGrid(cid, alias, cfg, ctx),
    "Simulated grid meter that closes the balance",
)
