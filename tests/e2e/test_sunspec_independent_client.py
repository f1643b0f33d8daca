"""issue 11: pysunspec2, the SunSpec Alliance's own client, as the other side of our SunSpec.

It scans the simulator over real Modbus/TCP on loopback in every layout and under every
fault, reads each model without an error, decodes the same values the edge publishes, and
after a REST setpoint finds the control points written at the official offsets.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sunspec2.modbus import client as ss_client
from sunspec2.modbus import modbus as ss_modbus

from wattkeeper.config.site import ComponentEntry, load_site
from wattkeeper.simulator.clock import ManualClock
from wattkeeper.simulator.devices import METER_UNIT, Fault, Layout
from wattkeeper.simulator.server import DeviceSimulator

EXAMPLE = Path(__file__).parents[2] / "examples" / "sunspec-home.toml"

MODELS_OF = {
    Layout.INVERTER: [1, 103, 124],
    Layout.GEN24: [1, 113, 120, 121, 122, 123, 124, 160],
    Layout.DER: [1, 701, 702, 703, 704, 713, 714, 124],
    Layout.DER_NO_124: [1, 701, 702, 703, 704, 713, 714],
}

Models = dict[int, Any]


def scan(port: int, unit: int = 1) -> Models:
    """Every model pysunspec2 finds on the device (blocking: run it in a thread)."""
    device = ss_client.SunSpecModbusClientDeviceTCP(
        slave_id=unit, ipaddr="127.0.0.1", ipport=port, timeout=5
    )
    try:
        device.scan()
        return {mid: found[0] for mid, found in device.models.items() if isinstance(mid, int)}
    finally:
        device.disconnect()  # the TCP device's close() leaves the socket open


def assert_clean(models: Models, expected: list[int]) -> None:
    assert list(models) == expected
    for model_id, model in models.items():
        # pysunspec2 notes here, among others, a length L that differs from the definition
        assert model.error_info == "", (model_id, model.error_info)


async def simulator_in(layout: Layout, *faults: Fault) -> DeviceSimulator:
    simulator = DeviceSimulator(
        "127.0.0.1",
        0,
        clock=ManualClock(),
        faults=faults,
        slow_delay=0.01,
        layout=layout,
        pv_w=2000.0,  # PV on the 160 modules (gen24), and in the grid meter's balance
    )
    await simulator.start()
    return simulator


# -- the simulator alone -------------------------------------------------------------------
@pytest.mark.parametrize("layout", list(Layout), ids=lambda layout: layout.value)
@pytest.mark.parametrize(
    "fault",
    [None, Fault.SLOW, Fault.IGNORE_SETPOINTS, Fault.REVERT_ZERO, Fault.REVERT_BROKEN],
    ids=lambda fault: "no-fault" if fault is None else fault.value,
)
async def test_every_model_reads_without_error(layout: Layout, fault: Fault | None) -> None:
    simulator = await simulator_in(layout, *([fault] if fault else []))
    try:
        models = await asyncio.to_thread(scan, simulator.port)
        assert_clean(models, MODELS_OF[layout])
        meter = await asyncio.to_thread(scan, simulator.port, METER_UNIT)
        assert_clean(meter, [1, 203])
        # every mandatory point is implemented
        for model_id, model in models.items():
            for name, point in model.points.items():
                if point.pdef.get("mandatory") == "M" and point.pdef["type"] != "pad":
                    assert point.value is not None, (model_id, name)
    finally:
        await simulator.stop()


async def test_disconnect_fault_is_what_pysunspec2_sees() -> None:
    simulator = await simulator_in(Layout.DER)
    try:
        assert_clean(await asyncio.to_thread(scan, simulator.port), MODELS_OF[Layout.DER])
        await simulator.set_faults(Fault.DISCONNECT)
        with pytest.raises(ss_modbus.ModbusClientError, match="Connection"):
            await asyncio.to_thread(scan, simulator.port)
        await simulator.set_faults()
        assert_clean(await asyncio.to_thread(scan, simulator.port), MODELS_OF[Layout.DER])
    finally:
        await simulator.stop()


async def test_gen24_layout_ships_with_the_revert_timer_off() -> None:
    simulator = await simulator_in(Layout.GEN24)
    try:
        models = await asyncio.to_thread(scan, simulator.port)
        storage = models[124]
        assert storage.InOutWRte_RvrtTms.value == 0
        assert storage.StorCtl_Mod.value == 0
        assert models[113].W.cvalue == 0.0  # the float model, no scale factors
        mppt = models[160]
        assert mppt.N.value == 4
        names = [module.IDStr.value for module in mppt.groups["module"]]
        assert names == ["PV 1", "PV 2", "StCha 3", "StDisCha 4"]
    finally:
        await simulator.stop()


def _write_and_read(port: int, model_id: int, name: str, value: int) -> int:
    """Write one point with pysunspec2 and read it back (how a third party would)."""
    device = ss_client.SunSpecModbusClientDeviceTCP(
        slave_id=1, ipaddr="127.0.0.1", ipport=port, timeout=5
    )
    try:
        device.scan()
        model = device.models[model_id][0]
        getattr(model, name).value = value
        model.write()
        model.read()
        result: int = getattr(model, name).value
        return result
    finally:
        device.disconnect()  # the TCP device's close() leaves the socket open


@pytest.mark.parametrize(
    ("layout", "model_id", "timer"),
    [(Layout.GEN24, 124, "InOutWRte_RvrtTms"), (Layout.DER, 704, "WSetRvrtTms")],
    ids=["124", "704"],
)
async def test_revert_zero_fault_through_the_official_client(
    layout: Layout, model_id: int, timer: str
) -> None:
    simulator = await simulator_in(layout)
    try:
        assert await asyncio.to_thread(_write_and_read, simulator.port, model_id, timer, 30) == 30
        await simulator.set_faults(Fault.REVERT_ZERO)
        assert await asyncio.to_thread(_write_and_read, simulator.port, model_id, timer, 30) == 0
    finally:
        await simulator.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("layout", list(Layout), ids=lambda layout: layout.value)
async def test_the_simulate_device_command(layout: Layout) -> None:
    """`wattkeeper simulate-device --layout …` as a user starts it, scanned by pysunspec2."""
    port = _free_port()
    command = [sys.executable, "-m", "wattkeeper", "simulate-device", "--port", str(port)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    process = subprocess.Popen(
        [*command, "--layout", layout.value, "--load", "600", "--pv", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        async with asyncio.timeout(20):
            while True:
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.close()
                    await writer.wait_closed()
                    break
                except OSError:
                    assert process.poll() is None, "simulate-device exited"
                    await asyncio.sleep(0.05)
        assert_clean(await asyncio.to_thread(scan, port), MODELS_OF[layout])
    finally:
        process.terminate()
        process.wait(timeout=10)


# -- the edge and pysunspec2 on the same device ----------------------------------------------
async def edge_on(start_edge: Callable[..., Any], simulator: DeviceSimulator) -> Any:
    """The example site on the simulator; with model 160, a charger per PV module."""
    site = load_site(EXAMPLE)
    for entry in site.components:
        if entry.properties.get("port") == 5502:  # the example's simulator port
            entry.properties.update(port=simulator.port, pollPeriodMs=100, timeoutMs=300)
    if any(slot.model_id == 160 for slot in simulator.inverter_image.slots):
        site.components += [
            ComponentEntry(
                id=f"charger{i}", factory="SunSpec.Charger", properties={"module": i + 1}
            )
            for i in range(2)
        ]
    return await start_edge(site)


async def eventually(live: Any, check: Callable[[], object], timeout: float = 20.0) -> None:
    """Wait until `check()` returns None or True (it returns a difference to show otherwise)."""
    last: object = None
    try:
        async with asyncio.timeout(timeout):
            while (last := check()) not in (None, True):
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"never agreed: {last}") from None


def differences(live: Any, pairs: dict[str, object]) -> dict[str, tuple[object, object]] | None:
    found = {
        channel: (live.value(channel), theirs)
        for channel, theirs in pairs.items()
        if live.value(channel) != theirs
    }
    return found or None


def sf(model: Any, name: str) -> int:
    """The scale factor pysunspec2 decodes for a point of a model."""
    return int(model.points[model.points[name].sf].value)


def edge_scale_factors(live: Any, models: Models) -> dict[tuple[int, str], tuple[object, object]]:
    """Every scale factor the edge decoded, next to pysunspec2's, where they differ."""
    session = live.edge.manager.get("ess0").link.session
    found = {}
    for role, block in session.blocks.items():
        theirs = models[block.model_id]
        for name, value in session.data[role].items():
            point = theirs.points.get(name) if name.endswith("_SF") else None
            if point is not None and value != point.value:
                found[(block.model_id, name)] = (value, point.value)
    return found


@pytest.mark.parametrize("layout", list(Layout), ids=lambda layout: layout.value)
async def test_edge_channels_equal_what_pysunspec2_decodes(
    start_edge: Callable[..., Any], layout: Layout
) -> None:
    simulator = await simulator_in(layout)
    try:
        live = await edge_on(start_edge, simulator)
        await live.until(lambda: live.value("ess0/Soc") is not None, timeout=20)
        # a setpoint through REST, so power flows and the readings are not all zero
        async with httpx.AsyncClient(auth=("x", "owner")) as http:
            response = await http.post(
                f"{live.url}/rest/channel/ess0/SetActivePowerEquals", json={"value": -2500}
            )
            assert response.status_code == 200
        await live.until(lambda: simulator.battery.power_w == -2500, timeout=20)

        models = await asyncio.to_thread(scan, simulator.port)
        meter = (await asyncio.to_thread(scan, simulator.port, METER_UNIT))[203]
        assert_clean(models, MODELS_OF[layout])
        pairs: dict[str, object] = {
            "meter0/ActivePower": round(meter.W.cvalue),
            "meter0/ActiveProductionEnergy": round(meter.TotWhImp.cvalue),
            "meter0/ActiveConsumptionEnergy": round(meter.TotWhExp.cvalue),
        }
        if layout in (Layout.INVERTER, Layout.GEN24):
            storage = models[124]
            inverter = models[103 if layout is Layout.INVERTER else 113]
            assert storage.ChaState.value * 10 ** sf(storage, "ChaState") == storage.ChaState.cvalue
            pairs |= {
                "ess0/Soc": round(storage.ChaState.cvalue),
                "ess0/ActivePower": round(inverter.W.cvalue),
                "ess0/MaxChargePower": round(storage.WChaMax.cvalue),
                "ess0/AllowedChargePower": -round(storage.WChaMax.cvalue),
                "ess0/BatteryVoltage": storage.InBatV.cvalue,
                "ess0/MinReservePercent": storage.MinRsvPct.cvalue,
                "ess0/ChargeStatus": storage.ChaSt.value,
            }
            if 160 in models:  # the PV strings as chargers (GEN24)
                for i, module in enumerate(models[160].groups["module"][:2]):
                    pairs |= {
                        f"charger{i}/ActualPower": round(module.DCW.cvalue),
                        f"charger{i}/ActualEnergy": round(module.DCWH.cvalue),
                        f"charger{i}/Voltage": round(module.DCV.cvalue * 1000),
                        f"charger{i}/Current": round(module.DCA.cvalue * 1000),
                    }
        else:
            measure, capacity, rating, dc = models[701], models[702], models[713], models[714]
            port = dc.groups["Prt"][0]
            pairs |= {
                "ess0/Soc": round(rating.SoC.cvalue),
                "ess0/Capacity": round(rating.WHRtg.cvalue),
                "ess0/AvailableEnergy": round(rating.WHAvail.cvalue),
                "ess0/ActivePower": round(measure.W.cvalue),
                "ess0/MaxChargePower": round(capacity.WChaRteMax.cvalue),
                "ess0/MaxApparentPower": round(capacity.VAMax.cvalue),
                "ess0/AllowedDischargePower": round(capacity.WDisChaRteMax.cvalue),
                "ess0/ActiveChargeEnergy": round(measure.TotWhAbs.cvalue),
                "ess0/ActiveDischargeEnergy": round(measure.TotWhInj.cvalue),
                "ess0/InverterState": measure.InvSt.value + 1,  # 10x numbering
                "ess0/DcDischargePower": round(port.DCW.cvalue),
                "ess0/DcChargeEnergy": round(port.DCWhAbs.cvalue),
                "ess0/DcDischargeEnergy": round(port.DCWhInj.cvalue),
                "ess0/BatteryVoltage": (
                    models[124].InBatV.cvalue if 124 in models else port.DCV.cvalue
                ),
            }
            assert capacity.WMax.cvalue == capacity.WMax.value * 10 ** sf(capacity, "WMax")
            assert capacity.WMax.cvalue == 5000
        await eventually(live, lambda: differences(live, pairs))
        assert edge_scale_factors(live, models) == {}
    finally:
        await simulator.stop()


@pytest.mark.parametrize(
    "layout", [Layout.INVERTER, Layout.GEN24, Layout.DER, Layout.DER_NO_124], ids=str
)
async def test_rest_setpoint_lands_on_the_official_control_points(
    start_edge: Callable[..., Any], layout: Layout
) -> None:
    simulator = await simulator_in(layout)
    try:
        live = await edge_on(start_edge, simulator)
        await live.until(lambda: live.value("ess0/Soc") is not None, timeout=20)
        async with httpx.AsyncClient(auth=("x", "owner")) as http:
            response = await http.post(
                f"{live.url}/rest/channel/ess0/SetActivePowerEquals", json={"value": -2000}
            )
            assert response.status_code == 200
        await live.until(lambda: live.value("ess0/ActivePower") == -2000, timeout=20)
        models = await asyncio.to_thread(scan, simulator.port)
        revert = live.edge.manager.get("ess0").config.revert_timeout
        assert revert == 60
        if layout in (Layout.INVERTER, Layout.GEN24):
            storage = models[124]
            # −2000 W of WChaMax 5000 W: the window −InWRte … OutWRte pinned at −40 %
            assert storage.OutWRte.cvalue == -40.0
            assert storage.InWRte.cvalue == 40.0
            assert storage.StorCtl_Mod.value == 3  # both limits in force
            assert storage.InOutWRte_RvrtTms.value == revert
            where = {name: storage.points[name].offset for name in ("OutWRte", "StorCtl_Mod")}
            assert where == {"OutWRte": 12, "StorCtl_Mod": 5}
        else:
            control = models[704]
            assert control.WSetEna.value == 1  # ENABLED
            assert control.WSetMod.value == 1  # WATTS
            assert control.WSet.cvalue == -2000  # absorbing = charging
            assert control.WSetRvrtTms.value == revert
            assert control.WSetRvrtRem.value == revert  # the clock of the simulator stands
            where = {name: control.points[name].offset for name in ("WSet", "WSetRvrtTms")}
            assert where == {"WSet": 24, "WSetRvrtTms": 31}
            if 124 in models:
                assert models[124].StorCtl_Mod.value == 0  # 124 left alone on the DER path
    finally:
        await simulator.stop()
