"""issue 19: each description against a list that is not ours.

* Victron: every point of victron-gx.toml is a row of Victron's published GX Modbus-TCP
  register list (the rows of attributes.csv kept in tests/fixtures/vendors): same register,
  same service (unit), same type, same scale, writable where the list says W.
* Sungrow, SMA, Kostal: every register evcc's templates use for them (the facts of
  templates/definition/meter/{sungrow-hybrid,sma-sbs-modbus,kostal-plenticore-gen2}.yaml,
  kept as a table here: address, function, encoding, scale) is a point of our description
  with that address, function, type and scale — and the control values evcc writes are the
  ones our control tables write.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from wattkeeper.protocols.described.codec import DeviceCodec, evaluate
from wattkeeper.protocols.described.model import Description, load
from wattkeeper.protocols.registers import Access, RegType, WordOrder

FIXTURES = Path(__file__).parents[1] / "fixtures" / "vendors"

# the GX serves these services; settings and hub4 answer at the system's unit (100)
SERVICE_ROLE = {"system": "system", "settings": "system", "hub4": "system", "vebus": "vebus"}


def _victron_rows() -> list[list[str]]:
    with (FIXTURES / "victron-gx-attributes.csv").open(encoding="utf-8") as handle:
        return [row for row in csv.reader(line for line in handle if not line.startswith("#"))]


def test_every_victron_point_is_a_row_of_the_published_gx_list() -> None:
    description = load("victron-gx")
    rows = _victron_rows()
    assert len(rows) > 200
    for name, spec in description.points.items():
        role = description.unit_of(name)
        matches = [
            row
            for row in rows
            if int(row[4]) == spec.address
            and SERVICE_ROLE[row[0].removeprefix("com.victronenergy.")] == role
            and row[1] == spec.text.split(",")[0]
        ]
        assert matches, f"{name}: no row {spec.text} at {spec.address} for the {role} unit"
        *_, kind, scale, access = matches[0]
        if spec.type is RegType.STRING:
            assert kind == f"string[{spec.size}]", name
        else:
            assert kind == spec.type.value, (name, kind)
            assert float(scale or 1) == pytest.approx(10.0 ** (-spec.scale)), (name, scale)
        assert (access == "W") == (spec.access is Access.RW), (name, access)


def test_victron_units_are_the_gx_defaults() -> None:
    assert load("victron-gx").units == {"system": 100, "vebus": 227}


# evcc's facts: (address, function, encoding, scale multiplier) as the template reads them
EVCC_READS = {
    "sungrow-sh": [
        (13009, "input", "int32s", 1),  # grid: export power (scale -1: + import)
        (13036, "input", "uint32s", 0.1),  # total import energy, 0.1 kWh
        (5016, "input", "uint32s", 1),  # PV: total DC power
        (13002, "input", "uint32s", 0.1),  # total PV generation
        (13021, "input", "int16", 1),  # battery power (sign from 13000)
        (13000, "input", "bool16", 1),  # running state: bitmask 2 charging, 4 discharging
        (13026, "input", "uint32s", 0.1),  # total battery discharge
        (13022, "input", "int16", 0.1),  # battery level
    ],
    "sma-sbs": [
        (30775, "input", "int32nan", 1),  # GridMs.TotW
        (30513, "holding", "uint64nan", 0.001),  # Metering.TotWhOut, Wh (evcc: kWh)
        (30845, "holding", "uint32nan", 1),  # Bat.ChaStt
    ],
    "sma-si": [
        (30775, "holding", "int32nan", 1),  # GridMs.TotW (evcc: input; SMA serves both)
        (30845, "holding", "uint32nan", 1),  # Bat.ChaStt
    ],
    "kostal-plenticore": [
        (1068, "holding", "float32s", 0.001),  # capacity, Wh (evcc: kWh)
        (1038, "holding", "float32s", 1),  # max charge power
        (1040, "holding", "float32s", 1),  # max discharge power
    ],
}
# evcc's batterymode writes: (address, value) per mode; W = the power
EVCC_WRITES = {
    "sungrow-sh": {
        "release": [(13049, 0), (13050, 0xCC)],  # case 1 normal
        "charge": [(13049, 2), (13050, 0xAA)],  # case 3 charge
    },
    "sma-sbs": {
        "release": [(40236, 2424)],
        "charge": [(40236, 2289), (40793, "W"), (40795, "W"), (40797, 0), (40799, 0), (40801, 0)],
    },
    "sma-si": {
        "release": [(40151, 803)],  # case 1 normal: inactive
        "charge": [(40149, "-W"), (40151, 802)],  # case 3 charge: -maxchargepower, active
    },
    "kostal-plenticore": {
        "release": [(1034, 0)],
        "charge": [(1034, "-W")],  # value: -{{ .maxchargepower }}
    },
}

_ENCODING = {
    "int32s": (RegType.INT32, WordOrder.LITTLE),
    "uint32s": (RegType.UINT32, WordOrder.LITTLE),
    "int32nan": (RegType.INT32, WordOrder.BIG),
    "uint32nan": (RegType.UINT32, WordOrder.BIG),
    "uint64nan": (RegType.UINT64, WordOrder.BIG),
    "float32s": (RegType.FLOAT32, WordOrder.LITTLE),
    "int16": (RegType.INT16, None),
    "bool16": (RegType.UINT16, None),
}


def _point_at(description: Description, address: int) -> str:
    names = [n for n, spec in description.points.items() if spec.address == address]
    assert names, f"{description.kind}: no point at {address}"
    return names[0]


@pytest.mark.parametrize("kind", sorted(EVCC_READS))
def test_every_register_evcc_reads_is_a_point_with_its_type_and_scale(kind: str) -> None:
    description = load(kind)
    codec = DeviceCodec(description)
    for address, function, encoding, multiplier in EVCC_READS[kind]:
        name = _point_at(description, address)
        spec, point = description.points[name], codec.points[name]
        assert spec.function == function, (kind, name)
        kind_of, order = _ENCODING[encoding]
        if kind_of is RegType.INT16 and spec.type is RegType.UINT16:
            pass  # SoC/magnitudes: evcc decodes int16, the value is never negative
        else:
            assert spec.type is kind_of, (kind, name, spec.type)
        if order is not None:
            assert point.word_order is order, (kind, name)
        if multiplier == 0.001:  # evcc turns the device's Wh into kWh; we keep Wh
            assert spec.quantity == "Wh" and spec.scale == 0, (kind, name)
        else:
            assert 10.0**spec.scale == pytest.approx(multiplier), (kind, name, spec.scale)


@pytest.mark.parametrize("kind", sorted(EVCC_WRITES))
def test_our_control_writes_what_evcc_writes(kind: str) -> None:
    description = load(kind)
    codec = DeviceCodec(description)
    watts = 3000
    for mode, expected in EVCC_WRITES[kind].items():
        writes = codec.release_writes() if mode == "release" else codec.setpoint_writes(-watts)
        by_address = {w.address: w for w in writes}
        for address, value in expected:
            assert address in by_address, (kind, mode, address)
            name = _point_at(description, address)
            number = {"W": watts, "-W": -watts}.get(value, value)  # type: ignore[arg-type]
            assert by_address[address] == codec.encode(name, number), (kind, mode, address)
    assert evaluate("W", -watts) == watts
