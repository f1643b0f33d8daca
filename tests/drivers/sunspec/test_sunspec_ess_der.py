"""`SunSpec.Ess` on the DER path (models 701-704, 713, 714) against the simulator over loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tests.drivers.sunspec.conftest import Site

from wattkeeper.core.state import COMMUNICATION_FAILED, Level
from wattkeeper.drivers.sunspec import ESS_FACTORY
from wattkeeper.drivers.sunspec.ess import REVERT_TIMER_INACTIVE, SETPOINT_IGNORED, SunSpecEss
from wattkeeper.protocols.registers import ReadRange
from wattkeeper.protocols.sunspec.models import DER_CTL_AC
from wattkeeper.simulator.clock import ManualClock
from wattkeeper.simulator.devices import Fault, Layout, SunSpecImage
from wattkeeper.simulator.server import DeviceSimulator

# 40002 common (68), 40070 701 (155), 40225 702 (52), 40277 703 (19), 40296 704 (67),
# 40363 713 (9), 40372 714 with one port (45), 40417 124 (26)
CTL_AT = 40296
SERVICE_AT = 40277


def v(ess: SunSpecEss, name: str) -> object:
    return ess.value(name)


async def started(site: Site, **properties: object) -> SunSpecEss:
    ess: SunSpecEss = await site.add(ESS_FACTORY, "ess0", unitId=1, **properties)
    await site.until(lambda: v(ess, "Soc") is not None)
    return ess


def control(site: Site) -> dict[str, Any]:
    return dict(DER_CTL_AC.decode(site.simulator.registers(1, CTL_AT, DER_CTL_AC.length)))


async def test_discovery_finds_701_to_704(der_site: Site) -> None:
    ess = await started(der_site)
    session = ess.link.session
    assert session.map is not None
    assert session.map.ids == [1, 701, 702, 703, 704, 713, 714, 124]
    assert {role: block.model_id for role, block in session.blocks.items()} == {
        "storage": 124,
        "der_measure": 701,
        "der_capacity": 702,
        "der_service": 703,
        "der_control": 704,
        "der_storage": 713,
        "der_dc": 714,
    }
    assert session.blocks["der_control"].address == CTL_AT
    assert session.tables["der_dc"].point("Prt[0].DCV").offset == 31  # one port, from L
    assert ess.der
    # 701 … 124 (373 adjacent registers) in requests of ≤ 125
    assert session.plan[0] == ReadRange(40070, 125)
    assert sum(r.count for r in session.plan) == 40443 - 40070
    assert all(r.count <= 125 for r in session.plan)


async def test_every_mapped_channel_on_the_der_path(der_site: Site) -> None:
    ess = await started(der_site)
    assert v(ess, "Soc") == 50
    assert v(ess, "ActivePower") == 0
    assert v(ess, "ReactivePower") == 0
    assert v(ess, "Capacity") == 10_000
    assert v(ess, "MaxApparentPower") == 5000  # 702 VAMax
    assert v(ess, "AllowedChargePower") == -5000  # 702 WChaRteMax
    assert v(ess, "AllowedDischargePower") == 5000  # 702 WDisChaRteMax
    assert v(ess, "GridMode") == 1
    assert v(ess, "ActiveChargeEnergy") == 1_000_000  # 701 TotWhAbs
    assert v(ess, "ActiveDischargeEnergy") == 1_000_000  # 701 TotWhInj
    assert v(ess, "ChargeStatus") == 6  # HOLDING
    assert v(ess, "InverterState") == 8  # 701 InvSt STANDBY (7), in the 10x numbering
    assert v(ess, "AvailableEnergy") == 5000  # 713 WHAvail
    assert v(ess, "DcDischargePower") == 0  # 714 battery port
    assert v(ess, "DcChargeEnergy") == 1_000_000
    assert v(ess, "BatteryVoltage") == 400.0
    assert v(ess, "MinReservePercent") == 5.0
    assert v(ess, "MaxChargePower") == 5000
    assert v(ess, "State") == Level.OK
    assert ess.power_limits() == (-5000.0, 5000.0)


async def test_setpoint_reaches_wset(der_site: Site) -> None:
    ess = await started(der_site)
    ess.apply_power(-2000, 0)
    await ess.flush()
    values = control(der_site)
    assert values["WSetEna"] == 1 and values["WSetMod"] == 1  # ENABLED, WATTS
    assert values["WSet"] == -2000  # − charge: absorbing in IEEE 1547 terms
    assert values["WSetRvrtTms"] == 60
    raw = der_site.simulator.registers(1, CTL_AT + 22, 4)
    assert raw == [1, 1, 0xFFFF, (-2000) & 0xFFFF]
    assert der_site.simulator.registers(1, CTL_AT + 31, 2) == [0, 60]  # WSetRvrtTms
    assert der_site.simulator.battery.storctl_mod == 0  # 124 control untouched
    await der_site.until(lambda: v(ess, "ActivePower") == -2000)
    assert v(ess, "ChargeStatus") == 4  # CHARGING

    ess.apply_power(1234, 0)
    await ess.flush()
    await der_site.until(lambda: v(ess, "ActivePower") == 1234)
    assert not ess.has_state(SETPOINT_IGNORED)
    assert not ess.has_state(REVERT_TIMER_INACTIVE)


async def test_setpoint_is_clamped_and_stop_releases(der_site: Site) -> None:
    ess = await started(der_site, revertTimeout=30)
    ess.apply_power(9000, 0)
    await ess.flush()
    assert control(der_site)["WSet"] == 5000
    assert control(der_site)["WSetRvrtTms"] == 30
    await ess.stop()
    assert control(der_site)["WSetEna"] == 0
    assert der_site.simulator.battery.power_w == 0.0


async def test_read_only_never_writes(der_site: Site) -> None:
    ess = await started(der_site, readOnly=True)
    ess.apply_power(1000, 0)
    await ess.flush()
    assert der_site.simulator.battery.writes == 0


async def test_control_model_124_needs_an_inverter_model(der_site: Site) -> None:
    ess: SunSpecEss = await der_site.add(ESS_FACTORY, "ess0", unitId=1, controlModel="124")
    await der_site.until(lambda: ess.has_state(COMMUNICATION_FAILED))
    assert "103/113/101/111/102/112 not found" in ess.state_reasons[0]


async def test_auto_uses_124_without_704(site: Site) -> None:
    ess = await started(site)
    assert not ess.der and "der_control" not in ess.link.session.blocks
    ess.apply_power(1000, 0)
    await ess.flush()
    assert site.simulator.battery.storctl_mod == 3


async def test_control_model_704_on_a_124_device_fails(site: Site) -> None:
    ess: SunSpecEss = await site.add(ESS_FACTORY, "ess0", unitId=1, controlModel="704")
    await site.until(lambda: ess.has_state(COMMUNICATION_FAILED))
    assert "701 not found" in ess.state_reasons[0]


async def test_ignored_setpoint_is_flagged(der_site: Site) -> None:
    ess = await started(der_site)
    await der_site.simulator.set_faults(Fault.IGNORE_SETPOINTS)
    for _ in range(4):
        der_site.cycle()
        ess.apply_power(-2000, 0)
        await ess.flush()
        await ess.link.bridge.next_poll()
    der_site.cycle()
    assert ess.has_state(SETPOINT_IGNORED)
    assert "WSetEna=1 WSetMod=1 WSet=-2000.0" in " ".join(ess.state_reasons)


async def test_revert_timer_that_does_not_stick_is_flagged(der_site: Site) -> None:
    ess = await started(der_site)
    await der_site.simulator.set_faults(Fault.REVERT_ZERO)
    for _ in range(3):
        der_site.cycle()
        ess.apply_power(500, 0)
        await ess.flush()
        await ess.link.bridge.next_poll()
    der_site.cycle()
    assert ess.has_state(REVERT_TIMER_INACTIVE)
    assert not ess.has_state(SETPOINT_IGNORED)


async def test_device_pulled_away(der_site: Site) -> None:
    ess = await started(der_site)
    await der_site.simulator.set_faults(Fault.DISCONNECT)
    await der_site.until(lambda: ess.has_state(COMMUNICATION_FAILED))
    for name in ("Soc", "ActivePower", "MaxApparentPower", "InverterState"):
        assert v(ess, name) is None, name
    assert ess.power_limits() == (0.0, 0.0)


async def test_enter_service_disabled_allows_no_power(der_site: Site) -> None:
    ess = await started(der_site)
    der_site.simulator.inverter_image.write(SERVICE_AT + 2, [0])  # ES = 0, as an operator would
    await der_site.until(lambda: v(ess, "AllowedDischargePower") == 0)
    assert v(ess, "AllowedChargePower") == 0
    assert v(ess, "InverterState") == 8  # 701 InvSt as reported
    der_site.simulator.inverter_image.write(SERVICE_AT + 2, [1])
    await der_site.until(lambda: v(ess, "AllowedDischargePower") == 5000)


# -- a device with only the 70x models (no 124) ---------------------------------------------
@pytest.fixture
async def der_only_site(tmp_path: Path) -> AsyncIterator[Site]:
    simulator = DeviceSimulator(
        "127.0.0.1", 0, clock=ManualClock(), slow_delay=0.5, layout=Layout.DER_NO_124
    )
    await simulator.start()
    site = Site(simulator, tmp_path)
    yield site
    await site.close()
    await simulator.stop()


async def test_70x_only_device_works_without_124(der_only_site: Site) -> None:
    ess = await started(der_only_site)
    assert "storage" not in ess.link.session.blocks and ess.der
    assert v(ess, "Soc") == 50  # 713 SoC
    assert v(ess, "Capacity") == 10_000  # 713 WHRtg
    assert v(ess, "BatteryVoltage") == 400.0  # 714 battery port DCV
    assert v(ess, "ChargeStatus") is None and v(ess, "MinReservePercent") is None
    assert ess.power_limits() == (-5000.0, 5000.0)
    ess.apply_power(1500, 0)
    await ess.flush()
    await der_only_site.until(lambda: v(ess, "ActivePower") == 1500)
    assert v(ess, "DcDischargePower") == 1500
    assert not ess.has_state(SETPOINT_IGNORED)

    await der_only_site.simulator.set_faults(Fault.DISCONNECT)
    await der_only_site.until(lambda: ess.has_state(COMMUNICATION_FAILED))
    for name in ("Soc", "ActivePower", "Capacity", "AvailableEnergy", "DcDischargePower"):
        assert v(ess, name) is None, name
    assert ess.power_limits() == (0.0, 0.0)


async def test_control_model_704_needs_a_state_of_charge(tmp_path: Path) -> None:
    """701 + 704 alone are not enough: without 713 or 124 there is no SoC."""
    simulator = DeviceSimulator("127.0.0.1", 0, clock=ManualClock(), layout=Layout.DER_NO_124)
    image = simulator.inverter_image
    models = [(slot.model_id, slot.state) for slot in image.slots if slot.model_id != 713]
    simulator.inverter_image = SunSpecImage(models, advance=[simulator.storage])
    await simulator.start()
    site = Site(simulator, tmp_path)
    try:
        ess: SunSpecEss = await site.add(ESS_FACTORY, "ess0", unitId=1, controlModel="704")
        await site.until(lambda: ess.has_state(COMMUNICATION_FAILED))
        assert "713 or 124 not found" in ess.state_reasons[0]
    finally:
        await site.close()
        await simulator.stop()
