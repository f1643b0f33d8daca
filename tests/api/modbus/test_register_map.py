"""The register map is OpenEMS's: the addresses the reference names, from the channel model."""

from __future__ import annotations

import json
from pathlib import Path

from tests.api.modbus.conftest import ModbusSite
from wattkeeper.api.modbus.image import ProcessImage
from wattkeeper.drivers.fenecon.battery import FeneconHomeBattery
from wattkeeper.drivers.goodwe.ess import GoodWeEss
from wattkeeper.drivers.goodwe.views import GoodWeCharger, GoodWeGridMeter
from wattkeeper.drivers.simulated.hybrid import SimulatedDcCharger, SimulatedHybridBattery
from wattkeeper.drivers.simulated.meters import SimulatedGrid, SimulatedLoad, SimulatedPv
from wattkeeper.drivers.sunspec.charger import SunSpecCharger
from wattkeeper.drivers.sunspec.ess import SunSpecEss
from wattkeeper.drivers.sunspec.meter import SunSpecMeter
from wattkeeper.natures.modbus_slave import NATURE_TABLES
from wattkeeper.protocols.openems_modbus import OPENEMS_MARKER, java_string_hash

REFERENCE = Path(__file__).parents[2] / "conformance" / "openems-channels.json"

#: hardware-and-apis.md §2.1, "Worked addresses for component_ids = ["_sum", "ess0"]"
WORKED = {
    302: ("_sum/EssSoc", "uint16"),
    303: ("_sum/EssActivePower", "float32"),
    315: ("_sum/GridActivePower", "float32"),
    327: ("_sum/ProductionActivePower", "float32"),
    343: ("_sum/ConsumptionActivePower", "float32"),
    359: ("_sum/GridBuyActiveEnergy", "float64"),
    363: ("_sum/GridSellActiveEnergy", "float64"),
    367: ("_sum/ProductionActiveEnergy", "float64"),
    415: ("_sum/EssDischargePower", "float32"),
    222: ("_sum/State", "enum16"),
    522: ("ess0/State", "enum16"),
    602: ("ess0/Soc", "uint16"),
    604: ("ess0/ActivePower", "float32"),
    702: ("Minimum Power Set-Point", "float32"),
    704: ("Maximum Power Set-Point", "float32"),
    706: ("ess0/SetActivePowerEquals", "float32"),
    708: ("ess0/SetReactivePowerEquals", "float32"),
    710: ("ess0/SetActivePowerLessOrEquals", "float32"),
    712: ("ess0/SetReactivePowerLessOrEquals", "float32"),
    714: ("ess0/SetActivePowerGreaterOrEquals", "float32"),
    716: ("ess0/SetReactivePowerGreaterOrEquals", "float32"),
}


def test_the_marker_is_the_hash_of_openems() -> None:
    assert OPENEMS_MARKER == 0x6201


async def test_the_reference_addresses(modbus: ModbusSite) -> None:
    image = ProcessImage(modbus.edge.manager, ["_sum", "ess0"], writable=True)
    for address, (name, kind) in WORKED.items():
        slot = image.slots[address]
        assert (slot.name, slot.record.kind.label) == (name, kind), address
    headers = {
        0: 0x6201,
        1: 199,
        216: 300,  # _sum: OpenemsComponent 80 + Sum 220
        220: java_string_hash("OpenemsComponent"),
        221: 80,
        300: java_string_hash("Sum"),
        301: 220,
        600: java_string_hash("SymmetricEss"),
        700: java_string_hash("ManagedSymmetricEss"),
    }
    for address, value in headers.items():
        assert image.slots[address].record.constant == value, address
    assert image.slots[200].record.constant == "_sum"
    assert image.slots[500].record.constant == "ess0"
    assert image.slots[101].name == "_meta/SystemTimeUtc"
    assert image.missing == []


async def test_read_only_api_shows_write_only_channels_as_reserved(modbus: ModbusSite) -> None:
    image = ProcessImage(modbus.edge.manager, ["_sum", "ess0"], writable=False)
    assert image.slots[706].name == "Reserved"
    assert image.slots[302].access.value == "RO"


def test_every_channel_record_is_a_channel_of_its_nature_in_openems() -> None:
    natures = json.loads(REFERENCE.read_text(encoding="utf-8"))["natures"]
    for table in NATURE_TABLES:
        channels = {c["id"]: c for c in natures[table.nature]["channels"]}
        channels |= {c["id"]: c for c in natures["OpenemsComponent"]["channels"]}
        for record in table.records:
            if record.doc is None:
                continue
            reference = channels[record.doc.name]  # KeyError: not a channel of this nature
            assert reference["access"] == record.doc.access.value, record.doc.name
            assert reference["unit"] == record.doc.unit, record.doc.name


def test_every_nature_of_our_devices_that_openems_tables_has_its_table() -> None:
    """Meters, DC chargers, batteries and ESS of every driver: no nature left without its table
    (OpenEMS has none for the controller and edge natures)."""
    tabled = {table.nature for table in NATURE_TABLES}
    devices = (
        FeneconHomeBattery,
        GoodWeEss,
        GoodWeCharger,
        GoodWeGridMeter,
        SimulatedDcCharger,
        SimulatedHybridBattery,
        SimulatedGrid,
        SimulatedLoad,
        SimulatedPv,
        SunSpecCharger,
        SunSpecEss,
        SunSpecMeter,
    )
    for device in devices:
        assert set(device.nature_ids()) <= tabled, device


async def test_a_read_comes_from_the_last_finished_cycle(modbus: ModbusSite) -> None:
    # one read never mixes cycles: channels written after the snapshot are not in it
    edge = modbus.edge
    image = ProcessImage(edge.manager, ["_sum", "ess0"], True, edge.cycle.snapshots)
    snapshot = edge.cycle.snapshots.current()
    published = snapshot.value("_sum/EssSoc")
    edge.manager.channel("_sum/EssSoc").set_now(-1)
    assert image.value(image.slots[302], snapshot) == published != -1
    live = ProcessImage(edge.manager, ["_sum", "ess0"], writable=True)
    assert live.value(live.slots[302]) == -1
