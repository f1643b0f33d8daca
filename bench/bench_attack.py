"""The cycle and a legitimate client while 8 attackers try to stall or lock the edge.

Run: .venv/bin/python bench/bench_attack.py
In one run, each with and without attack (the baseline): the cycle period's p99 deviation
(target < 10 ms) and a legitimate client's GET p99 latency (target < 20 ms). Attackers (own
processes): 2 x pathological regexes, 2 x 100 MB headers, 2 x idle sockets, 2 x wrong
passwords, run at nice 10 (on a LAN they would bring their own CPUs). All traffic stays on
127.0.0.1. `bench_attack.py KIND ...` runs only the given attackers.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import sys
from pathlib import Path
from tempfile import mkdtemp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.bench_api import ENV, run, site_with_write  # noqa: E402
from bench.common import percentile, record_cycle_starts, report  # noqa: E402
from wattkeeper.edge.app import Edge  # noqa: E402

SECONDS = 15.0
PERIOD_MS = 250
ATTACKERS = ("regex", "regex", "header", "header", "idle", "idle", "password", "password")


async def spawn(kind: str, port: int) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bench" / "attackers.py"),
        kind,
        str(port),
        str(SECONDS),
        env=ENV,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        # attackers sit on other machines; here they share the two cores, so they yield them
        preexec_fn=None if kind == "legit" else lambda: os.nice(10),
    )


async def measure(attack: bool) -> tuple[list[float], float]:
    """(|period - configured| of every cycle, the legitimate client's GET p99 in ms)."""
    edge = Edge(site_with_write(PERIOD_MS), Path(mkdtemp(prefix="wk-bench-")))
    starts = record_cycle_starts(edge)
    await edge.start()
    cycle = asyncio.create_task(edge.cycle.run_forever())
    servers = await edge.start_servers()
    port = servers.bound[0]
    try:
        legit = await spawn("legit", port)
        attackers = [await spawn(kind, port) for kind in KINDS] if attack else []
        out, _ = await legit.communicate()
        for proc in attackers:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
    finally:
        await edge.stop_servers(servers)
        await edge.stop()
        await cycle
    periods = [b - a for a, b in itertools.pairwise(starts)][2:]
    return [abs(p - PERIOD_MS / 1000) for p in periods], float(out.decode().strip() or "nan")


KINDS = tuple(sys.argv[1:]) or ATTACKERS  # e.g. `bench_attack.py regex regex` for one kind


def main() -> None:
    print("wattkeeper under attack (loopback; baseline without attack measured in this run)\n")
    quiet, quiet_get = run(measure(attack=False))
    attacked, attacked_get = run(measure(attack=True))
    report(
        f"cycle period p99 deviation, {len(KINDS)} attackers",
        f"{percentile(attacked, 99) * 1e3:.2f} ms",
        "< 10 ms",
        f"without attack {percentile(quiet, 99) * 1e3:.2f} ms; {PERIOD_MS} ms period, "
        f"{len(attacked)} cycles, max {max(attacked) * 1e3:.1f} ms",
    )
    report(
        f"legitimate GET _sum/EssSoc p99, {len(KINDS)} attackers",
        f"{attacked_get:.2f} ms",
        "< 20 ms",
        f"without attack {quiet_get:.2f} ms",
    )


if __name__ == "__main__":
    main()
