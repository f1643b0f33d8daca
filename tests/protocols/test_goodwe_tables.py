"""GoodWe and FENECON Home tables: addresses from the reference, family detection, and a
poll plan that fits a 9600-baud line."""

from __future__ import annotations

import pytest

from wattkeeper.protocols import fenecon_home as fh
from wattkeeper.protocols.goodwe import tables as gw
from wattkeeper.protocols.goodwe.modes import UNDEFINED, detect
from wattkeeper.protocols.poll_plan import Block, PlanError, PollPlan, Priority, read_bytes


def test_control_and_relay_registers_are_where_the_reference_says() -> None:
    assert gw.EMS.offset_of("EmsPowerMode") == 47511
    assert gw.EMS.offset_of("EmsPowerSet") == 47512
    assert (gw.WBMS.address, gw.WBMS.end - 1) == (47900, 47916)
    assert gw.WBMS.offset_of("WbmsSoc") == 47908
    assert gw.WBMS.offset_of("WbmsStatus") == 47915
    assert (gw.BMS_LIMITS.address, gw.BMS_LIMITS.end - 1) == (45352, 45358)
    assert gw.BATTERY.offset_of("BatteryPower") == 35182
    assert (fh.STATUS.address, fh.STATUS.end - 1) == (500, 528)
    assert fh.STATUS.offset_of("Soc") == 508
    assert [fh.tower_address(t) for t in range(5)] == [10000, 12000, 14000, 16000, 18000]
    assert fh.tower_block(0).offset_of("HardwareType") == 10019
    assert fh.tower_block(0).offset_of("ModulesPerTower") == 10024
    assert fh.module_block(1, 2, fh.BATTERY_52).address == 12000 + 200 + 2


@pytest.mark.parametrize(
    ("serial", "name", "family"),
    [
        ("9010KETU224W0001", "FENECON_FHI_10_DAH", "ET"),
        ("9020KETT224W0001", "FENECON_FHI_20_DAH", "ETT"),
        ("929K9ETT224W0001", "FENECON_FHI_29_9_DAH", "ETT"),
        ("9010KEUB224W0001", "FENECON_GEN2_10K", "EUB"),
        ("9015KEUB224W0001", "FENECON_GEN2_15K", "EUB"),
    ],
)
def test_family_from_the_serial_number(serial: str, name: str, family: str) -> None:
    kind = detect(serial)
    assert (kind.name, kind.family) == (name, family)


def test_unknown_serial_gets_conservative_limits() -> None:
    assert detect("ABCDEF", "GW5K-ES") is UNDEFINED
    assert detect(None, "x010KETUx").name == "FENECON_FHI_10_DAH"  # the model as fallback


def test_the_inverter_plan_fits_a_9600_baud_line_with_margin() -> None:
    plan = PollPlan(gw.INVERTER_BLOCKS, gw.CYCLE_WRITES, baudrate=9600, period=1.0, margin=0.5)
    summary = plan.summary()
    assert summary["seconds_worst"] < 0.5
    assert summary["bytes_worst"] < plan.capacity_bytes() / 2
    assert {b.name for b in plan.high} == {"pv", "ac", "battery", "meter_power"}
    # every LOW block comes round within its rotation
    seen = {b.name for i in range(len(plan.low)) for b in plan.for_poll(i)}
    assert {b.name for b in plan.low} <= seen


def test_a_plan_that_overloads_the_line_is_refused() -> None:
    big = [Block(f"b{i}", 1000 * i, gw.DEVICE_INFO.table, Priority.HIGH) for i in range(1, 9)]
    with pytest.raises(PlanError, match="9600-baud"):
        PollPlan(big, baudrate=9600)
    assert read_bytes(125) == 8 + 5 + 250
