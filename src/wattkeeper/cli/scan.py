"""`wattkeeper scan --host H [--port P]`: which battery system answers at H, with model and
serial, and a site file that drives it.

Probes, each bounded by a short timeout: the SunSpec marker ("SunS" at 40000, 0 or 50000 on
unit 1, then the common model's manufacturer, model and serial; a GEN24 is recognised by
name), then every described vendor's identity registers at its own unit ids (Huawei 30000/
30015, Victron 800 at unit 100, Sungrow 4989/4999, SMA 30053/30057 at unit 3, Kostal's SunSpec
common model at unit 71). The first that answers with a serial wins.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException

from wattkeeper.protocols.described.codec import DeviceCodec
from wattkeeper.protocols.described.model import Description, kinds, load
from wattkeeper.protocols.registers import Point, RegType, decode_raw

TIMEOUT = 0.5
SUNSPEC_BASES = (40000, 0, 50000)
MARKER = [0x5375, 0x6E53]  # "SunS"
_TEXT = Point("text", 0, RegType.STRING, size=16)


@dataclass
class Found:
    kind: str  # a description's kind, "fronius-gen24" or "sunspec"
    vendor: str
    model: str
    serial: str
    port: int
    units: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


class Probe:
    """One TCP connection to host:port; every read bounded, None instead of an error."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.client = AsyncModbusTcpClient(
            host, port=port, timeout=TIMEOUT, retries=0, reconnect_delay=0
        )

    async def connect(self) -> bool:
        try:
            async with asyncio.timeout(2 * TIMEOUT):
                return bool(await self.client.connect())
        except (TimeoutError, OSError, ModbusException):
            return False

    async def read(
        self, unit: int, address: int, count: int, inputs: bool = False
    ) -> list[int] | None:
        if not self.client.connected and not await self.connect():
            return None
        request = self.client.read_input_registers if inputs else self.client.read_holding_registers
        try:
            async with asyncio.timeout(2 * TIMEOUT):
                response = await request(address, count=count, device_id=unit)
        except (TimeoutError, OSError, ModbusException):
            self.client.close()  # a late answer must not be taken for the next one
            return None
        if response.isError() or len(response.registers) < count:
            return None
        return list(response.registers[:count])

    def close(self) -> None:
        self.client.close()


async def probe_sunspec(probe: Probe, unit: int = 1) -> Found | None:
    for base in SUNSPEC_BASES:
        words = await probe.read(unit, base, 4)
        if words is None or words[:2] != MARKER or words[2] != 1:
            continue
        common = await probe.read(unit, base + 4, 64)
        if common is None:
            return None
        text = [str(decode_raw(_TEXT, common[at : at + 16]) or "") for at in (0, 16, 48)]
        manufacturer, model, serial = text
        gen24 = manufacturer.lower().startswith("fronius") or "GEN24" in model.upper()
        meter = await probe.read(200, base, 2)
        return Found(
            "fronius-gen24" if gen24 else "sunspec",
            manufacturer or "SunSpec",
            model,
            serial,
            probe.port,
            {"inverter": unit},
            {"meter200": meter == MARKER},
        )
    return None


async def probe_described(probe: Probe, description: Description) -> Found | None:
    codec = DeviceCodec(description)
    identity = description.identity
    role = description.unit_of(identity.serial)
    unit = description.units[role]
    blocks: dict[tuple[int, bool], list[int]] = {}
    for request in codec.identity_plan.get(role, []):
        words = await probe.read(unit, request.address, request.count, request.input_registers)
        if words is None:
            return None
        blocks[(request.address, request.input_registers)] = words
    values = codec.decode(role, blocks, once=True)
    serial = values.get(identity.serial)
    if serial in (None, "", 0):
        return None
    model = values.get(identity.model) if identity.model else description.products
    if identity.expect and not re.search(identity.expect, str(model or "")):
        return None
    return Found(
        description.kind,
        description.vendor,
        str(model),
        str(serial),
        probe.port,
        dict(description.units),
    )


async def scan(host: str, port: int | None) -> Found | None:
    # a description that names its models (expect) goes first: SMA SBS and Sunny Island share
    # their identity registers, only the device type tells them apart
    described = sorted((load(kind) for kind in kinds()), key=lambda d: not d.identity.expect)
    ports = [port] if port else sorted({502, *(d.port for d in described)})
    for candidate in ports:
        probe = Probe(host, candidate)
        try:
            if not await probe.connect():
                continue
            found = await probe_sunspec(probe)
            if found is not None and found.kind == "fronius-gen24":
                return found
            for description in described:
                if port is None and description.port != candidate:
                    continue
                hit = await probe_described(probe, description)
                if hit is not None:
                    return hit
            if found is not None:
                return found
        finally:
            probe.close()
    return None


def site_file(found: Found, host: str) -> str:
    """A site file that drives what was found."""
    api = (
        '\n[[components]]\nid = "ctrlApiRest0"\nfactory = "Controller.Api.Rest.ReadWrite"\n'
        "[components.properties]\napiTimeout = 60\n"
    )
    head = f"# {found.vendor} {found.model}, serial {found.serial}: found by wattkeeper scan\n"
    head += "\n[edge]\nperiod_ms = 1000\n"
    if found.kind in ("fronius-gen24", "sunspec"):
        text = head + (
            f'\n[[components]]\nid = "ess0"\nfactory = "SunSpec.Ess"\n[components.properties]\n'
            f'host = "{host}"\nport = {found.port}\nunitId = {found.units["inverter"]}\n'
            'controlModel = "auto"\nrevertTimeout = 60\nreleaseWhenIdle = true\n'
        )
        if found.kind == "fronius-gen24":
            text += (
                '\n[[components]]\nid = "charger0"\nfactory = "SunSpec.Charger"\n'
                '[components.properties]\n"ess.id" = "ess0"\nmodule = 1\n'
            )
        if found.extra.get("meter200"):
            text += (
                f'\n[[components]]\nid = "meter0"\nfactory = "SunSpec.Meter"\n'
                f'[components.properties]\nhost = "{host}"\nport = {found.port}\n'
                'unitId = 200\ntype = "GRID"\n'
            )
        return text + api
    description = load(found.kind)
    text = head + (
        f'\n[[components]]\nid = "ess0"\nfactory = "Described.Ess"\n[components.properties]\n'
        f'model = "{found.kind}"\nhost = "{host}"\n'
    )
    if found.port != description.port:
        text += f"port = {found.port}\n"
    if description.meter:
        text += (
            '\n[[components]]\nid = "meter0"\nfactory = "Described.Meter"\n'
            '[components.properties]\n"ess.id" = "ess0"\ntype = "GRID"\n'
        )
    if description.charger:
        text += (
            '\n[[components]]\nid = "charger0"\nfactory = "Described.Charger"\n'
            '[components.properties]\n"ess.id" = "ess0"\n'
        )
    return text + api


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "scan",
        help="Find which battery system answers at a host; print a site file for it",
        description=(
            "Probes the SunSpec marker and the model/serial registers of "
            f"{', '.join(kinds())} and fronius-gen24, on the given port or on each vendor's "
            "default port (502, 1502)."
        ),
    )
    parser.add_argument("--host", required=True, help="the device's IP address or host name")
    parser.add_argument(
        "--port", type=int, default=None, help="Modbus/TCP port (default: each vendor's)"
    )
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    if logging.getLogger("pymodbus.logging").level == logging.NOTSET:
        logging.getLogger("pymodbus.logging").setLevel(logging.CRITICAL)
    if args.port is not None and not 1 <= args.port <= 65535:
        print(f"--port {args.port}: a TCP port is 1..65535")
        return 2
    found = asyncio.run(scan(args.host, args.port))
    if found is None:
        ports = str(args.port) if args.port else "502 and 1502"
        print(
            f"No known battery system answered at {args.host} (port {ports}). Looked for SunSpec "
            f"and {', '.join(kinds())}. Check the address, that Modbus/TCP is switched on in the "
            "device's settings, and the port (--port)."
        )
        return 1
    print(
        f"Found {found.vendor} {found.model} (serial {found.serial}) at "
        f"{args.host}:{found.port}: model {found.kind}\n"
    )
    print(site_file(found, args.host), end="")
    return 0
