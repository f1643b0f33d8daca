"""The device description format: what a vendor's TOML file may say, checked on load.

A description names the device's Modbus units by role (`[units]`), its points by name
(`[points]`: unit role, wire address, type, scale exponent, word order, function, access),
which channel of `ess0`/`meter0`/`charger0` takes which point (`[ess]`, `[meter]`,
`[charger]`), how a setpoint becomes register writes (`[control]`) and how the simulator
fills its register image (`[simulator]`). docs/devices.md explains every key.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from wattkeeper.protocols.registers import Access, Point, RegType, WordOrder

Scalar = int | float | str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PointSpec(_Strict):
    """One value on the wire. `scale` is a decimal exponent: value = raw × 10^scale."""

    unit: str = ""  # role from [units]; empty: the first unit
    address: int = Field(ge=0, le=65535)
    type: RegType
    size: int = Field(0, ge=0, le=64)  # registers, strings only
    scale: int = Field(0, ge=-6, le=6)
    word_order: WordOrder | None = None  # else the device's
    function: Literal["holding", "input"] = "holding"
    access: Access = Access.R
    quantity: str = ""  # physical unit, for people: "W", "%", "Wh"
    once: bool = False  # identity: read once per connection
    states: dict[str, str] = Field(default_factory=dict)  # enum value -> meaning
    text: str = ""


class Mapping(_Strict):
    """channel <- (point [× -1 while `sign_bit` = (point, bit) is set] + plus − minus) × factor.
    The sign bit serves a magnitude whose direction is a status bit (Sungrow's battery power);
    plus/minus add phases, or PV and battery to an inverter's AC power."""

    point: str
    plus: tuple[str, ...] = ()
    minus: tuple[str, ...] = ()
    factor: float = 1.0
    sign_bit: tuple[str, int] | None = None


class Limits(_Strict):
    """Where the allowed powers come from: points, or fixed watts."""

    charge: str = ""
    discharge: str = ""
    charge_w: int = Field(0, ge=0)
    discharge_w: int = Field(0, ge=0)
    reserve: str = ""  # a point in %: no discharge at or below it
    reserve_pct: float = Field(0.0, ge=0.0, le=100.0)
    capacity: str = ""  # a point in Wh (after scaling)
    capacity_wh: int = Field(0, ge=0)


class Enable(_Strict):
    """The device takes setpoints only while `point` reads `equals`; else `say` tells the
    installer what to change, and writes are answered as not applicable."""

    point: str
    equals: int
    say: str


class Control(_Strict):
    """A setpoint P (W, + discharge) as writes. Values are numbers, or `P`, `-P` (signed),
    `W` (|P|). P < 0 writes `charge`, P ≥ 0 `discharge` (or `any` for both); `release` hands
    the battery back. Writes go out in the order given, every `refresh_s` at the latest."""

    refresh_s: float = Field(gt=0)
    lapse_s: float = Field(gt=0)  # the device forgets a setpoint not renewed this long
    released: Literal["self-consumption", "idle"] = "self-consumption"
    enable: Enable | None = None
    # which power the control registers set: the battery's (Huawei, Sungrow, Kostal: a hybrid's
    # edge setpoint, its AC power, minus the DC PV of `pv_point`) or the inverter's AC (Victron)
    side: Literal["battery", "ac"] = "battery"
    pv_point: str = ""
    charge: dict[str, Scalar] = Field(default_factory=dict)
    discharge: dict[str, Scalar] = Field(default_factory=dict)
    any: dict[str, Scalar] = Field(default_factory=dict)
    release: dict[str, Scalar]

    @model_validator(mode="after")
    def _one_way(self) -> Control:
        if not self.any and not (self.charge and self.discharge):
            raise ValueError("control needs `any`, or both `charge` and `discharge`")
        return self


class Simulator(_Strict):
    """What the simulator serves: point -> a quantity of its physics or a constant.
    Quantities: soc, battery_w (+ discharge), grid_w (+ import), pv_w, load_w, capacity_wh,
    max_w, ac_w (battery + PV, + export), charged_wh, discharged_wh, imported_wh,
    exported_wh (and *_kwh), reserve_pct, direction (0 idle, 1 charging, 2 discharging);
    `-q` negates, `abs:q` is |q|,
    `bits:C:D` sets bit C while charging and bit D while discharging."""

    values: dict[str, Scalar]
    exception_code: int = Field(4, ge=1, le=11)  # what the `exception` fault answers
    refused_value: int = 0  # what `enable.point` reads under the `refuse-control` fault


class Identity(_Strict):
    model: str = ""  # a point; empty: the device has no model register (scan names `products`)
    serial: str
    expect: str = ""  # a regular expression the model must match (scan)


class Description(_Strict):
    kind: str
    vendor: str
    products: str
    sources: tuple[str, ...]
    transport: Literal["tcp"] = "tcp"
    port: int = Field(502, ge=1, le=65535)
    word_order: WordOrder = WordOrder.BIG
    max_read: int = Field(100, ge=1, le=125)
    max_gap: int = Field(0, ge=0, le=64)  # unused registers a read may bridge
    units: dict[str, int]
    identity: Identity
    points: dict[str, PointSpec]
    ess: dict[str, str | Mapping] = Field(default_factory=dict)
    meter: dict[str, str | Mapping] = Field(default_factory=dict)
    charger: dict[str, str | Mapping] = Field(default_factory=dict)
    limits: Limits = Limits()
    control: Control | None = None
    simulator: Simulator

    @model_validator(mode="after")
    def _consistent(self) -> Description:
        problems: list[str] = []
        names = set(self.points)
        for name, spec in self.points.items():
            if spec.unit and spec.unit not in self.units:
                problems.append(f"point {name}: unit role '{spec.unit}' is not in [units]")
            if spec.type is RegType.STRING and spec.size == 0:
                problems.append(f"point {name}: a string needs size")
        for section in (self.ess, self.meter, self.charger):
            for channel, source in section.items():
                mapping = as_mapping(source)
                for ref in (mapping.point, *mapping.plus, *mapping.minus):
                    if ref not in names:
                        problems.append(f"channel {channel}: unknown point {ref}")
                if mapping.sign_bit and mapping.sign_bit[0] not in names:
                    problems.append(f"channel {channel}: unknown point {mapping.sign_bit[0]}")
        limits = self.limits
        for ref in (limits.charge, limits.discharge, limits.reserve, limits.capacity):
            if ref and ref not in names:
                problems.append(f"limits: unknown point {ref}")
        for ref in (self.identity.model, self.identity.serial):
            if ref and ref not in names:
                problems.append(f"identity: unknown point {ref}")
        if self.control is not None:
            control = self.control
            for table in (control.charge, control.discharge, control.any, control.release):
                for name, value in table.items():
                    target = self.points.get(name)
                    if target is None or target.access is not Access.RW:
                        problems.append(f"control: {name} is not a writable point")
                    if isinstance(value, str) and value not in ("P", "-P", "W"):
                        problems.append(f"control: {name} = {value!r} (P, -P, W or a number)")
            if control.pv_point and control.pv_point not in names:
                problems.append(f"control.pv_point: unknown point {control.pv_point}")
            if control.enable is not None and control.enable.point not in names:
                problems.append(f"control.enable: unknown point {control.enable.point}")
        for name in self.simulator.values:
            if name not in names:
                problems.append(f"simulator: unknown point {name}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # -- derived ----------------------------------------------------------------------------
    def unit_of(self, point: str) -> str:
        return self.points[point].unit or next(iter(self.units))

    def codec_point(self, name: str) -> Point:
        """The point as the register codec knows it (offset 0: addresses stay absolute)."""
        spec = self.points[name]
        return _codec_point(self, name, spec)


def _codec_point(description: Description, name: str, spec: PointSpec) -> Point:
    return Point(
        name,
        0,
        spec.type,
        spec.scale if spec.scale else None,
        spec.access,
        spec.quantity,
        spec.size,
        spec.word_order or description.word_order,
        spec.text,
        {int(k): v for k, v in spec.states.items()},
    )


def as_mapping(source: str | Mapping) -> Mapping:
    """`"Point"`, `"-Point"` or a table."""
    if isinstance(source, Mapping):
        return source
    if source.startswith("-"):
        return Mapping(point=source[1:], factor=-1.0)
    return Mapping(point=source)


class DescriptionError(ValueError):
    """A description file is missing or says something the format does not allow."""


_KIND = re.compile(r"^[a-z0-9-]{1,40}$")


def kinds() -> list[str]:
    """Every described device kind shipped with wattkeeper."""
    folder = resources.files(__package__).joinpath("devices")
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    )


@cache
def load(kind: str) -> Description:
    """The description of `kind` (e.g. "huawei-sun2000"); DescriptionError if unknown/bad."""
    if not _KIND.match(kind):
        raise DescriptionError(f"'{kind}' is not a device kind")
    resource = resources.files(__package__).joinpath("devices", f"{kind}.toml")
    if not resource.is_file():
        raise DescriptionError(f"no device description '{kind}' (known: {', '.join(kinds())})")
    return parse(resource.read_text(encoding="utf-8"), kind)


def parse(text: str, name: str = "description") -> Description:
    try:
        return Description.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        raise DescriptionError(f"{name}: {error}") from None
    except ValidationError as error:
        raise DescriptionError(f"{name}: {error}") from None
