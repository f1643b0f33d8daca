"""Benchmark of the FENECON Home path (not a test).

    python bench/bench_fenecon.py [--rounds 200]

Prints, computed or measured in this one run:

* the poll plans from the tables: bytes on the wire in the worst poll of the inverter line
  (GoodWe, 9600 baud) and of the battery line (FENECON Home, 19200 baud, one tower of five
  modules), against what the line carries in one 1 s period, and the time it takes there;
* over loopback Modbus/TCP against the simulator: baseline = round trip of a one-register
  read; a full poll = every block of both devices (all HIGH and all LOW blocks, decoded),
  as a time (target < 20 ms) and as a ratio to the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from wattkeeper.bridges.modbus_rtu import LineClient, TcpSettings
from wattkeeper.protocols import fenecon_home as fh
from wattkeeper.protocols.goodwe import tables as gw
from wattkeeper.protocols.poll_plan import PollPlan
from wattkeeper.simulator.fenecon.server import FeneconHomeSimulator


def plans() -> None:
    inverter = PollPlan(gw.INVERTER_BLOCKS, gw.CYCLE_WRITES, baudrate=9600)
    modules = [fh.module_block(0, m, fh.BATTERY_52) for m in range(1, 6)]
    battery = PollPlan([fh.STATUS, *modules], baudrate=19200)
    for name, plan in (("inverter line, 9600 8N1", inverter), ("battery line, 19200 8N1", battery)):
        s = plan.summary()
        print(
            f"{name}: worst poll {s['bytes_worst']:.0f} bytes in {s['frames_worst']:.0f} frames, "
            f"{s['seconds_worst'] * 1000:.0f} ms of 1000 ms; capacity {s['capacity_bytes']:.0f} "
            f"bytes/s -> {100 * s['bytes_worst'] / s['capacity_bytes']:.0f} % of the line "
            f"(budget 50 %); every LOW block read within {s['low_refresh_s']:.0f} s"
        )


async def loopback(rounds: int) -> None:
    simulator = FeneconHomeSimulator("127.0.0.1", 0, load_w=600.0, pv_w=2000.0)
    await simulator.start()
    client = LineClient(TcpSettings("127.0.0.1", simulator.port), timeout=1.0)
    await client.connect()
    inverter_blocks = list(gw.INVERTER_BLOCKS)
    battery_blocks = [fh.STATUS, *(fh.module_block(0, m, fh.BATTERY_52) for m in range(1, 6))]

    async def one_read() -> None:
        client.unit = gw.UNIT_ID
        await client.read(35182, 1)

    async def full_poll() -> None:
        client.unit = gw.UNIT_ID
        for block in inverter_blocks:
            block.decode(await client.read(block.address, block.count))
        client.unit = fh.UNIT_ID
        for block in battery_blocks:
            block.decode(await client.read(block.address, block.count))

    async def timed(fn, n: int) -> list[float]:
        for _ in range(10):
            await fn()
        samples = []
        for _ in range(n):
            started = time.perf_counter()
            await fn()
            samples.append(time.perf_counter() - started)
        return samples

    inverter_plan = PollPlan(gw.INVERTER_BLOCKS, gw.CYCLE_WRITES)
    battery_plan = PollPlan(battery_blocks, baudrate=19200)
    counter = [0]

    async def planned_poll() -> None:
        index = counter[0] = counter[0] + 1
        client.unit = gw.UNIT_ID
        for block in inverter_plan.for_poll(index):
            block.decode(await client.read(block.address, block.count))
        client.unit = fh.UNIT_ID
        for block in battery_plan.for_poll(index):
            block.decode(await client.read(block.address, block.count))

    try:
        base = statistics.median(await timed(one_read, rounds))
        planned = statistics.median(await timed(planned_poll, rounds))
        full = await timed(full_poll, rounds)
        p50, worst = statistics.median(full), max(full)
        requests = len(inverter_blocks) + len(battery_blocks)
        print(f"baseline: one-register read round trip {base * 1000:.2f} ms")
        print(
            f"full poll ({requests} requests, both devices, decoded): p50 {p50 * 1000:.2f} ms, "
            f"max {worst * 1000:.2f} ms (target < 20 ms) = {p50 / base:.1f} x baseline"
        )
        print(
            f"one poll as the plan runs it (HIGH + one LOW per device): p50 "
            f"{planned * 1000:.2f} ms = {planned / base:.1f} x baseline"
        )
    finally:
        client.close()
        await simulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    plans()
    asyncio.run(loopback(args.rounds))


if __name__ == "__main__":
    main()
