"""Benchmark of the Modbus/TCP path over loopback against the device simulator (not a test).

    python bench/bench_modbus.py [--rounds 300] [--layout inverter|gen24|der|der-no-124|all]

Prints, measured in this one run, per simulator layout (default: all four):

* baseline: round trip of a single-register read;
* one full poll of the SunSpec storage device (every model the driver reads, decoded with
  the tables built from the official definitions), as a time (target < 20 ms) and as a
  ratio to the baseline;
* latency from `apply_power` (what the cycle calls) to the device register being written
  (124 StorCtl_Mod, or 704 WSet on the DER layouts), p50 and p99 (target p99 < 30 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from wattkeeper.bridges.modbus_tcp import ModbusClient
from wattkeeper.config.registry import BuildContext
from wattkeeper.core.clock import SystemClock
from wattkeeper.core.manager import ComponentManager
from wattkeeper.drivers.sunspec.ess import FACTORY as ESS_FACTORY
from wattkeeper.drivers.sunspec.ess import SunSpecEss
from wattkeeper.simulator.devices import Layout
from wattkeeper.simulator.server import DeviceSimulator


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q / 100.0 * (len(ordered) - 1))))
    return ordered[index]


async def setpoint_latencies(
    simulator: DeviceSimulator, ess: SunSpecEss, ctx: BuildContext, rounds: int
) -> list[float]:
    """Seconds from `apply_power` until the simulator applied the last write of a setpoint
    (124 StorCtl_Mod, or 704 WSet)."""
    written: list[float] = []
    model_id, last = (704, "WSet") if ess.der else (124, "StorCtl_Mod")
    target = next(s.state for s in simulator.inverter_image.slots if s.model_id == model_id)
    original = target.write  # type: ignore[attr-defined]

    def spy(name: str, value: object) -> None:
        original(name, value)
        if name == last:
            written.append(time.perf_counter())

    target.write = spy  # type: ignore[attr-defined]
    latencies: list[float] = []
    try:
        for i in range(rounds):
            ess.before_process_image(ctx.clock.monotonic())
            count = len(written)
            started = time.perf_counter()
            ess.apply_power(1000 if i % 2 else -1000, 0)
            while len(written) == count:
                await asyncio.sleep(0)
            latencies.append(written[-1] - started)
            await asyncio.sleep(0.003)  # cycles are apart; let the poll task run
    finally:
        target.write = original  # type: ignore[attr-defined]
    return latencies


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


async def measure(rounds: int, layout: Layout) -> None:
    simulator = DeviceSimulator("127.0.0.1", 0, layout=layout)
    await simulator.start()
    try:
        # baseline: one register, one round trip
        client = ModbusClient("127.0.0.1", simulator.port, 1, timeout=1.0)
        await client.connect()
        baseline: list[float] = []
        for _ in range(rounds):
            started = time.perf_counter()
            await client.read(40000, 1)
            baseline.append(time.perf_counter() - started)
        client.close()

        # the ESS driver as the edge runs it (poll every second, as in production)
        ctx = BuildContext(SystemClock(), ComponentManager(), Path(tempfile.gettempdir()))
        config = ESS_FACTORY.model.model_validate(
            {"host": "127.0.0.1", "port": simulator.port, "unitId": 1}
        )
        ess = ESS_FACTORY.build("ess0", "", config, ctx)
        assert isinstance(ess, SunSpecEss)
        await ess.start()
        await ess.link.bridge.next_poll()
        ess.before_process_image(ctx.clock.monotonic())

        # one full poll through the same connection (reads + decoding of both models)
        io = ess.link.bridge._io
        polls: list[float] = []
        for _ in range(rounds):
            started = time.perf_counter()
            await ess.link.session.poll(io)
            polls.append(time.perf_counter() - started)

        latencies = await setpoint_latencies(simulator, ess, ctx, rounds)
        await ess.stop()

        # the same while the device is polled continuously (a write waits for a read in flight)
        busy_config = ESS_FACTORY.model.model_validate(
            {"host": "127.0.0.1", "port": simulator.port, "unitId": 1, "pollPeriodMs": 10}
        )
        busy = ESS_FACTORY.build("ess1", "", busy_config, ctx)
        assert isinstance(busy, SunSpecEss)
        await busy.start()
        await busy.link.bridge.next_poll()
        busy_latencies = await setpoint_latencies(simulator, busy, ctx, rounds)
        await busy.stop()

        base = statistics.median(baseline)
        poll = statistics.median(polls)
        plan = ess.link.session.plan
        models = "+".join(str(b.model_id) for b in ess.link.session.blocks.values())
        print(f"== layout {layout.value} (models read: {models}), rounds: {rounds}")
        print(f"baseline single-register read: p50 {ms(base)}, p99 {ms(percentile(baseline, 99))}")
        print(
            f"full poll of the SunSpec storage device ({len(plan)} request(s), "
            f"{sum(r.count for r in plan)} registers, "
            f"{len(ess.link.session.blocks)} models decoded): "
            f"p50 {ms(poll)}, p99 {ms(percentile(polls, 99))}, "
            f"{poll / base:.2f}x baseline (target < 20 ms)"
        )
        print(
            f"apply_power -> device register written: p50 {ms(percentile(latencies, 50))}, "
            f"p99 {ms(percentile(latencies, 99))}, max {ms(max(latencies))} "
            "(target p99 < 30 ms)"
        )
        print(
            "  same, device polled every 10 ms: "
            f"p50 {ms(percentile(busy_latencies, 50))}, p99 {ms(percentile(busy_latencies, 99))}, "
            f"max {ms(max(busy_latencies))}"
        )
    finally:
        await simulator.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--layout", default="all", choices=["all", *(x.value for x in Layout)])
    args = parser.parse_args()
    layouts = list(Layout) if args.layout == "all" else [Layout(args.layout)]
    for layout in layouts:
        asyncio.run(measure(args.rounds, layout))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
