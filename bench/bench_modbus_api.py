"""Benchmark of the edge's Modbus/TCP API over loopback (not a test).

    python bench/bench_modbus_api.py [--rounds 500] [--interval-ms 10]

Prints, measured in this one run with the same pymodbus client:

* baseline: a bare pymodbus `ModbusTcpServer` holding the same 100 registers in a
  `ModbusSequentialDataBlock` (the library's own server, nothing of wattkeeper);
* the edge's Modbus/TCP API (`_sum, ess0` in OpenEMS's layout, values encoded from the process
  image on every request): a read of 100 registers from 301 (the `_sum` block), p50 and p99
  (target p99 < 5 ms) and the ratio to the baseline.

Requests are paced (one every `--interval-ms`, as a polling client sends them): the API allows
a connection 100 requests per second (bursts of 50) and makes a faster client wait, so an
unpaced loop would measure that limit, not the latency.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.datastore import (
    ModbusDeviceContext,
    ModbusSequentialDataBlock,
    ModbusServerContext,
)
from pymodbus.server import ModbusTcpServer

from wattkeeper.config.site import ComponentEntry, demo_site
from wattkeeper.edge.app import Edge
from wattkeeper.testing.fake_clock import FakeClock

START, COUNT = 301, 100  # the `_sum` block from its length on: ends on a record boundary
TARGET_P99 = 0.005


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100.0 * (len(ordered) - 1))))]


async def latencies(port: int, rounds: int, interval: float) -> list[float]:
    client = AsyncModbusTcpClient("127.0.0.1", port=port, timeout=2, retries=0)
    assert await client.connect()
    try:
        for _ in range(50):  # warm-up
            await client.read_holding_registers(START, count=COUNT, device_id=1)
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            reply = await client.read_holding_registers(START, count=COUNT, device_id=1)
            samples.append(time.perf_counter() - started)
            assert not reply.isError() and len(reply.registers) == COUNT
            await asyncio.sleep(interval)
        return samples
    finally:
        client.close()


async def bare_pymodbus(words: list[int]) -> tuple[int, Callable[[], Awaitable[None]]]:
    block = ModbusSequentialDataBlock(START + 1, words)  # the device context adds 1
    context = ModbusServerContext(devices=ModbusDeviceContext(hr=block), single=True)
    server = ModbusTcpServer(context, address=("127.0.0.1", 0))
    await server.serve_forever(background=True)
    transport = server.transport
    assert transport is not None
    port = int(transport.sockets[0].getsockname()[1])  # type: ignore[attr-defined]
    return port, server.shutdown


def report(name: str, samples: list[float], baseline: list[float] | None = None) -> None:
    p50, p99 = percentile(samples, 50), percentile(samples, 99)
    line = f"{name:<40} p50 {p50 * 1000:6.3f} ms   p99 {p99 * 1000:6.3f} ms"
    if baseline is not None:
        ratio = p99 / percentile(baseline, 99)
        verdict = "ok" if p99 < TARGET_P99 else "MISSED"
        line += f"   p99 x{ratio:.2f} of baseline   target < 5 ms: {verdict}"
    print(line, f"(mean {statistics.fmean(samples) * 1000:.3f} ms, n={len(samples)})")


async def main(rounds: int, interval: float) -> None:
    site = demo_site()
    site.components.append(
        ComponentEntry(
            id="ctrlApiModbusTcp0",
            factory="Controller.Api.ModbusTcp.ReadWrite",
            properties={"port": 0, "component.ids": ["_sum", "ess0"]},
        )
    )
    with tempfile.TemporaryDirectory() as data_dir:
        clock = FakeClock()
        edge = Edge(site, Path(data_dir), clock)
        for _ in range(3):
            clock.advance(1.0)
            edge.cycle.run_once()
        await edge.modbus.start()
        server = edge.modbus.servers["ctrlApiModbusTcp0"]
        words = server.state.image.read(START, COUNT)
        bare_port, bare_stop = await bare_pymodbus(words)
        try:
            print(
                f"Modbus/TCP read of {COUNT} registers from {START}, loopback, {rounds} rounds, "
                f"one every {interval * 1000:g} ms"
            )
            baseline = await latencies(bare_port, rounds, interval)
            ours = await latencies(server.port, rounds, interval)
            report("baseline: bare pymodbus ModbusTcpServer", baseline)
            report("wattkeeper Modbus/TCP API (_sum, ess0)", ours, baseline)
        finally:
            await bare_stop()
            await edge.modbus.stop()
            edge.api.audit.close()
            edge.history.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--interval-ms", type=float, default=10.0)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.interval_ms / 1000))
