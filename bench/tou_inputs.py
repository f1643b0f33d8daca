"""PV and household load per quarter hour for the year simulation: pvlib's TMY data through
PVWatts, and demandlib's BDEW H0 standard load profile.

Needs the bench extra: `.venv/bin/pip install -e '.[bench]'` (pvlib, demandlib, pandas); the
edge and the tests never import this module.

PV. pvlib 0.16.1 ships three typical meteorological years (`pvlib/data/`), none in Europe:
Miami FL (TMY2, 25.8°N), Greensboro NC (TMY3, 36.1°N) and Sand Point AK (TMY3 station 703165,
55.3°N). We use **Sand Point, `703165TY.csv`**: its latitude is Central Europe's northern half
(Hamburg 53.6°N, Copenhagen 55.7°N), so day lengths and the sun's height through the year are
ours; its maritime climate is cloudier (GHI ≈ 830 kWh/m²·a against ≈ 1,000–1,150 in
Germany), so the yield is about 820 kWh/kWp, some 10–15 % below a typical German roof. Source:
NREL's National Solar Radiation Database, TMY3 (1991–2005), published by the US Department of
Energy's NREL for public use and redistributed in pvlib's data folder (pvlib: BSD-3-Clause).
The model: the TMY's own site and weather (GHI, DNI, DHI, air temperature, wind), Hay-Davies
transposition onto a south-facing 35° roof, SAPM cell temperature (close roof mount), PVWatts
DC (−0.37 %/K, 14.08 % system losses: pvlib's `pvwatts_losses` defaults) and the PVWatts
inverter (96 % nominal, AC limit = the kWp). Each hour's mean power is placed at its middle in
local mean solar time and interpolated linearly to the middle of each quarter hour, by solar
time at `longitude`: the TMY's noon falls on the simulated site's noon. 29 February repeats
the 28th. The TMY's months come from different years (that is what "typical" means): the PV
of a day is not the weather of that day in 2024, and it does not match the recorded prices'
days.

Load. demandlib 0.2.2's `ElecSlp(year)["h0_dyn"]`: the BDEW H0 household profile with the
BDEW's dynamisation factor (seasonal smoothing), 15-minute resolution, Germany's nationwide
public holidays as Sundays, scaled to `annual_load_kwh`. The profile runs on local wall-clock
time: the skipped hour of the spring change is left out (≈ 0.3 kWh) and the autumn's repeated
hour reads twice. demandlib: MIT licence.
"""

from __future__ import annotations

import functools
import math
import os
import warnings
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pvlib
from demandlib import bdew

ZONE = ZoneInfo("Europe/Berlin")
TMY_FILE = "703165TY.csv"  # Sand Point AK, NREL TMY3, shipped in pvlib/data
TILT, AZIMUTH = 35.0, 180.0  # a south-facing roof
HOURS_PER_YEAR = 8760
QUARTER = timedelta(minutes=15)


class PvAndLoad(NamedTuple):
    """Mean power over each quarter hour, kW, in the order of the starts asked for."""

    pv_kw: np.ndarray
    load_kw: np.ndarray


def pv_and_load_kw(
    starts: Sequence[datetime],
    *,
    pv_peak_kw: float = 7.0,
    annual_load_kwh: float = 4500.0,
    longitude: float = 10.0,
) -> PvAndLoad:
    """PV of a `pv_peak_kw` south-facing roof (pvlib's Sand Point TMY, PVWatts) and a household
    of `annual_load_kwh` a year (demandlib's BDEW H0, dynamised), per quarter hour starting at
    each of `starts` (timezone-aware; read in Europe/Berlin). `longitude` (°E) places the
    TMY's solar noon on the site's."""
    if any(s.tzinfo is None for s in starts):
        raise ValueError("starts must be timezone-aware (e.g. Europe/Berlin)")
    return PvAndLoad(
        pv_peak_kw * _pv_per_kwp(starts, longitude),
        annual_load_kwh * _h0_per_kwh(starts),
    )


# -- PV -----------------------------------------------------------------------------------------


@functools.cache
def _tmy_hourly() -> tuple[np.ndarray, np.ndarray]:
    """(solar hour of the year at each hour's middle, sorted; AC kW per kWp that hour)."""
    path = os.path.join(os.path.dirname(pvlib.__file__), "data", TMY_FILE)
    weather, meta = pvlib.iotools.read_tmy3(path, coerce_year=1990, map_variables=True)
    site = pvlib.location.Location(meta["latitude"], meta["longitude"], altitude=meta["altitude"])
    middle = weather.index - pd.Timedelta(minutes=30)  # TMY3 labels the end of each hour
    sun = site.get_solarposition(middle)
    poa = pvlib.irradiance.get_total_irradiance(
        TILT,
        AZIMUTH,
        sun["apparent_zenith"].to_numpy(),
        sun["azimuth"].to_numpy(),
        weather["dni"].to_numpy(),
        weather["ghi"].to_numpy(),
        weather["dhi"].to_numpy(),
        dni_extra=pvlib.irradiance.get_extra_radiation(middle).to_numpy(),
        model="haydavies",
    )
    poa_global = np.nan_to_num(np.asarray(poa["poa_global"], dtype=float))
    cell = pvlib.temperature.sapm_cell(
        poa_global,
        weather["temp_air"].to_numpy(),
        weather["wind_speed"].to_numpy(),
        **pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"]["close_mount_glass_glass"],
    )
    dc = pvlib.pvsystem.pvwatts_dc(poa_global, cell, 1.0, -0.0037)
    dc = dc * (1.0 - pvlib.pvsystem.pvwatts_losses() / 100.0)
    ac = np.clip(np.asarray(pvlib.inverter.pvwatts(dc, 1.0), dtype=float), 0.0, None)
    # local mean solar time: UTC + longitude / 15 h
    utc = middle.tz_convert("UTC").tz_localize(None)
    solar = utc + pd.to_timedelta(meta["longitude"] / 15.0, unit="h")
    hours = (solar - pd.Timestamp(1990, 1, 1)) / pd.Timedelta(hours=1)
    hours = np.mod(np.asarray(hours, dtype=float), HOURS_PER_YEAR)
    order = np.argsort(hours)
    return hours[order], ac[order]


def _solar_hour_of_year(when: datetime, longitude: float) -> float:
    """Hours since 1 January 00:00 local mean solar time, on a 365-day year."""
    solar = when.astimezone(UTC).replace(tzinfo=None) + timedelta(hours=longitude / 15.0)
    day = (solar.date() - date(solar.year, 1, 1)).days
    if _leap(solar.year) and (solar.month, solar.day) > (2, 28):
        day -= 1  # 29 February repeats the 28th; March on as in a common year
    return day * 24 + solar.hour + solar.minute / 60 + solar.second / 3600


def _pv_per_kwp(starts: Sequence[datetime], longitude: float) -> np.ndarray:
    hours, kw = _tmy_hourly()
    middles = [_solar_hour_of_year(s + QUARTER / 2, longitude) for s in starts]
    return np.interp(np.asarray(middles, dtype=float), hours, kw, period=HOURS_PER_YEAR)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


# -- load ---------------------------------------------------------------------------------------


def _german_holidays(year: int) -> list[date]:
    """Public holidays in every German state (BDEW: a holiday is a Sunday)."""
    easter = (pd.Timestamp(year, 1, 1) + pd.offsets.Easter()).date()
    return [
        date(year, 1, 1),
        easter - timedelta(days=2),  # Good Friday
        easter + timedelta(days=1),  # Easter Monday
        date(year, 5, 1),
        easter + timedelta(days=39),  # Ascension
        easter + timedelta(days=50),  # Whit Monday
        date(year, 10, 3),
        date(year, 12, 25),
        date(year, 12, 26),
    ]


@functools.cache
def _h0_year(year: int) -> pd.Series:
    """kW per quarter hour for 1 kWh a year, by naive local wall-clock start."""
    with warnings.catch_warnings():
        # ElecSlp turns every warning into an error while it builds (simplefilter("error")):
        # keep that inside
        slp = bdew.ElecSlp(year, holidays={d: "holiday" for d in _german_holidays(year)})
    shares = slp.get_profiles("h0_dyn")["h0_dyn"]
    return shares / shares.sum() * 4.0  # a quarter's share of 1 kWh, as mean kW


def _h0_per_kwh(starts: Sequence[datetime]) -> np.ndarray:
    out = np.empty(len(starts))
    for i, start in enumerate(starts):
        local = start.astimezone(ZONE).replace(tzinfo=None)
        out[i] = _h0_year(local.year).at[pd.Timestamp(local)]
    return out


# -- a sanity check -----------------------------------------------------------------------------


def year_quarters(year: int = 2024) -> list[datetime]:
    """Every quarter-hour start of `year` in Europe/Berlin (DST changes included)."""
    first = datetime(year, 1, 1, tzinfo=ZONE).astimezone(UTC)
    last = datetime(year + 1, 1, 1, tzinfo=ZONE).astimezone(UTC)
    count = math.floor((last - first) / QUARTER)
    return [(first + k * QUARTER).astimezone(ZONE) for k in range(count)]


def main() -> None:
    starts = year_quarters(2024)
    inputs = pv_and_load_kw(starts)
    pv_kwh = float(inputs.pv_kw.sum()) * 0.25
    load_kwh = float(inputs.load_kw.sum()) * 0.25
    by_month = np.zeros(12)
    for start, kw in zip(starts, inputs.pv_kw, strict=True):
        by_month[start.month - 1] += kw * 0.25
    print(f"quarter hours: {len(starts)} (2024, Europe/Berlin)")
    print(f"PV   7 kWp south 35° ({TMY_FILE}): {pv_kwh:7.0f} kWh = {pv_kwh / 7.0:5.0f} kWh/kWp")
    print(f"     peak {inputs.pv_kw.max():.2f} kW; per month kWh: {np.round(by_month).tolist()}")
    print(f"load BDEW H0 (dynamised), 4,500 kWh/a: {load_kwh:7.0f} kWh")
    print(f"     peak {inputs.load_kw.max():.2f} kW, lowest {inputs.load_kw.min():.3f} kW")


if __name__ == "__main__":
    main()
