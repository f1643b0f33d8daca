"""The FENECON Home drivers against the simulator, over Modbus/TCP and over Modbus RTU:
discovery, the BMS relay, battery protection, silence on either bus, write verification."""

from __future__ import annotations

import asyncio
import time

from wattkeeper.controllers.fix_active_power import FACTORY as FIX
from wattkeeper.core.state import COMMUNICATION_FAILED
from wattkeeper.protocols.goodwe import tables as gw
from wattkeeper.protocols.goodwe.modes import EmsPowerMode
from wattkeeper.simulator.fenecon.physics import HomeFault

STOP_BOTH = gw.STATUS_STOP_CHARGE | gw.STATUS_STOP_DISCHARGE


def wbms(home) -> dict:
    """47900-47916 as the inverter holds them (read behind the bus)."""
    return gw.WBMS.decode(home.simulator.registers(247, gw.WBMS.address, gw.WBMS.count))


def fix(home, power: int) -> None:
    config = home.registry.validate("ctrlFix0", FIX.factory_id, {"ess.id": "ess0", "power": power})
    controller = home.registry.build("ctrlFix0", FIX.factory_id, "", config, home.ctx)
    home.manager.add(controller)


async def test_battery_discovery_and_per_cell_channels(home) -> None:
    await home.build(home.serial_path)
    await home.until(lambda: home.value("battery0/Soc") == 50)
    await home.until(lambda: home.value("ess0/GoodweType") is not None)
    assert home.value("battery0/NumberOfTowers") == 1
    assert home.value("battery0/NumberOfModulesPerTower") == 5
    assert home.value("battery0/Capacity") == 11_000  # 5 × 2.2 kWh (BATTERY_52)
    assert home.value("battery0/ChargeMaxVoltage") == 245  # 5 × 49 V
    assert home.value("ess0/GoodweType") == "FENECON_FHI_10_DAH"
    # every cell of every module, filled as the rotation reaches it
    cells = [f"battery0/Tower0Module{m}Cell{c:03d}Voltage" for m in range(1, 6) for c in range(14)]
    await home.until(lambda: all(home.value(address) is not None for address in cells))
    assert 3100 < home.value("battery0/Tower0Module3Cell013Voltage") < 3300


async def test_the_relay_follows_the_battery_and_a_bms_alarm(home) -> None:
    await home.build(home.serial_path)
    await home.until(lambda: wbms(home)["WbmsSoc"] == 50)
    relayed = wbms(home)
    assert relayed["WbmsChargeMaxCurrent"] == 25.0
    assert relayed["WbmsDischargeMaxCurrent"] == 25.0
    assert relayed["WbmsStatus"] == 0 and relayed["WbmsAlarmCode"] == 0
    assert relayed["WbmsDisableTimeoutDetection"] == 0
    await home.until(lambda: home.simulator.inverter_image.limit_writes >= 1)  # 45352-45358

    await home.simulator.set_faults(HomeFault.BMS_ALARM)
    await home.until(lambda: wbms(home)["WbmsChargeMaxCurrent"] == 5.0)
    relayed = wbms(home)
    assert relayed["WbmsDischargeMaxCurrent"] == 5.0
    assert relayed["WbmsWarningCode"] & gw.ALARM_CELL_HIGH_TEMPERATURE  # level 1: warning
    assert home.manager.get("battery0").channels["RackLevel1OverTemperature"].value == 1
    assert home.value("battery0/MaxCellTemperature") == 52


async def test_bms_alarm_limits_what_the_solver_gives_the_battery(home) -> None:
    await home.build(home.serial_path, controlMode="REMOTE")
    fix(home, 5000)
    await home.until(lambda: home.value("ess0/DcDischargePower") == 5000)
    await home.simulator.set_faults(HomeFault.BMS_ALARM)
    allowed = 5.0 * home.simulator.battery.voltage  # 5 A at the pack voltage

    def near(value: object) -> bool:  # the BMS reports the voltage in 0.1 V
        return isinstance(value, int) and abs(value - allowed) <= 2

    await home.until(lambda: near(home.value("ess0/BmsAllowedDischargePower")))
    await home.until(lambda: near(home.simulator.inverter.ems_power))
    assert abs(home.simulator.battery.power_w - allowed) < 30
    assert near(home.value("ess0/AllowedDischargePower"))  # no PV
    assert near(home.value("ess0/DebugSetActivePower"))  # the write of 5000 W was fitted
    assert home.simulator.inverter.ems_mode == EmsPowerMode.DISCHARGE_BAT
    ess = home.manager.get("ess0")
    assert ess.channels["BatteryProtectionLimiting"].value == 1
    assert home.power.last_solution.adjustments  # the solver reports the adjustment


async def test_a_silent_battery_stops_the_inverter_within_a_few_cycles(home) -> None:
    await home.build(home.serial_path, controlMode="REMOTE")
    fix(home, 3000)
    await home.until(lambda: round(home.simulator.battery.power_w) == 3000)
    await home.simulator.set_faults(HomeFault.BATTERY_SILENT)
    started = time.monotonic()
    await home.until(lambda: home.simulator.inverter.relayed.status == STOP_BOTH)
    # one request timeout (150 ms), then the next relay write at the inverter's turn: well
    # within one period of the real 1 s cycle (slack for a loaded machine)
    assert time.monotonic() - started < 1.5
    await home.until(lambda: home.simulator.battery.power_w == 0)
    relayed = wbms(home)
    assert relayed["WbmsChargeMaxCurrent"] == relayed["WbmsDischargeMaxCurrent"] == 0
    assert relayed["WbmsAlarmCode"] == gw.ALARM_COMMUNICATION_FAULT
    await home.until(lambda: home.simulator.inverter.ems_mode == EmsPowerMode.BATTERY_STANDBY)
    assert home.value("battery0/Soc") is None
    assert home.manager.get("battery0").has_state(COMMUNICATION_FAILED)
    assert home.value("ess0/AllowedDischargePower") == 0


async def test_a_silent_inverter_gives_null_and_fault_and_the_cycle_keeps_its_period(home) -> None:
    await home.build(home.serial_path)
    await home.until(lambda: home.value("ess0/ActivePower") is not None)
    await home.simulator.set_faults(HomeFault.DISCONNECT)
    durations: list[float] = []
    home.cycle.events.subscribe(lambda event: durations.append(event.duration_ms))
    runner = asyncio.create_task(home.cycle.run_forever())
    ess = home.manager.get("ess0")
    async with asyncio.timeout(5):
        while not ess.has_state(COMMUNICATION_FAILED):
            await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    home.cycle.stop()
    await runner
    assert max(durations) < 50.0  # no cycle waited for the line (timeout 150 ms)
    assert len(durations) >= 4
    assert home.value("ess0/ActivePower") is None
    assert home.value("ess0/Soc") is None
    assert home.value("meter0/ActivePower") is None
    assert home.value("charger0/ActualPower") is None
    assert home.value("ess0/AllowedDischargePower") == 0


async def test_ignored_setpoints_raise_a_warning(home) -> None:
    await home.build(home.serial_path, controlMode="REMOTE")
    await home.simulator.set_faults(HomeFault.IGNORE_SETPOINTS)
    fix(home, 2000)
    ess = home.manager.get("ess0")
    await home.until(lambda: ess.channels["SetpointIgnored"].value == 1)
    assert home.simulator.inverter.ems_writes > 0  # written, but the inverter stayed in AUTO
    await home.simulator.set_faults()
    await home.until(lambda: ess.channels["SetpointIgnored"].value == 0)


async def test_stop_hands_the_inverter_back_to_self_use(home) -> None:
    await home.build(home.serial_path, controlMode="REMOTE")
    fix(home, 2000)
    await home.until(lambda: home.simulator.inverter.ems_mode == EmsPowerMode.DISCHARGE_BAT)
    await home.close()
    home.components.clear()
    assert home.simulator.inverter.ems_mode == EmsPowerMode.AUTO


async def test_read_only_writes_nothing(home) -> None:
    await home.build(home.serial_path, readOnly=True)
    fix(home, 2000)
    await home.until(lambda: home.value("ess0/ActivePower") is not None)
    for _ in range(5):
        home.cycle.run_once()
        await asyncio.sleep(0.03)
    assert home.simulator.inverter.ems_writes == 0
    assert home.simulator.inverter.relayed.at is None  # no BMS data: the inverter keeps still
    assert home.simulator.inverter_image.limit_writes == 0


async def test_an_implausible_module_count_is_refused_not_expanded(home) -> None:
    image = home.simulator.battery_image
    honest = image.blocks

    def claims_5000_modules():  # what a broken or hostile device might say in 10024
        return [
            (block, (lambda v=values: {**v(), "ModulesPerTower": 5000}))
            if block.name == "tower0"
            else (block, values)
            for block, values in honest()
        ]

    image.blocks = claims_5000_modules
    await home.build(home.serial_path)
    battery = home.manager.get("battery0")
    await home.until(lambda: battery.has_state(COMMUNICATION_FAILED))
    assert "implausible modules per tower" in " ".join(battery.state_reasons)
    assert not any(name.startswith("Tower") for name in battery.channels)
