"""`wattkeeper simulate-device`: a simulated device (SunSpec or FENECON Home) until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from wattkeeper.core.errors import ConfigError
from wattkeeper.protocols.described.model import kinds
from wattkeeper.simulator.described_device import VendorFault
from wattkeeper.simulator.devices import INVERTER_UNIT, METER_UNIT, Fault, Layout
from wattkeeper.simulator.fenecon.physics import HomeFault

# The servers (pymodbus's server package, which loads aiohttp) are imported when a simulator
# starts, not when `wattkeeper run` builds its command line: the edge never needs them.


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `simulate-device` command to an argparse subparsers object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "simulate-device",
        help="Run a simulated SunSpec storage inverter and grid meter over Modbus/TCP",
        description=(
            f"One Modbus/TCP port: unit {INVERTER_UNIT} is a SunSpec storage inverter "
            "(layout inverter: models 1, 103, 124; gen24: 1, 113, 120-124, 160 like a "
            "Fronius GEN24; der: 1, 701-704, 713, 714, 124; der-no-124: the same without "
            f"124), unit {METER_UNIT} a grid meter (models 1, 203), both at base 40000. "
            "Every model follows the official SunSpec definitions."
        ),
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    parser.add_argument("--port", type=int, default=5502, help="TCP port (default: %(default)s)")
    extra: list[HomeFault | VendorFault] = [
        f for f in HomeFault if f.value not in {g.value for g in Fault}
    ]
    extra += [f for f in VendorFault if f.value not in {g.value for g in [*Fault, *extra]}]
    parser.add_argument(
        "--fault",
        type=_fault,
        choices=[*Fault, *extra],
        action="append",
        default=[],
        metavar="{" + ",".join(f.value for f in [*Fault, *extra]) + "}",
        help="start with this fault (repeatable; bms-alarm and battery-silent: fenecon-home)",
    )
    parser.add_argument(
        "--model",
        choices=["sunspec", "fenecon-home", "fronius-gen24", *kinds()],
        default="sunspec",
        help="sunspec (default); fenecon-home: GoodWe inverter unit 247 + FENECON Home "
        "battery unit 1; fronius-gen24: SunSpec gen24 layout + meter at unit 200; a "
        "described vendor device (faults: disconnect, exception, refuse-control)",
    )
    parser.add_argument(
        "--serial",
        metavar="PATH",
        help="fenecon-home: serve Modbus RTU on this tty instead of TCP ('pty': create a "
        "pseudo-terminal pair and print the path to give the edge)",
    )
    parser.add_argument(
        "--slow-delay", type=float, default=2.0, help="delay of the 'slow' fault in s"
    )
    parser.add_argument(
        "--fault-period",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="switch the faults on and off every SECONDS (default: always on)",
    )
    parser.add_argument(
        "--layout",
        type=Layout,
        choices=list(Layout),
        default=None,
        metavar="{" + ",".join(layout.value for layout in Layout) + "}",
        help="models the storage inverter serves (default: inverter)",
    )
    parser.add_argument(
        "--der",
        action="store_true",
        help="the same as --layout der (DER models 701-704, 713, 714 and 124)",
    )
    parser.add_argument("--load", type=float, default=None, help="fixed household load in W")
    parser.add_argument("--pv", type=float, default=None, help="fixed PV production in W")
    parser.set_defaults(handler=run)
    return parser


def _fault(name: str) -> Fault | HomeFault | VendorFault:
    """A fault by name: the SunSpec simulator's, else one only the FENECON Home or a described
    vendor device has."""
    for kind in (Fault, HomeFault, VendorFault):
        try:
            return kind(name)
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"unknown fault {name!r}")


def _run_vendor(args: argparse.Namespace) -> int:
    from wattkeeper.simulator.described_server import serve_vendor

    faults: list[VendorFault] = []
    for fault in args.fault:
        try:
            faults.append(VendorFault(fault.value))
        except ValueError:
            logging.getLogger(__name__).error("%s has no fault %s", args.model, fault.value)
            return 2
    try:
        asyncio.run(
            serve_vendor(
                args.model,
                args.host,
                args.port,
                faults,
                load_w=600.0 if args.load is None else args.load,
                pv_w=0.0 if args.pv is None else args.pv,
                fault_period=args.fault_period,
            )
        )
    except KeyboardInterrupt:
        return 0
    except (OSError, ConfigError) as error:
        logging.getLogger(__name__).error("cannot serve on %s:%d: %s", args.host, args.port, error)
        return 1
    return 0


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    # pymodbus repeats what our own errors say (a failed bind, a dropped client) with a dump
    if logging.getLogger("pymodbus.logging").level == logging.NOTSET:
        logging.getLogger("pymodbus.logging").setLevel(logging.CRITICAL)
    if args.model == "fenecon-home":
        from wattkeeper.simulator.fenecon.cli import run_fenecon

        return run_fenecon(args)
    if args.model in kinds():
        return _run_vendor(args)
    if args.model == "fronius-gen24":
        return _run_fronius(args)
    if args.serial or any(not isinstance(f, Fault) for f in args.fault):
        logging.getLogger(__name__).error(
            "--serial, bms-alarm, battery-silent: fenecon-home only; exception, refuse-control: "
            "the described vendor models only"
        )
        return 2
    from wattkeeper.simulator.server import serve

    try:
        asyncio.run(
            serve(
                args.host,
                args.port,
                args.fault,
                slow_delay=args.slow_delay,
                load_w=args.load,
                pv_w=args.pv,
                fault_period=args.fault_period,
                der=args.der,
                layout=args.layout,
            )
        )
    except KeyboardInterrupt:
        return 0
    except OSError as error:
        logging.getLogger(__name__).error("cannot serve on %s:%d: %s", args.host, args.port, error)
        return 1
    return 0


def _run_fronius(args: argparse.Namespace) -> int:
    from wattkeeper.simulator.fronius import serve_fronius

    faults = [f for f in args.fault if isinstance(f, Fault)]
    try:
        asyncio.run(serve_fronius(args.host, args.port, faults, args.load, args.pv))
    except KeyboardInterrupt:
        return 0
    except (OSError, ConfigError) as error:
        logging.getLogger(__name__).error("cannot serve on %s:%d: %s", args.host, args.port, error)
        return 1
    return 0
