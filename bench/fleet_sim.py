"""A process of simulated edges for bench_fleet.py: the real uplink, on an event loop of its own.

`python bench/fleet_sim.py FIRST STOP VALUES FOLDER SECRET URI...` makes edges `edge{FIRST}` to
`edge{STOP-1}` (their apikeys: `SECRET-{index}`), edge i on URI[i % len(URI)], connects them and
then obeys one command per line on stdin, answering one line on stdout:
`run START SECONDS` (cycle every edge once a second from the epoch START) → `ran CYCLES`;
`drain PATH` (until the backend confirmed everything; figures as JSON into PATH) → `drained`;
`stop` → `stopped`. Anything else on stdout is an error.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from wattkeeper.uplink.simulated import SimulatedEdge

SLOTS = 20  # edges are not in step: each twentieth of a second, a twentieth of them cycles


def make_edges(
    first: int, stop: int, uris: list[str], secret: str, values: int, folder: Path
) -> list[SimulatedEdge]:
    return [
        SimulatedEdge(
            f"edge{i}", [uris[i % len(uris)]], f"{secret}-{i}", folder, time.time, values, seed=i
        )
        for i in range(first, stop)
    ]


async def connect(edges: list[SimulatedEdge]) -> None:
    for edge in edges:
        edge.link.start()
    while sum(e.link.connected_to is not None for e in edges) < len(edges):
        await asyncio.sleep(0.1)


async def run_cycles(edges: list[SimulatedEdge], start: float, seconds: float) -> int:
    """Cycle each edge once a second from the epoch `start` on; returns the cycles run."""
    begin = time.monotonic() + (start - time.time())  # the epoch, on this process's clock
    await asyncio.sleep(max(0.0, begin - time.monotonic()))
    cycles = 0
    for tick in range(round(seconds * SLOTS)):
        for edge in edges[tick % SLOTS :: SLOTS]:
            edge.cycle()
            cycles += 1
        await asyncio.sleep(max(0.0, begin + (tick + 1) / SLOTS - time.monotonic()))
    return cycles


async def drain(edges: list[SimulatedEdge]) -> None:
    while any(e.link.pending() for e in edges):
        await asyncio.sleep(0.1)


def figures(edges: list[SimulatedEdge]) -> dict[str, object]:
    return {
        "made": sum(e.link.sampler.made for e in edges),  # changed values actually sent
        "latencies": [x for e in edges for x in e.link.ack_latencies],
    }


async def main(argv: list[str]) -> None:
    first, stop, values = int(argv[0]), int(argv[1]), int(argv[2])
    folder, secret, uris = Path(argv[3]), argv[4], argv[5:]
    edges = make_edges(first, stop, uris, secret, values, folder)
    await connect(edges)
    print("connected", flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().split():
        if line[0] == "run":
            print(f"ran {await run_cycles(edges, float(line[1]), float(line[2]))}", flush=True)
        elif line[0] == "drain":
            await drain(edges)
            Path(line[1]).write_text(json.dumps(figures(edges)))
            print("drained", flush=True)
        elif line[0] == "stop":
            break
    for edge in edges:
        await edge.link.stop()
    print("stopped", flush=True)


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main(sys.argv[1:]))
