"""issue 19: the description format — every shipped file loads and is served point for point by
its simulator; a wrong description or configuration is refused saying what is wrong; the
`simulate-device --model` command as a user starts it."""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from wattkeeper.cli.scan import scan
from wattkeeper.drivers.described.links import DescribedConfig
from wattkeeper.protocols.described.codec import DeviceCodec
from wattkeeper.protocols.described.model import DescriptionError, kinds, load, parse
from wattkeeper.protocols.registers import RegType
from wattkeeper.simulator.described_device import DescribedDevice, VendorFault
from wattkeeper.testing.fake_clock import FakeClock

MINIMAL = """
kind = "acme"
vendor = "Acme"
products = "Acme Box"
sources = ["the Acme Modbus list, rev. 1"]
[units]
inverter = 1
[identity]
model = "Model"
serial = "Serial"
[points]
Model = { address = 0, type = "string", size = 8, once = true }
Serial = { address = 8, type = "uint32", once = true }
Soc = { address = 10, type = "uint16", scale = -1 }
Setpoint = { address = 20, type = "int16", access = "RW" }
[ess]
Soc = "Soc"
[control]
refresh_s = 10
lapse_s = 30
[control.any]
Setpoint = "P"
[control.release]
Setpoint = 0
[simulator.values]
Model = "Box"
Serial = 7
Soc = "soc"
"""


@pytest.mark.parametrize("kind", kinds())
def test_each_description_loads_cites_its_sources_and_is_served_point_for_point(kind: str) -> None:
    description = load(kind)
    assert description.kind == kind and description.sources
    device = DescribedDevice(description, FakeClock())
    codec = DeviceCodec(description)
    for role in description.units:
        for once in (True, False):
            plan = (codec.identity_plan if once else codec.poll_plan).get(role, [])
            blocks = {
                (r.address, r.input_registers): device.read(
                    role, r.address, r.count, r.input_registers
                )
                for r in plan
            }
            for name, value in codec.decode(role, blocks, once).items():
                expected = device.value(name)
                if isinstance(expected, str) and description.points[name].type is RegType.STRING:
                    assert value == expected, (kind, name)
                elif isinstance(expected, int | float):
                    step = 10.0 ** description.points[name].scale
                    assert value == pytest.approx(expected, abs=step), (kind, name)


def test_a_wrong_description_is_refused_with_every_problem_named() -> None:
    assert parse(MINIMAL, "acme").kind == "acme"
    broken = (
        MINIMAL.replace('Soc = "Soc"\n[control]', 'Soc = "Charge"\n[control]')
        .replace('Setpoint = "P"', 'Soc = "P"')
        .replace("Setpoint = 0", "Setpoint = 'half'")
    )
    with pytest.raises(DescriptionError) as caught:
        parse(broken, "acme")
    message = str(caught.value)
    assert "unknown point Charge" in message
    assert "Soc is not a writable point" in message
    assert "'half' (P, -P, W or a number)" in message
    with pytest.raises(DescriptionError, match="acme: Invalid value"):
        parse("kind = ", "acme")
    with pytest.raises(DescriptionError, match="no device description 'acme'"):
        load("acme")


def test_a_wrong_configuration_says_what_is_wrong() -> None:
    with pytest.raises(ValidationError, match="no device description 'huawei'"):
        DescribedConfig.model_validate({"model": "huawei"})
    config = DescribedConfig.model_validate({"model": "victron-gx", "unitIds": {"multi": 5}})
    from wattkeeper.drivers.described.links import DeviceLinks

    with pytest.raises(ValueError, match=r"unitIds \['multi'\] are not roles of victron-gx"):
        DeviceLinks("ess0", config, FakeClock())


def test_simulate_device_knows_every_model_and_its_faults() -> None:
    from wattkeeper.simulator.cli import register

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    for kind in [*kinds(), "fronius-gen24"]:
        args = parser.parse_args(["simulate-device", "--model", kind])
        assert args.model == kind
    args = parser.parse_args(
        ["simulate-device", "--model", "kostal-plenticore", "--fault", "refuse-control"]
    )
    assert args.fault == [VendorFault.REFUSE_CONTROL]


@pytest.mark.slow
async def test_the_simulate_device_command_serves_a_vendor_that_scan_finds() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    command = [
        sys.executable,
        "-m",
        "wattkeeper",
        "simulate-device",
        "--model",
        "kostal-plenticore",
    ]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
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
        found = await scan("127.0.0.1", port)
        assert found is not None and found.kind == "kostal-plenticore"
        assert found.model == "PLENTICORE plus 10"
    finally:
        process.terminate()
        process.wait(timeout=10)
