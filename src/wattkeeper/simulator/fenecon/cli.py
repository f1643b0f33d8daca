"""`wattkeeper simulate-device --model fenecon-home [--serial PATH|pty]`."""

from __future__ import annotations

import argparse
import asyncio
import logging

from wattkeeper.simulator.fenecon.nullmodem import NullModem
from wattkeeper.simulator.fenecon.physics import HomeFault
from wattkeeper.simulator.fenecon.server import serve

log = logging.getLogger(__name__)


def run_fenecon(args: argparse.Namespace) -> int:
    known = {f.value for f in HomeFault}
    unknown = [f.value for f in args.fault if f.value not in known]
    if unknown:
        log.error("fault(s) %s do not apply to fenecon-home", ", ".join(unknown))
        return 2
    faults = [HomeFault(f.value) for f in args.fault]

    async def main() -> None:
        modem = None
        serial = args.serial
        if serial == "pty":
            modem = NullModem().open()
            serial = modem.device_path
            print(f"serial line for the edge: {modem.edge_path}", flush=True)
        try:
            await serve(
                args.host,
                args.port,
                faults,
                serial=serial,
                slow_delay=args.slow_delay,
                load_w=args.load,
                pv_w=args.pv,
                fault_period=args.fault_period,
            )
        finally:
            if modem is not None:
                modem.close()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        return 0
    except OSError as error:
        log.error("cannot serve: %s", error)
        return 1
    return 0
