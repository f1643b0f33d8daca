"""issue 19: `wattkeeper scan` finds each simulated vendor device by its own model/serial
registers (or the SunSpec marker), says what it found, and prints a site file the edge
accepts; a box that answers nothing known gets a clear sentence, not a traceback."""

from __future__ import annotations

import socket

import pytest

from wattkeeper.cli.main import main
from wattkeeper.cli.scan import scan, site_file
from wattkeeper.config.site import parse_site
from wattkeeper.protocols.described.model import kinds, load
from wattkeeper.simulator.clock import ManualClock
from wattkeeper.simulator.described_server import VendorSimulator
from wattkeeper.simulator.fronius import FroniusGen24Simulator
from wattkeeper.simulator.server import DeviceSimulator


@pytest.mark.slow
@pytest.mark.parametrize("kind", kinds())
async def test_scan_finds_each_described_vendor(kind: str) -> None:
    simulator = VendorSimulator(kind, "127.0.0.1", 0)
    await simulator.start()
    try:
        found = await scan("127.0.0.1", simulator.port)
        assert found is not None and found.kind == kind
        serial = load(kind).simulator.values[load(kind).identity.serial]
        assert found.serial == str(serial)
        site = parse_site(site_file(found, "127.0.0.1"))
        ess = next(entry for entry in site.components if entry.id == "ess0")
        assert ess.factory == "Described.Ess" and ess.properties["model"] == kind
    finally:
        await simulator.stop()


@pytest.mark.slow
async def test_scan_finds_a_fronius_gen24_and_its_meter_and_a_plain_sunspec_device() -> None:
    gen24 = FroniusGen24Simulator("127.0.0.1", 0, clock=ManualClock())
    plain = DeviceSimulator("127.0.0.1", 0, clock=ManualClock())
    await gen24.start()
    await plain.start()
    try:
        found = await scan("127.0.0.1", gen24.port)
        assert found is not None and found.kind == "fronius-gen24"
        site = parse_site(site_file(found, "127.0.0.1"))
        factories = {entry.id: entry.factory for entry in site.components}
        assert factories["ess0"] == "SunSpec.Ess" and factories["meter0"] == "SunSpec.Meter"
        found = await scan("127.0.0.1", plain.port)
        assert found is not None and found.kind == "sunspec" and found.serial == "WK-SIM-0001"
    finally:
        await gen24.stop()
        await plain.stop()


def test_nothing_known_is_a_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    assert main(["scan", "--host", "127.0.0.1", "--port", str(port)]) == 1
    out = capsys.readouterr().out
    assert "No known battery system answered at 127.0.0.1" in out and "Traceback" not in out
