"""`SunSpec.Ess` against the simulated storage inverter over loopback."""

from __future__ import annotations

import time
from typing import Any

import pytest

from wattkeeper.config.registry import properties_of
from wattkeeper.core.errors import ConfigError
from wattkeeper.core.state import COMMUNICATION_FAILED, Level
from wattkeeper.drivers.sunspec import ESS_FACTORY
from wattkeeper.drivers.sunspec.ess import REVERT_TIMER_INACTIVE, SETPOINT_IGNORED, SunSpecEss
from wattkeeper.protocols.registers import ReadRange
from wattkeeper.simulator.devices import Fault

STORAGE_AT = 40122


Site = Any  # tests/drivers/sunspec/conftest.py: Site


def v(ess: SunSpecEss, name: str) -> object:
    return ess.value(name)


async def started(site: Site, **properties: object) -> SunSpecEss:
    ess: SunSpecEss = await site.add(ESS_FACTORY, "ess0", unitId=1, **properties)
    await site.until(lambda: v(ess, "Soc") is not None)
    return ess


async def test_discovery(site: Site) -> None:
    ess = await started(site)
    session = ess.link.session
    assert session.map is not None and session.map.base == 40000
    assert session.map.ids == [1, 103, 124]
    assert session.blocks["inverter"].address == 40070
    assert session.blocks["storage"].address == STORAGE_AT
    assert session.common["Mn"] == "wattkeeper"
    assert session.common["SN"] == "WK-SIM-0001"
    assert session.plan == [ReadRange(40070, 78)]  # both models in one request


async def test_configured_base_address(site: Site) -> None:
    ess = await started(site, baseAddress=40000)
    assert ess.link.session.bases == (40000,)
    wrong: SunSpecEss = await site.add(ESS_FACTORY, "ess1", unitId=1, baseAddress=50000)
    await site.until(lambda: wrong.has_state(COMMUNICATION_FAILED))
    assert "no SunSpec marker at 50000" in wrong.state_reasons[0]


async def test_every_mapped_channel(site: Site) -> None:
    ess = await started(site)
    assert v(ess, "Soc") == 50
    assert v(ess, "ActivePower") == 0
    assert v(ess, "ReactivePower") == 0
    assert v(ess, "Capacity") == 10_000  # estimated from StorAval × InBatV
    assert v(ess, "MaxApparentPower") == 5000
    assert v(ess, "AllowedChargePower") == -5000
    assert v(ess, "AllowedDischargePower") == 5000
    assert v(ess, "GridMode") == 1
    assert v(ess, "ActiveChargeEnergy") == 0
    assert v(ess, "ActiveDischargeEnergy") == 0
    assert v(ess, "ChargeStatus") == 6  # HOLDING
    assert v(ess, "InverterState") == 8  # STANDBY
    assert v(ess, "BatteryVoltage") == 400.0
    assert v(ess, "MinReservePercent") == 5.0
    assert v(ess, "MaxChargePower") == 5000
    assert v(ess, "State") == Level.OK
    assert ess.power_limits() == (-5000.0, 5000.0)


async def test_configured_capacity_wins(site: Site) -> None:
    ess = await started(site, capacity=12_000)
    assert v(ess, "Capacity") == 12_000


async def test_setpoint_reaches_the_device(site: Site) -> None:
    ess = await started(site)
    ess.apply_power(-2000, 0)  # as the power stage does, once per cycle
    await ess.flush()
    battery = site.simulator.battery
    assert battery.storctl_mod == 3
    assert (battery.out_wrte, battery.in_wrte) == (-40.0, 40.0)
    assert battery.rvrt_tms == 60
    raw = site.simulator.registers(1, STORAGE_AT + 12, 4)
    assert raw == [(-4000) & 0xFFFF, 4000, 0, 60]  # OutWRte, InWRte, WinTms, RvrtTms
    await site.until(lambda: v(ess, "ActivePower") == -2000)
    assert v(ess, "ChargeStatus") == 4  # CHARGING
    assert v(ess, "DebugSetActivePower") == -2000

    ess.apply_power(1234, 0)
    await ess.flush()
    await site.until(lambda: v(ess, "ActivePower") == 1234)
    assert not ess.has_state(SETPOINT_IGNORED)


async def test_setpoint_is_clamped_to_the_device_maximum(site: Site) -> None:
    ess = await started(site)
    ess.apply_power(9000, 0)
    await ess.flush()
    assert site.simulator.battery.out_wrte == 100.0


async def test_stop_hands_control_back(site: Site) -> None:
    ess = await started(site)
    ess.apply_power(1000, 0)
    await ess.flush()
    assert site.simulator.battery.storctl_mod == 3
    await ess.stop()
    assert site.simulator.battery.storctl_mod == 0


async def test_read_only_never_writes(site: Site) -> None:
    ess = await started(site, readOnly=True)
    ess.apply_power(1000, 0)
    await ess.flush()
    assert site.simulator.battery.writes == 0


async def test_device_pulled_away_and_back(site: Site) -> None:
    ess = await started(site)
    await site.simulator.set_faults(Fault.DISCONNECT)
    await site.until(lambda: ess.has_state(COMMUNICATION_FAILED))
    assert v(ess, "State") == Level.FAULT
    for name in ("Soc", "ActivePower", "Capacity", "ChargeStatus", "MaxApparentPower"):
        assert v(ess, name) is None, name
    assert ess.power_limits() == (0.0, 0.0)
    assert v(ess, "AllowedChargePower") == 0 and v(ess, "AllowedDischargePower") == 0
    ess.apply_power(-1000, 0)  # the solver gives it 0 W; nothing is queued anyway
    await ess.flush()

    # a dead device costs the cycle nothing
    started_at = time.perf_counter()
    site.cycle()
    assert time.perf_counter() - started_at < 0.005

    await site.simulator.set_faults()
    await site.until(lambda: not ess.has_state(COMMUNICATION_FAILED))
    assert v(ess, "Soc") == 50
    assert v(ess, "State") == Level.OK
    assert v(ess, "AllowedDischargePower") == 5000


async def test_slow_device_counts_as_failed(site: Site) -> None:
    ess = await started(site)
    await site.simulator.set_faults(Fault.SLOW)  # 0.5 s per answer, timeout 0.15 s
    await site.until(lambda: ess.has_state(COMMUNICATION_FAILED))
    assert v(ess, "Soc") is None
    await site.simulator.set_faults()
    await site.until(lambda: not ess.has_state(COMMUNICATION_FAILED))


async def test_unreachable_at_start(site: Site) -> None:
    await site.simulator.stop()
    ess: SunSpecEss = await site.add(ESS_FACTORY, "ess0", unitId=1)
    await site.until(lambda: ess.has_state(COMMUNICATION_FAILED))
    assert "connect" in ess.state_reasons[0]
    assert v(ess, "Soc") is None


async def test_device_that_ignores_setpoints_is_flagged(site: Site) -> None:
    ess = await started(site)
    await site.simulator.set_faults(Fault.IGNORE_SETPOINTS)

    async def cycles_with_setpoint(n: int) -> None:
        for _ in range(n):
            site.cycle()
            ess.apply_power(-2000, 0)
            await ess.flush()
            await ess.link.bridge.next_poll()

    await cycles_with_setpoint(5)
    assert ess.has_state(SETPOINT_IGNORED)
    assert v(ess, "State") == Level.WARNING
    assert "device reports" in " ".join(ess.state_reasons)

    await site.simulator.set_faults()
    await cycles_with_setpoint(3)
    assert not ess.has_state(SETPOINT_IGNORED)
    assert v(ess, "ActivePower") == -2000


async def test_revert_timer_that_does_not_stick_is_flagged(site: Site) -> None:
    ess = await started(site)
    await site.simulator.set_faults(Fault.REVERT_ZERO)
    for _ in range(3):
        site.cycle()
        ess.apply_power(500, 0)
        await ess.flush()
        await ess.link.bridge.next_poll()
    site.cycle()
    assert ess.has_state(REVERT_TIMER_INACTIVE)
    assert not ess.has_state(SETPOINT_IGNORED)


def test_config_names_and_defaults() -> None:
    config = ESS_FACTORY.model.model_validate({"ip": "10.0.0.5", "modbus.unitId": 3})
    assert properties_of(config) == {
        "host": "10.0.0.5",
        "port": 502,
        "unitId": 3,
        "pollPeriodMs": 1000,
        "timeoutMs": 500,
        "baseAddress": None,
        "revertTimeout": 60,
        "capacity": None,
        "controlModel": "auto",
        "readOnly": False,
        "releaseWhenIdle": False,
    }
    config = ESS_FACTORY.model.model_validate(properties_of(config))
    assert config.unit_id == 3


def test_unknown_property_is_refused() -> None:
    from wattkeeper.config.registry import Registry

    registry = Registry([ESS_FACTORY])
    with pytest.raises(ConfigError, match="unknown property"):
        registry.validate("ess0", "SunSpec.Ess", {"host": "x", "unitid": 1})
