"""Clear-sky irradiance of a site: the sun's position (NOAA's approximate equations) and the
Haurwitz model, GHI = 1098 · cos z · exp(−0.057 / cos z) W/m². Small and dependency-free; a
test holds it against pvlib's implementation of the same model."""

from __future__ import annotations

import math
from datetime import UTC, datetime


def zenith_deg(when: datetime, latitude: float, longitude: float) -> float:
    """The solar zenith angle in degrees (NOAA General Solar Position, ±0.5°)."""
    t = when.astimezone(UTC)
    day = t.timetuple().tm_yday
    hour = t.hour + t.minute / 60 + t.second / 3600
    gamma = 2 * math.pi / 365 * (day - 1 + (hour - 12) / 24)
    eqtime = 229.18 * (
        0.000075
        + 0.001868 * math.cos(gamma)
        - 0.032077 * math.sin(gamma)
        - 0.014615 * math.cos(2 * gamma)
        - 0.040849 * math.sin(2 * gamma)
    )
    decl = (
        0.006918
        - 0.399912 * math.cos(gamma)
        + 0.070257 * math.sin(gamma)
        - 0.006758 * math.cos(2 * gamma)
        + 0.000907 * math.sin(2 * gamma)
        - 0.002697 * math.cos(3 * gamma)
        + 0.00148 * math.sin(3 * gamma)
    )
    true_solar_minutes = hour * 60 + eqtime + 4 * longitude
    hour_angle = math.radians(true_solar_minutes / 4 - 180)
    lat = math.radians(latitude)
    cos_z = math.sin(lat) * math.sin(decl) + math.cos(lat) * math.cos(decl) * math.cos(hour_angle)
    zenith = math.degrees(math.acos(max(-1.0, min(1.0, cos_z))))
    return zenith - _refraction(90 - zenith)


def _refraction(elevation: float) -> float:
    """Atmospheric refraction in degrees (NOAA's approximation): the sun looks higher."""
    if elevation > 85:
        return 0.0
    tan_e = math.tan(math.radians(elevation))
    if elevation > 5:
        arcsec = 58.1 / tan_e - 0.07 / tan_e**3 + 0.000086 / tan_e**5
    elif elevation > -0.575:
        arcsec = 1735 + elevation * (
            -518.2 + elevation * (103.4 + elevation * (-12.79 + elevation * 0.711))
        )
    else:
        arcsec = -20.772 / tan_e
    return arcsec / 3600


def ghi(when: datetime, latitude: float, longitude: float) -> float:
    """Clear-sky global horizontal irradiance in W/m² (Haurwitz)."""
    cos_z = math.cos(math.radians(zenith_deg(when, latitude, longitude)))
    if cos_z <= 0:
        return 0.0
    return 1098.0 * cos_z * math.exp(-0.057 / cos_z)
