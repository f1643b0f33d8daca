"""Benchmark: one full poll of each described vendor device at 5 ms per Modbus round trip
(simulated latency in the simulator), against the 1 s cycle (not a test).

    python bench/bench_vendors.py [--rounds 50] [--latency 0.005]

Prints, measured in this one run, per vendor: requests per poll (from the description's read
plan), the poll's time p50/p99, its share of the 1 s cycle, and the ratio to the baseline — a
single-register round trip against the same simulator at the same latency. Fronius GEN24 is
plain SunSpec: `python bench/bench_modbus.py --layout gen24`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from wattkeeper.bridges.modbus_tcp import ModbusClient
from wattkeeper.drivers.described.session import UnitSession
from wattkeeper.protocols.described.codec import all_requests
from wattkeeper.protocols.described.model import kinds
from wattkeeper.simulator.described_server import VendorSimulator


class ClientIO:
    """The RegisterIO of a session over one plain client (no bridge task)."""

    def __init__(self, client: ModbusClient) -> None:
        self.client = client

    async def read(self, address: int, count: int) -> list[int]:
        return await self.client.read(address, count)

    async def read_input(self, address: int, count: int) -> list[int]:
        return await self.client.read(address, count, input_registers=True)

    async def write(self, address: int, values: Sequence[int]) -> None:
        await self.client.write(address, values)


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def bench(kind: str, rounds: int, latency: float) -> None:
    simulator = VendorSimulator(kind, "127.0.0.1", 0, latency=latency)
    await simulator.start()
    description = simulator.description
    clients = {
        role: ModbusClient("127.0.0.1", simulator.port, unit, 2.0)
        for role, unit in description.units.items()
    }
    try:
        for client in clients.values():
            await client.connect()
        sessions = {role: UnitSession(simulator.device.codec, role) for role in clients}
        for role, session in sessions.items():
            await session.on_connect(ClientIO(clients[role]))
        first = next(iter(clients.values()))
        first_request = all_requests(simulator.device.codec.poll_plan)[0]
        baseline = []
        for _ in range(rounds):
            started = time.perf_counter()
            await first.read(
                first_request.address, 1, input_registers=first_request.input_registers
            )
            baseline.append(time.perf_counter() - started)
        polls = []
        for _ in range(rounds):
            started = time.perf_counter()
            for role, session in sessions.items():
                await session.poll(ClientIO(clients[role]))
            polls.append(time.perf_counter() - started)
        requests = len(all_requests(simulator.device.codec.poll_plan))
        base = statistics.median(baseline)
        p50, p99 = statistics.median(polls), pct(polls, 99)
        print(
            f"{kind:18} {requests:2d} requests/poll  poll p50 {p50 * 1000:6.1f} ms  "
            f"p99 {p99 * 1000:6.1f} ms  = {p99 * 100:4.1f} % of the 1 s cycle  "
            f"baseline (1 register) {base * 1000:5.1f} ms  poll/baseline {p50 / base:4.1f}x"
        )
    finally:
        for client in clients.values():
            client.close()
        await simulator.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.005, help="s per round trip")
    args = parser.parse_args()
    print(f"full poll per vendor, {args.latency * 1000:.0f} ms simulated latency per request")
    for kind in kinds():
        await bench(kind, args.rounds, args.latency)


if __name__ == "__main__":
    asyncio.run(main())
