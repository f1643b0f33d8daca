"""The device simulator: physics on a manual clock, control registers, faults, the CLI."""

from __future__ import annotations

import argparse

import pytest

from wattkeeper.protocols.registers import encode_value
from wattkeeper.protocols.sunspec.models import (
    DER_CAPACITY,
    DER_CTL_AC,
    DER_MEASURE_AC,
    DER_STORAGE_CAPACITY,
    ENABLED,
    METER,
    STORAGE,
    WSET_MOD_PCT,
    WSET_MOD_WATTS,
)
from wattkeeper.simulator.clock import ManualClock
from wattkeeper.simulator.devices import (
    Fault,
    Faults,
    Household,
    Layout,
    WriteRefused,
    grid_meter,
    storage_inverter,
)
from wattkeeper.simulator.server import DeviceSimulator

STORAGE_AT = 40122  # 40000 marker, 40002 common (68), 40070 inverter (52), 40122 storage
METER_AT = 40070


def rate(value: float) -> int:
    return encode_value(STORAGE.point("InWRte"), value, -2)[0]


def decode_storage(image: object) -> dict[str, object]:
    return dict(STORAGE.decode(image.read(STORAGE_AT, STORAGE.length)))  # type: ignore[attr-defined]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def test_pinned_window_charges_the_battery(clock: ManualClock) -> None:
    faults = Faults()
    image, storage = storage_inverter(clock, faults)
    image.write(STORAGE_AT + 12, [rate(-40.0), rate(40.0), 0, 600])
    image.write(STORAGE_AT + 5, [3])
    assert storage.power_w == -2000.0
    clock.advance(360.0)  # 0.1 h at 2 kW: +200 Wh of 10 kWh
    values = decode_storage(image)
    assert values["ChaState"] == 52.0
    assert values["ChaSt"] == 4  # CHARGING
    assert values["InWRte"] == 40.0 and values["OutWRte"] == -40.0
    assert values["StorCtl_Mod"] == 3


def test_without_control_bits_the_inverter_idles(clock: ManualClock) -> None:
    image, storage = storage_inverter(clock, Faults())
    image.write(STORAGE_AT + 12, [rate(50.0), rate(-50.0)])
    assert storage.power_w == 0.0  # StorCtl_Mod still 0
    image.write(STORAGE_AT + 5, [2])  # discharge limit only: the window is [-max, 2500]
    assert storage.power_w == 0.0
    image.write(STORAGE_AT + 5, [3])
    assert storage.power_w == 2500.0


def test_revert_timer_fires_and_its_faults(clock: ManualClock) -> None:
    faults = Faults()
    image, storage = storage_inverter(clock, faults)
    image.write(STORAGE_AT + 12, [rate(20.0), rate(-20.0), 0, 10])
    image.write(STORAGE_AT + 5, [3])
    clock.advance(9.0)
    assert decode_storage(image)["StorCtl_Mod"] == 3
    clock.advance(1.5)
    values = decode_storage(image)
    assert values["StorCtl_Mod"] == 0
    assert storage.power_w == 0.0

    faults.active = {Fault.REVERT_BROKEN}
    image.write(STORAGE_AT + 12, [rate(20.0), rate(-20.0), 0, 10])
    image.write(STORAGE_AT + 5, [3])
    clock.advance(60.0)
    assert decode_storage(image)["StorCtl_Mod"] == 3  # never reverts

    faults.active = {Fault.REVERT_ZERO}
    image.write(STORAGE_AT + 12, [rate(20.0), rate(-20.0), 0, 10])
    assert decode_storage(image)["InOutWRte_RvrtTms"] == 0


def test_ignored_setpoints_are_acknowledged_but_dropped(clock: ManualClock) -> None:
    image, storage = storage_inverter(clock, Faults({Fault.IGNORE_SETPOINTS}))
    image.write(STORAGE_AT + 12, [rate(-40.0), rate(40.0), 0, 60])
    image.write(STORAGE_AT + 5, [3])
    assert decode_storage(image)["StorCtl_Mod"] == 0
    assert storage.power_w == 0.0


def test_read_only_and_unmapped_writes_are_refused(clock: ManualClock) -> None:
    image, _ = storage_inverter(clock, Faults())
    with pytest.raises(WriteRefused):
        image.write(STORAGE_AT + 8, [100])  # ChaState
    with pytest.raises(WriteRefused):
        image.write(40070 + 14, [100])  # inverter W
    with pytest.raises(WriteRefused):
        image.read(39990, 2)


def test_battery_stops_at_the_reserve_and_when_full(clock: ManualClock) -> None:
    image, storage = storage_inverter(clock, Faults(), initial_soc=5.0)
    image.write(STORAGE_AT + 12, [rate(50.0), rate(-50.0), 0, 0])
    image.write(STORAGE_AT + 5, [3])
    assert storage.power_w == 0.0
    assert decode_storage(image)["ChaSt"] == 2  # EMPTY
    image2, storage2 = storage_inverter(clock, Faults(), initial_soc=100.0)
    image2.write(STORAGE_AT + 12, [rate(-50.0), rate(50.0), 0, 0])
    image2.write(STORAGE_AT + 5, [3])
    assert storage2.power_w == 0.0
    assert decode_storage(image2)["ChaSt"] == 5  # FULL


def test_grid_meter_closes_the_balance(clock: ManualClock) -> None:
    faults = Faults()
    inverter, storage = storage_inverter(clock, faults)
    meter_image, _meter = grid_meter(clock, storage, Household(load_w=1500.0, pv_w=300.0))
    meter = METER.decode(meter_image.read(METER_AT, METER.length))
    assert meter["W"] == 1200
    imported = meter["TotWhImp"]
    inverter.write(STORAGE_AT + 12, [rate(10.0), rate(-10.0), 0, 0])  # discharge 500 W
    inverter.write(STORAGE_AT + 5, [3])
    meter = METER.decode(meter_image.read(METER_AT, METER.length))
    assert meter["W"] == 700
    clock.advance(3600.0)
    meter = METER.decode(meter_image.read(METER_AT, METER.length))
    assert isinstance(imported, int)
    assert meter["TotWhImp"] == imported + 700
    assert meter["PhV"] == 230.0 and meter["Hz"] == 50.0


def test_cli_registration() -> None:
    from wattkeeper.simulator.cli import register

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["simulate-device", "--port", "5600", "--fault", "slow", "--fault", "ignore-setpoints"]
    )
    assert args.port == 5600 and args.host == "127.0.0.1" and args.fault_period == 0.0
    assert args.fault == [Fault.SLOW, Fault.IGNORE_SETPOINTS]
    assert callable(args.handler)
    with pytest.raises(SystemExit):
        parser.parse_args(["simulate-device", "--fault", "nonsense"])


async def test_server_binds_loopback_and_stops() -> None:
    simulator = DeviceSimulator("127.0.0.1", 0, clock=ManualClock())
    await simulator.start()
    try:
        assert simulator.port > 0 and simulator.running
        assert simulator.registers(1, 40000, 2) == [0x5375, 0x6E53]
        assert simulator.registers(2, 40070, 1) == [203]
    finally:
        await simulator.stop()
    assert not simulator.running


def test_household_profiles_follow_the_injected_wall_clock() -> None:
    import time

    noon = time.mktime((2025, 6, 15, 12, 0, 0, 0, 0, -1))  # local time
    night = time.mktime((2025, 6, 15, 0, 30, 0, 0, 0, -1))
    home_noon = Household(None, None, lambda: noon)
    home_night = Household(None, None, lambda: night)
    assert home_noon.load() > home_night.load() > 0
    assert home_noon.pv() > 1000.0
    assert home_night.pv() == 0.0


async def test_serve_runs_until_cancelled() -> None:
    import asyncio
    import socket

    from wattkeeper.simulator.server import serve

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    task = asyncio.create_task(
        serve("127.0.0.1", port, [Fault.IGNORE_SETPOINTS], fault_period=0.01)
    )
    async with asyncio.timeout(3):
        while True:
            try:
                _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.01)
                continue
            writer.close()
            await writer.wait_closed()
            break
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


# -- DER models (der=True), at the official offsets --------------------------------------
DER_AT = {
    1: 40002,
    701: 40070,
    702: 40225,
    703: 40277,
    704: 40296,
    713: 40363,
    714: 40372,
    124: 40417,
}


def ctl(name: str) -> int:
    """Address of a 704 point on the simulated device."""
    return DER_AT[704] + DER_CTL_AC.point(name).offset


def der_ctl(image: object) -> dict[str, object]:
    return dict(DER_CTL_AC.decode(image.read(DER_AT[704], DER_CTL_AC.length)))  # type: ignore[attr-defined]


def wset_words(watts: int) -> list[int]:
    # WSetEna ENABLED, WSetMod WATTS, WSet
    return [ENABLED, WSET_MOD_WATTS, *encode_value(DER_CTL_AC.point("WSet"), watts, 0)]


def timer_words(seconds: int) -> list[int]:
    return encode_value(DER_CTL_AC.point("WSetRvrtTms"), seconds)


def test_der_image_chains_the_official_models(clock: ManualClock) -> None:
    image, _ = storage_inverter(clock, Faults(), der=True)
    assert [(slot.model_id, slot.address) for slot in image.slots] == list(DER_AT.items())
    for model_id, address in DER_AT.items():
        assert image.read(address, 1) == [model_id], model_id
    assert image.read(DER_AT[704] + 1, 1) == [65]
    assert image.read(DER_AT[702] + 1, 1) == [50]
    assert image.read(DER_AT[701] + 1, 1) == [153]
    assert image.read(DER_AT[124] + 26, 2) == [0xFFFF, 0]  # end marker after 124
    capacity = DER_CAPACITY.decode(image.read(DER_AT[702], DER_CAPACITY.length))
    assert capacity["WChaRteMax"] == 5000 and capacity["WDisChaRteMax"] == 5000
    rating = DER_STORAGE_CAPACITY.decode(image.read(DER_AT[713], DER_STORAGE_CAPACITY.length))
    assert (rating["SoC"], rating["WHRtg"], rating["WHAvail"]) == (50.0, 10_000, 5_000)


def test_der_wset_drives_the_battery_and_701_reports_it(clock: ManualClock) -> None:
    image, storage = storage_inverter(clock, Faults(), der=True)
    image.write(ctl("WSetRvrtTms"), timer_words(600))
    image.write(ctl("WSetEna"), wset_words(-2000))
    assert storage.power_w == -2000.0
    measure = DER_MEASURE_AC.decode(image.read(DER_AT[701], DER_MEASURE_AC.length))
    assert measure["W"] == -2000  # absorbing: negative
    assert measure["PF"] == -1.0
    clock.advance(360.0)
    assert STORAGE.decode(image.read(DER_AT[124], STORAGE.length))["ChaState"] == 52.0
    values = der_ctl(image)
    assert (values["WSetEna"], values["WSetMod"], values["WSet"]) == (1, 1, -2000)
    assert values["WSetRvrtTms"] == 600 and values["WSetRvrtRem"] == 240
    # percent mode: WSetPct of WMax
    image.write(ctl("WSetMod"), [WSET_MOD_PCT])
    image.write(ctl("WSetPct"), encode_value(DER_CTL_AC.point("WSetPct"), 25.0, -1))
    assert storage.power_w == 1250.0
    # enter service disabled: 0 W
    image.write(DER_AT[703] + 2, [0])
    assert storage.power_w == 0.0


def test_der_revert_timer(clock: ManualClock) -> None:
    faults = Faults()
    image, storage = storage_inverter(clock, faults, der=True)
    image.write(ctl("WSetRvrtTms"), timer_words(10))
    image.write(ctl("WSetEna"), wset_words(1500))
    clock.advance(9.0)
    assert der_ctl(image)["WSetEna"] == 1 and storage.power_w == 1500.0
    clock.advance(1.5)  # no new write within WSetRvrtTms: WSetEna takes WSetEnaRvrt (0)
    values = der_ctl(image)
    assert values["WSetEna"] == 0 and values["WSetRvrtRem"] == 0
    assert storage.power_w == 0.0

    image.write(ctl("WSetRvrtTms"), timer_words(0))  # 0: never reverts
    image.write(ctl("WSetEna"), wset_words(1500))
    clock.advance(3600.0)
    assert der_ctl(image)["WSetEna"] == 1

    faults.active = {Fault.REVERT_BROKEN}
    image.write(ctl("WSetRvrtTms"), timer_words(10))
    image.write(ctl("WSetEna"), wset_words(1000))
    clock.advance(60.0)
    assert der_ctl(image)["WSetEna"] == 1  # never reverts

    faults.active = {Fault.REVERT_ZERO}
    image.write(ctl("WSetRvrtTms"), timer_words(10))
    assert der_ctl(image)["WSetRvrtTms"] == 0


def test_der_ignored_setpoints_and_read_only_points(clock: ManualClock) -> None:
    image, storage = storage_inverter(clock, Faults({Fault.IGNORE_SETPOINTS}), der=True)
    image.write(ctl("WSetEna"), wset_words(1500))
    assert der_ctl(image)["WSetEna"] == 0 and storage.power_w == 0.0
    with pytest.raises(WriteRefused):
        image.write(ctl("WSetRvrtRem"), [0, 5])  # read-only
    with pytest.raises(WriteRefused):
        image.write(DER_AT[701] + 10, [100])  # 701 W


def test_cli_layout_options() -> None:
    from wattkeeper.simulator.cli import register

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    assert parser.parse_args(["simulate-device", "--der"]).der is True
    assert parser.parse_args(["simulate-device"]).der is False
    assert parser.parse_args(["simulate-device"]).layout is None
    for layout in Layout:
        assert parser.parse_args(["simulate-device", "--layout", layout.value]).layout is layout


async def test_der_server_over_loopback() -> None:
    from pymodbus.client import AsyncModbusTcpClient

    simulator = DeviceSimulator("127.0.0.1", 0, clock=ManualClock(), der=True)
    await simulator.start()
    client = AsyncModbusTcpClient("127.0.0.1", port=simulator.port)
    try:
        await client.connect()
        reply = await client.write_registers(ctl("WSetEna"), wset_words(-1000), device_id=1)
        assert not reply.isError()
        reply = await client.read_holding_registers(DER_AT[704], count=67, device_id=1)
        values = DER_CTL_AC.decode(reply.registers)
        assert values["WSetEna"] == 1 and values["WSet"] == -1000
        assert simulator.battery.power_w == -1000.0
    finally:
        client.close()
        await simulator.stop()
