"""Time-of-use optimiser: solve time p50/p99 for 96 and 192 quarter hours with battery and EV,
against a plain MILP of the same model (every switch integral) solved by HiGHS in the same run.

Run: .venv/bin/python -m bench.bench_tou [--repeat N] [--emhass-python /path/to/venv/bin/python]
(EMHASS is timed on the same instances when a separate venv with `pip install emhass` is given;
it is never a dependency of this project.)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from pathlib import Path

import highspy
import numpy as np

from bench.common import percentile, report
from bench.tou_instances import household
from wattkeeper.optimiser import Problem, solve
from wattkeeper.optimiser.model import build


def plain_milp(problem: Problem) -> float:
    """The textbook formulation: a binary per slot for battery and grid (and the EV when it
    cannot time-share a slot), all handed to HiGHS's MIP at once."""
    bat = problem.battery
    model = build(problem, bat.soc * bat.capacity_kwh)
    kinds = np.zeros(len(model.col_cost), dtype=np.int32)
    kinds[model.battery_mode] = kinds[model.grid_mode] = 1
    if model.ev_on is not None and problem.ev is not None and not problem.ev.time_share:
        kinds[model.ev_on] = 1
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.passModel(
        len(model.col_cost), len(model.row_lower), len(model.a_index), 2, 1, 0.0,
        model.col_cost, model.col_lower, model.col_upper, model.row_lower, model.row_upper,
        model.a_start, model.a_index, model.a_value, kinds,
    )  # fmt: skip
    highs.run()
    return float(highs.getInfo().objective_function_value)


def times_ms(fn: object, problems: list[Problem]) -> list[float]:
    samples = []
    for problem in problems:
        started = time.perf_counter()
        fn(problem)  # type: ignore[operator]
        samples.append((time.perf_counter() - started) * 1000.0)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=100, help="instances per size")
    parser.add_argument("--emhass-python", help="python of a separate venv with emhass")
    args = parser.parse_args()
    emhass = emhass_times(args.emhass_python, max(3, args.repeat // 10))
    solve(household(96, 0))  # load HiGHS once
    for slots, target in ((96, 20.0), (192, 80.0)):
        problems = [household(slots, seed) for seed in range(args.repeat)]
        ours = times_ms(solve, problems)
        plain = times_ms(plain_milp, problems[: max(10, args.repeat // 5)])
        # the same optimum: ours is exact up to the branch gap
        gaps = [
            abs(solve(p).objective_value - plain_milp(p)) / max(1.0, abs(plain_milp(p)))
            for p in problems[:5]
        ]
        base = f"plain MILP p50 {percentile(plain, 50):.1f} p99 {percentile(plain, 99):.1f} ms"
        goal = f"< {target:.0f} ms"
        gap = f"max objective gap to plain MILP {max(gaps):.1e}"
        name = f"tou solve {slots} slots, battery+EV"
        report(f"{name} p50", f"{percentile(ours, 50):.1f} ms", goal, base)
        report(f"{name} p99", f"{percentile(ours, 99):.1f} ms", goal, gap)
        if slots in emhass:
            theirs = emhass[slots]
            beside = f"p99 {theirs['p99']:.1f} ms; ours p50 {percentile(ours, 50):.1f} ms"
            name = f"EMHASS {slots} slots, battery+deferrable load p50"
            report(name, f"{theirs['p50']:.1f} ms", "", beside)


def emhass_times(python: str | None, repeat: int) -> dict[int, dict[str, float]]:
    if not python:
        return {}
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": f"{root}:{root / 'src'}"}
    done = subprocess.run(
        [python, "-m", "bench.emhass_side", str(repeat)],
        cwd=root, env=env, capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        print(f"EMHASS not timed: {done.stderr.strip().splitlines()[-1:]}")
        return {}
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {int(r["slots"]): r for r in rows}


if __name__ == "__main__":
    main()
