"""Benchmark of the history store: disk per day, record() cost, one-day full-resolution query.

Run on demand: `python bench/bench_history.py` (needs src on sys.path; about a minute).
Every figure comes from this one run; the query is also given as a ratio to a bare SELECT of
the same rows, so the number means something on any machine.
"""

import math
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from wattkeeper.history import HistoryConfig, SqliteHistoryStore
from wattkeeper.history.codec import decode

DAY = 86_400
START = 1_795_478_400  # 2026-11-24T00:00:00Z
POWER = [
    "_sum/EssActivePower", "_sum/EssDischargePower", "_sum/GridActivePower",
    "_sum/ProductionActivePower", "_sum/ProductionAcActivePower", "_sum/ProductionDcActualPower",
    "_sum/ConsumptionActivePower", "ess0/ActivePower", "ess0/ReactivePower",
    "ess0/AllowedChargePower", "ess0/AllowedDischargePower", "meter0/ActivePower",
    "meter0/ActivePowerL1", "meter0/ActivePowerL2", "meter0/ActivePowerL3", "meter0/VoltageL1",
    "meter0/Frequency", "pv0/ActivePower", "_sum/EssSoc", "ess0/Soc",
]  # fmt: skip
COUNTERS = [
    "_sum/GridBuyActiveEnergy", "_sum/GridSellActiveEnergy", "_sum/ProductionActiveEnergy",
    "_sum/ConsumptionActiveEnergy", "_sum/EssActiveChargeEnergy",
    "_sum/EssActiveDischargeEnergy", "ess0/ActiveChargeEnergy", "ess0/ActiveDischargeEnergy",
]  # fmt: skip
STATES = ["_sum/State", "ess0/GridMode"]
CHANNEL_ID = "SELECT id FROM channel WHERE address = ?"
TABLE_BYTES = "SELECT name, sum(pgsize) FROM dbstat GROUP BY name"
CHUNKS = "SELECT bucket, data FROM raw_chunk WHERE channel_id = ? AND bucket >= ? AND bucket < ?"


class DemoHome:
    """A 10 kWh battery, 8 kWp PV and a noisy household, one reading per second (integers)."""

    def __init__(self) -> None:
        self.rng = random.Random(42)
        self.soc = 50.0
        self.wh = dict.fromkeys(COUNTERS, 1_000_000.0)

    def cycle(self, ts: int) -> dict[str, float | int | None]:
        rng, hour = self.rng, (ts % DAY) / 3600
        pv = max(0.0, 8000 * math.sin(math.pi * (hour - 6) / 12)) if 6 < hour < 18 else 0.0
        pv = int(pv * (0.8 + 0.2 * math.sin(ts / 600)) + rng.randint(-15, 15)) if pv else 0
        load = 400 + rng.randint(-40, 40) + (2500 if ts % 3600 < 300 else 0)
        ess = max(-5000, min(5000, load - pv))
        ess = 0 if (ess > 0 and self.soc < 5) or (ess < 0 and self.soc > 99) else ess
        self.soc -= ess / 10_000 / 3600 * 100
        grid = load - pv - ess + rng.randint(-5, 5)
        for name, watts in (
            ("_sum/GridBuyActiveEnergy", max(grid, 0)),
            ("_sum/GridSellActiveEnergy", max(-grid, 0)),
            ("_sum/ProductionActiveEnergy", pv),
            ("_sum/ConsumptionActiveEnergy", load),
            ("_sum/EssActiveChargeEnergy", max(-ess, 0)),
            ("_sum/EssActiveDischargeEnergy", max(ess, 0)),
            ("ess0/ActiveChargeEnergy", max(-ess, 0)),
            ("ess0/ActiveDischargeEnergy", max(ess, 0)),
        ):
            self.wh[name] += watts / 3600
        values: dict[str, float | int | None] = {
            "_sum/EssActivePower": ess, "_sum/EssDischargePower": ess,
            "_sum/GridActivePower": grid, "_sum/ProductionActivePower": pv,
            "_sum/ProductionAcActivePower": pv, "_sum/ProductionDcActualPower": pv,
            "_sum/ConsumptionActivePower": load, "ess0/ActivePower": ess,
            "ess0/ReactivePower": rng.randint(-30, 30), "ess0/AllowedChargePower": -5000,
            "ess0/AllowedDischargePower": 5000, "meter0/ActivePower": grid,
            "meter0/ActivePowerL1": grid // 3 + rng.randint(-50, 50),
            "meter0/ActivePowerL2": grid // 3 + rng.randint(-50, 50),
            "meter0/ActivePowerL3": grid // 3 + rng.randint(-50, 50),
            "meter0/VoltageL1": 230_000 + rng.randint(-800, 800),
            "meter0/Frequency": 50_000 + rng.randint(-20, 20), "pv0/ActivePower": pv,
            "_sum/EssSoc": round(self.soc), "ess0/Soc": round(self.soc),
            "_sum/State": 0, "ess0/GridMode": 1,
        }  # fmt: skip
        values.update({name: int(wh) for name, wh in self.wh.items()})
        return values


def _store(path: Path, batch_s: float) -> SqliteHistoryStore:
    store = SqliteHistoryStore(path, HistoryConfig(batch_s=batch_s, prune_interval_s=None))
    for name in POWER:
        store.declare(name, "power")
    for name in COUNTERS:
        store.declare(name, "counter")
    for name in STATES:
        store.declare(name, "state")
    return store


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-history-"))
    home = DemoHome()
    print("generating one demo day (30 channels, 1 Hz) ...")
    cycles = [home.cycle(START + s) for s in range(DAY)]

    # 1. record() as the cycle calls it, with the default 5 s batches, over one hour.
    hour = _store(folder / "hour.sqlite", batch_s=5)
    costs = []
    for s in range(3600):
        began = time.perf_counter()
        hour.record(START + s, cycles[s])
        costs.append(time.perf_counter() - began)
    hour.close()
    flushing = sorted(costs)[-720:]  # one call in five commits a batch
    plain = sorted(costs)[:2880]
    print("\nrecord(), 30 channels, default 5 s batches, 3600 calls:")
    print(f"  without a commit: median {_ms(statistics.median(plain))}, max {_ms(plain[-1])}")
    print(
        f"  with a commit (every 5th call): median {_ms(statistics.median(flushing))}, "
        f"p99 {_ms(flushing[int(len(flushing) * 0.99)])}, max {_ms(flushing[-1])}"
    )
    print(f"  mean over all calls: {_ms(statistics.fmean(costs))}")

    # 2. A whole day; 60 s batches only to keep the benchmark short (same rows in the end).
    path = folder / "day.sqlite"
    day = _store(path, batch_s=60)
    began = time.perf_counter()
    for s in range(DAY):
        day.record(START + s, cycles[s])
    day.flush()
    print(f"\nrecorded one day in {time.perf_counter() - began:.1f} s (60 s batches)")

    # 3. One day at full resolution for 20 channels, against a bare SELECT of the same rows.
    # Best of three for both: the machine is shared, and the ratio should not measure that.
    wanted = POWER[:12] + COUNTERS
    query_s = select_s = decode_s = five_s = math.inf
    with closing(sqlite3.connect(path)) as db:
        ids = [db.execute(CHANNEL_ID, (a,)).fetchone()[0] for a in wanted]
        for _ in range(3):
            began = time.perf_counter()
            result = day.query_timeseries_data(START, START + DAY, wanted, 1, "Europe/Berlin")
            query_s = min(query_s, time.perf_counter() - began)
            began = time.perf_counter()
            rows = sum(len(db.execute(CHUNKS, (i, START, START + DAY)).fetchall()) for i in ids)
            select_s = min(select_s, time.perf_counter() - began)
            began = time.perf_counter()
            for i in ids:
                for _, blob in db.execute(CHUNKS, (i, START, START + DAY)):
                    decode(blob)
            decode_s = min(decode_s, time.perf_counter() - began)
            began = time.perf_counter()
            five = day.query_timeseries_data(START, START + DAY, wanted, 300, "Europe/Berlin")
            five_s = min(five_s, time.perf_counter() - began)
    assert len(result["timestamps"]) == DAY and len(result["data"]) == 20
    assert len(five["timestamps"]) == 288
    print("\nquery one day, 20 channels:")
    print(f"  full resolution (86 400 points each, best of 3): {_ms(query_s)} (target < 200 ms)")
    print(f"  bare SELECT of the same {rows} chunk rows: {_ms(select_s)}")
    print(f"  ratio query / bare SELECT: {query_s / select_s:.1f}x")
    print(f"  bare SELECT + decoding the blobs: {_ms(decode_s)}; ratio: {query_s / decode_s:.1f}x")
    print(f"  5-minute resolution (from aggregates): {_ms(five_s)}")
    day.close()

    # 4. Disk footprint; close() checkpoints and removes the WAL (at most ~4 MB while open).
    size = os.path.getsize(path) + sum(os.path.getsize(p) for p in folder.glob("day.sqlite-*"))
    with closing(sqlite3.connect(path)) as db:
        raw_bytes = db.execute("SELECT sum(length(data)) FROM raw_chunk").fetchone()[0]
        aggregates = db.execute("SELECT count(*) FROM aggregate_5m").fetchone()[0]
        pages = dict(db.execute(TABLE_BYTES).fetchall())
    print("\ndisk for one demo day (30 channels at 1 Hz):")
    print(f"  file: {size / 1e6:.2f} MB per day (target < 20 MB)")
    print(f"  packed raw blobs: {raw_bytes / 1e6:.2f} MB = {raw_bytes / (30 * DAY):.2f} B/sample")
    print(f"  ratio to 8-byte floats per sample: {size / (30 * DAY * 8):.3f}")
    print(f"  5-minute aggregates: {aggregates} rows, {pages['aggregate_5m'] / 1e6:.2f} MB per day")
    # Once the day leaves the raw window, pruning packs its aggregates a day per row.
    aged = SqliteHistoryStore(path, HistoryConfig(prune_interval_s=None))
    aged.prune(START + DAY + aged.config.raw_retention_s + 300)
    aged.close()
    with closing(sqlite3.connect(path)) as db:
        packed = db.execute("SELECT sum(length(data)) FROM aggregate_day").fetchone()[0]
    print(f"  the same aggregates packed once the day is old: {packed / 1e6:.3f} MB per day")
    raw_day = pages["raw_chunk"] + pages["sqlite_autoindex_raw_chunk_1"]
    steady = 7 * (raw_day + pages["aggregate_5m"]) + 730 * packed
    print(f"  steady state, default retention (7 d raw, 2 y aggregates): ~{steady / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
