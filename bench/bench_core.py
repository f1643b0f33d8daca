"""Core benchmarks: demo-home cycle, a 100-battery solve, a 10,000-channel cycle, memory.

Run: .venv/bin/python bench/bench_core.py
Every figure is measured in this run, next to a baseline measured in the same run.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path
from tempfile import mkdtemp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import edge_on_fake_clock, median, percentile, report, timeit
from wattkeeper.config.site import SiteConfig, parse_site
from wattkeeper.core.channel import ChannelDoc, ChannelType, Unit
from wattkeeper.core.component import Component
from wattkeeper.power.model import Constraint, EssLimits, Pwr, Relation
from wattkeeper.power.solver import solve


def cycle_seconds(
    site: SiteConfig | None, repeat: int, extra: list[Component] | None = None
) -> list[float]:
    edge, clock = edge_on_fake_clock(site)
    for component in extra or []:
        edge.manager.add(component)

    def one() -> None:
        clock.advance(1.0)
        edge.cycle.run_once()

    return timeit(one, repeat)


class Device(Component):
    """A device with 50 numeric channels (plus State) that change every cycle."""

    def __init__(self, cid: str) -> None:
        super().__init__(cid)
        self.declare_all(ChannelDoc(f"Value{i}", ChannelType.INTEGER, Unit.WATT) for i in range(50))
        self._n = 0

    def before_process_image(self, now: float) -> None:
        self._n += 1
        for channel in self.channels.values():
            channel.next = self._n


def battery_problem(
    n: int, per: int
) -> tuple[list[EssLimits], dict[str, list[str]], list[Constraint]]:
    rng = random.Random(7)
    limits = [
        EssLimits(f"ess{i + 1}", -5000, 5000, 5000, soc=rng.uniform(5, 95), capacity=10_000)
        for i in range(n)
    ]
    relations = list(Relation)
    constraints = [
        Constraint(lim.ess_id, Pwr.ACTIVE, rng.choice(relations), rng.uniform(-6000, 6000), "bench")
        for lim in limits
        for _ in range(per - 1)
    ]
    constraints += [Constraint("ess0", Pwr.ACTIVE, Relation.EQUALS, 120_000, "bench")] * n
    return limits, {"ess0": [lim.ess_id for lim in limits]}, constraints


def rss_of_run() -> tuple[float, float, float, float]:
    """Resident memory (MB) of `wattkeeper run` once it serves, and of a bare Python process;
    seconds from spawning `wattkeeper run` to its first cycle, and to a bare `python -c pass`."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    data_dir = mkdtemp(prefix="wk-bench-run-")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    bare_start = time.perf_counter() - started
    started = time.perf_counter()
    run = subprocess.Popen(
        [sys.executable, "-m", "wattkeeper", "run", "--data-dir", data_dir, "--port", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    bare = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        deadline = time.monotonic() + 30
        assert run.stderr is not None
        while time.monotonic() < deadline:
            line = run.stderr.readline()
            if "wattkeeper.edge.status" in line:  # the status line is printed by the first cycle
                break
        to_first_cycle = time.perf_counter() - started
        time.sleep(3)  # a few cycles, history and servers warmed up
        return _rss_mb(run.pid), _rss_mb(bare.pid), to_first_cycle, bare_start
    finally:
        run.terminate()
        bare.terminate()
        run.wait(10)
        bare.wait(10)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    print("wattkeeper core benchmarks (median of many runs; baselines measured in this run)\n")
    empty = cycle_seconds(parse_site(""), 2000)
    demo = cycle_seconds(None, 2000)
    report(
        "demo-home cycle compute",
        f"{median(demo) * 1e3:.3f} ms",
        "< 2 ms",
        f"empty site {median(empty) * 1e3:.3f} ms, ratio {median(demo) / median(empty):.1f}x; "
        f"p99 {percentile(demo, 99) * 1e3:.3f} ms",
    )

    small = battery_problem(1, 10)
    one = timeit(lambda: solve(*small), 2000)
    problem = battery_problem(100, 10)
    hundred = timeit(lambda: solve(*problem), 300, warmup=5)
    report(
        "solve: cluster of 100 batteries x 10 constraints",
        f"{median(hundred) * 1e3:.3f} ms",
        "< 5 ms",
        f"1 battery x 10: {median(one) * 1e3:.3f} ms, ratio {median(hundred) / median(one):.0f}x",
    )

    devices = [Device(f"dev{i}") for i in range(198)]
    big = cycle_seconds(parse_site(""), 200, devices)
    edge, _ = edge_on_fake_clock(parse_site(""))
    channels = 198 * 51 + len(edge.manager.all_channels())
    report(
        f"cycle: 200 components / {channels} channels",
        f"{median(big) * 1e3:.3f} ms",
        "< 20 ms",
        f"empty site {median(empty) * 1e3:.3f} ms; p99 {percentile(big, 99) * 1e3:.3f} ms",
    )

    rss, bare, start, bare_start = rss_of_run()
    report(
        "start of `wattkeeper run` to its first cycle",
        f"{start:.2f} s",
        "< 2 s",
        f"bare python start {bare_start:.2f} s",
    )
    report(
        "resident memory of `wattkeeper run` (demo home)",
        f"{rss:.1f} MB",
        "< 100 MB",
        f"bare python {bare:.1f} MB",
    )


if __name__ == "__main__":
    main()
