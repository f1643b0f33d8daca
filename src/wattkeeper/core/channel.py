"""Channel descriptors and channels: every datum of the system, declared once with its metadata."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import Any

from wattkeeper.core.errors import WriteRejected

Value = int | float | str | None


class ChannelType(Enum):
    BOOLEAN = "BOOLEAN"
    SHORT = "SHORT"
    INTEGER = "INTEGER"
    LONG = "LONG"
    FLOAT = "FLOAT"
    DOUBLE = "DOUBLE"
    STRING = "STRING"

    @property
    def is_integral(self) -> bool:
        return self in _INTEGER_RANGES


_INTEGER_RANGES: dict[ChannelType, tuple[int, int]] = {
    ChannelType.BOOLEAN: (0, 1),
    ChannelType.SHORT: (-(2**15), 2**15 - 1),
    ChannelType.INTEGER: (-(2**31), 2**31 - 1),
    ChannelType.LONG: (-(2**63), 2**63 - 1),
}
_FLOAT32_MAX = 3.4028234663852886e38


class AccessMode(Enum):
    READ_ONLY = "RO"
    READ_WRITE = "RW"
    WRITE_ONLY = "WO"

    @property
    def writable(self) -> bool:
        return self is not AccessMode.READ_ONLY


class History(Enum):
    """Whether and how the history recorder keeps a channel."""

    NONE = "none"
    POWER = "power"  # sampled; aggregated as average (with min/max)
    COUNTER = "counter"  # monotonic energy counter; aggregated as last value
    STATE = "state"  # discrete; aggregated as maximum


class Unit:
    """Unit symbols as OpenEMS prints them."""

    NONE = ""
    WATT = "W"
    VAR = "var"
    VOLT_AMPERE = "VA"
    PERCENT = "%"
    WATT_HOURS = "Wh"
    CUMULATED_WATT_HOURS = "Wh_Σ"
    VOLT = "V"
    MILLIVOLT = "mV"
    AMPERE = "A"
    MILLIAMPERE = "mA"
    HERTZ = "Hz"
    MILLIHERTZ = "mHz"
    MILLIOHM = "mOhm"
    DEGREE_CELSIUS = "°C"
    SECONDS = "sec"
    CUMULATED_SECONDS = "sec_Σ"
    MILLISECONDS = "ms"
    MONEY_PER_MEGAWATT_HOUR = "€/MWh"


@dataclass(frozen=True, slots=True)
class ChannelDoc:
    """What a channel is: declared once, read by the API, the history and the UI."""

    name: str
    type: ChannelType
    unit: str = Unit.NONE
    access: AccessMode = AccessMode.READ_ONLY
    text: str = ""
    history: History = History.NONE
    #: an enum channel's values by name (OpenEMS's `options`), e.g. (("ON_GRID", 1), ...)
    options: tuple[tuple[str, int], ...] = ()
    #: a state channel's level name (OpenEMS's `level`: INFO, WARNING, FAULT)
    level: str = ""
    #: readable by owners and above only: the guest's reads leave it out (`null` on the websocket)
    private: bool = False

    @property
    def category(self) -> str:
        """OpenEMS's channel category: STATE, ENUM or OPENEMS_TYPE."""
        if self.level:
            return "STATE"
        return "ENUM" if self.options else "OPENEMS_TYPE"


#: How a component's channel is addressed: its declaration (a nature's handle constant such as
#: `natures.ess.SOC`) or, for names that come from the network, its id string.
ChannelKey = ChannelDoc | str


def coerce(doc: ChannelDoc, raw: Any) -> Value:
    """Validate and convert a value written from outside; raise WriteRejected saying why."""
    if raw is None:
        return None
    if doc.type is ChannelType.STRING:
        if not isinstance(raw, str):
            raise WriteRejected(f"Channel {doc.name} expects a string, got {_json_kind(raw)}")
        return raw
    if isinstance(raw, bool):
        if doc.type is ChannelType.BOOLEAN:
            return int(raw)
        raise WriteRejected(f"Channel {doc.name} expects a number, got a boolean")
    if isinstance(raw, str):
        raise WriteRejected(f"Channel {doc.name} expects a number, got a string")
    if not isinstance(raw, int | float):
        raise WriteRejected(f"Channel {doc.name} expects a number, got {_json_kind(raw)}")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise WriteRejected(f"Channel {doc.name} expects a finite number, got {raw}")
    if doc.type.is_integral:
        value = round(raw)
        low, high = _INTEGER_RANGES[doc.type]
        if not low <= value <= high:
            raise WriteRejected(
                f"Value {raw} is out of range for channel {doc.name} "
                f"of type {doc.type.value} ({low}..{high})"
            )
        return value
    if doc.type is ChannelType.FLOAT and abs(raw) > _FLOAT32_MAX:
        raise WriteRejected(f"Value {raw} is out of range for channel {doc.name} of type FLOAT")
    return float(raw)


def _json_kind(raw: Any) -> str:
    if isinstance(raw, dict):
        return "an object"
    if isinstance(raw, list):
        return "an array"
    return type(raw).__name__


class Generation:
    """Counts changes of process-image values, so a reader may cache what it built from them
    (the REST API's `.*/.*` between two cycles)."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


#: bumped by every change of a channel's `value` (set_now, freeze, the process image)
GENERATION = Generation()


class Channel:
    """One datum of a component with a process-image value and a next value.

    Devices set `next`; the cycle copies next to `value` once per cycle, so every controller
    of a cycle sees the same frozen image.
    """

    __slots__ = ("address", "component_id", "doc", "next", "value")

    def __init__(self, component_id: str, doc: ChannelDoc) -> None:
        self.component_id = component_id
        self.doc = doc
        self.address = f"{component_id}/{doc.name}"
        self.value: Value = None
        self.next: Value = None

    @property
    def name(self) -> str:
        return self.doc.name

    def set(self, value: Value) -> None:
        """Set the next value; it becomes visible with the next process image."""
        self.next = value

    def set_now(self, value: Value) -> None:
        """Set value and next value at once (for values computed inside the cycle)."""
        self.value = value
        self.next = value
        GENERATION.value += 1

    def write(self, raw: Any) -> Value:
        """Write a value from outside: validated, then set at once."""
        if not self.doc.access.writable:
            raise WriteRejected(f"Channel [{self.address}] is read-only")
        value = coerce(self.doc, raw)
        self.set_now(value)
        return value
