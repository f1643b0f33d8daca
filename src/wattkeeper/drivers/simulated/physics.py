"""Pure physics of the simulated home: battery energy, derating, PV and load profiles."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class BatteryStep:
    energy_wh: float
    power_w: float  # what really flowed: + discharge, - charge


def derate(soc: float, band: float = 5.0) -> tuple[float, float]:
    """(charge factor, discharge factor) in 0..1: power fades in the last `band` % near full/empty.

    The floor of 5 % keeps the last percent reachable; exactly full/empty allows nothing.
    """
    charge = 0.0 if soc >= 100.0 else max(0.05, min(1.0, (100.0 - soc) / band))
    discharge = 0.0 if soc <= 0.0 else max(0.05, min(1.0, soc / band))
    return charge, discharge


def integrate(energy_wh: float, capacity_wh: float, power_w: float, dt_s: float) -> BatteryStep:
    """Energy after `dt_s` seconds at `power_w`; a battery cannot go below empty or above full."""
    if dt_s <= 0 or capacity_wh <= 0:
        return BatteryStep(energy_wh, 0.0)
    target = energy_wh - power_w * dt_s / 3600.0
    bounded = min(max(target, 0.0), capacity_wh)
    return BatteryStep(bounded, (energy_wh - bounded) * 3600.0 / dt_s)


def pv_power(
    peak_w: float, day_of_year: int, hour: float, latitude: float, cloud: float = 1.0
) -> float:
    """PV output for a local solar hour: a sine arch from sunrise to sunset, weaker in winter."""
    declination = 23.44 * math.sin(math.radians(360.0 / 365.0 * (day_of_year - 81)))
    cos_omega = -math.tan(math.radians(latitude)) * math.tan(math.radians(declination))
    half_day = math.degrees(math.acos(min(max(cos_omega, -1.0), 1.0))) / 15.0
    sunrise, sunset = 12.0 - half_day, 12.0 + half_day
    if not sunrise < hour < sunset:
        return 0.0
    elevation_noon = 90.0 - latitude + declination
    season = max(math.sin(math.radians(elevation_noon)), 0.0)
    arch = math.sin(math.pi * (hour - sunrise) / (sunset - sunrise)) ** 1.5
    return float(peak_w * season * arch * cloud)


# Relative household load by hour of day (a typical residential load-profile shape).
_LOAD_SHAPE = (
    0.55, 0.45, 0.40, 0.38, 0.38, 0.45, 0.75, 1.10, 1.10, 0.95, 0.90, 1.00,
    1.25, 1.15, 0.95, 0.85, 0.90, 1.15, 1.55, 1.70, 1.55, 1.30, 1.00, 0.75,
)  # fmt: skip


def load_power(mean_w: float, hour: float) -> float:
    """Household load at a local hour, linearly interpolated between hourly shape points."""
    base = int(hour) % 24
    frac = hour - int(hour)
    shape = _LOAD_SHAPE[base] * (1 - frac) + _LOAD_SHAPE[(base + 1) % 24] * frac
    return mean_w * shape


class Noise:
    """Seeded, slowly varying multiplicative noise (a mean-reverting random walk around 1)."""

    def __init__(self, seed: int, amplitude: float) -> None:
        self._random = random.Random(seed)
        self._amplitude = amplitude
        self._level = 1.0

    def next(self) -> float:
        if self._amplitude <= 0:
            return 1.0
        self._level += 0.2 * (1.0 - self._level) + self._random.gauss(0.0, self._amplitude * 0.3)
        return min(max(self._level, 1.0 - self._amplitude), 1.0 + self._amplitude)


def replay(
    power_at: Callable[[datetime], float], zone: ZoneInfo, start: float, end: float
) -> float:
    """The mean of a noise-free profile over [start, end): what a simulator would have measured
    on an average day, sampled every 5 minutes (its "history" for the forecasts)."""
    samples = []
    at = start
    while at < end:
        samples.append(power_at(datetime.fromtimestamp(at, zone)))
        at += 300.0
    return sum(samples) / len(samples) if samples else 0.0


def local_hour(when: datetime) -> float:
    return when.hour + when.minute / 60.0 + when.second / 3600.0


def pv_history(
    peak_w: float, latitude: float, clouds: float, zone: ZoneInfo, start: float, end: float
) -> float:
    """A simulated PV's past mean power: its day arch under average clouds."""
    mean_cloud = 1.0 - 0.3 * clouds

    def at(t: datetime) -> float:
        return pv_power(peak_w, t.timetuple().tm_yday, local_hour(t), latitude, mean_cloud)

    return replay(at, zone, start, end)
