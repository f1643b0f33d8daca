"""REST API benchmarks.

Run: .venv/bin/python bench/bench_api.py
* requests/s of an authenticated single-channel GET and of GET .*/.* on the demo home, as a
  ratio to a bare ASGI app that returns the same JSON on the same uvicorn stack (target >= 0.5);
* latency from an accepted POST to the simulated battery's applied setpoint, p50/p99 (1 s cycle);
* the cycle period's p99 deviation while 8 clients hammer the API, against the same without load.
The load generator runs as a separate process; all servers bind 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.common import (  # noqa: E402
    client_command,
    median,
    percentile,
    record_cycle_starts,
    report,
    start_cycle,
)
from wattkeeper.config.site import ComponentEntry, demo_site  # noqa: E402
from wattkeeper.drivers.simulated.battery import SimulatedBattery  # noqa: E402
from wattkeeper.edge.app import Edge  # noqa: E402
from wattkeeper.edge.cycle_thread import NETWORK_NICE  # noqa: E402
from wattkeeper.edge.runner import new_event_loop, settle_heap  # noqa: E402

SECONDS = 5.0
STARTUP = 0.5  # seconds for the load-generating processes to start and connect
GUEST = base64.b64encode(b"x:user").decode()
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def site_with_write(period_ms: int = 1000):  # type: ignore[no-untyped-def]
    site = demo_site()
    site.edge.host = "127.0.0.1"
    site.edge.period_ms = period_ms
    port = free_port()
    site.edge.ports = [port]
    site.components.append(
        ComponentEntry(
            id="ctrlApiRest0", factory="Controller.Api.Rest.ReadWrite", properties={"port": port}
        )
    )
    return site


def wait_port(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def loadgen_args(port: int, path: str, seconds: float, connections: int, auth: bool) -> list[str]:
    args = [sys.executable, str(ROOT / "bench" / "loadgen.py"), "127.0.0.1", str(port), path]
    return [*args, str(seconds), str(connections), *([GUEST] if auth else [])]


def load(
    port: int, path: str, connections: int = 8, seconds: float = SECONDS, auth: bool = True
) -> float:
    args = loadgen_args(port, path, seconds, connections, auth)
    return float(subprocess.run(args, capture_output=True, text=True, check=True, env=ENV).stdout)


def same_priority_as_the_edge() -> None:
    """`wattkeeper run` raises its network thread to NETWORK_NICE where allowed: the bare app,
    loaded at the same time, gets the same, or the ratio would measure priority, not cost."""
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, 0, NETWORK_NICE)


def throughput(path: str, rounds: int = 1) -> tuple[float, float, int]:
    """(edge req/s, bare req/s, body size) for one path: the medians of `rounds` windows (see
    `paired_throughput`)."""
    edge_rates, bare_rates, size = paired_throughput(path, rounds)
    return median(edge_rates), median(bare_rates), size


def paired_throughput(path: str, rounds: int = 1) -> tuple[list[float], list[float], int]:
    """(edge req/s, bare req/s of each window, body size) for one path. Both servers run side
    by side and are loaded at the same time, `rounds` windows. On a shared machine the load
    changes from one second to the next: loading both at once gives both the same conditions,
    so each window's ratio compares what each costs per request."""
    port = free_port()
    data_dir = mkdtemp(prefix="wk-bench-")
    edge = subprocess.Popen(
        [sys.executable, "-m", "wattkeeper", "run", "--data-dir", data_dir, "--port", str(port)],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    bare = None
    try:
        wait_port(port)
        body = httpx.get(f"http://127.0.0.1:{port}{path}", auth=("x", "user")).content
        body_file = Path(data_dir) / "body.json"
        body_file.write_bytes(body)
        bare_port = free_port()
        bare = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "bare_app.py"), str(bare_port), str(body_file)],
            env=ENV,
            preexec_fn=same_priority_as_the_edge,
        )
        wait_port(bare_port)
        load(port, path, seconds=1.0)  # warm up (and let the credentials cache fill)
        load(bare_port, path, seconds=1.0, auth=False)
        edge_rates, bare_rates = [], []
        for _ in range(rounds):
            # both at once: whatever else the machine does in this window, it does to both
            window = max(SECONDS / rounds, 2.0)
            edge_args = loadgen_args(port, path, window, 8, True)
            bare_args = loadgen_args(bare_port, path, window, 8, False)
            procs = [
                subprocess.Popen(a, stdout=subprocess.PIPE, text=True, env=ENV)
                for a in (edge_args, bare_args)
            ]
            edge_out, bare_out = (p.communicate()[0] for p in procs)
            edge_rates.append(float(edge_out))
            bare_rates.append(float(bare_out))
    finally:
        for process in (edge, bare):
            if process is not None:
                process.terminate()
                process.wait(10)
    return edge_rates, bare_rates, len(body)


async def hammer_clients(port: int, seconds: float, count: int = 8) -> list[Any]:
    """`count` load generators (one connection each, half `.*/.*`, half `_sum/EssSoc`)."""
    clients = []
    for path in ("/rest/channel/.*/.*", "/rest/channel/_sum/EssSoc") * (count // 2):
        args = client_command(loadgen_args(port, path, seconds, 1, True))
        clients.append(
            await asyncio.create_subprocess_exec(*args, env=ENV, stdout=asyncio.subprocess.DEVNULL)
        )
    return clients


async def setpoint_latency(samples: int = 200, hammer: int = 0, threaded: str = "") -> list[float]:
    """Seconds from a client process sending an accepted POST to the battery receiving the
    setpoint, while `hammer` other clients read as fast as they can (one per write that
    reached the battery)."""
    edge = Edge(site_with_write(1000), Path(mkdtemp(prefix="wk-bench-")))
    applied: dict[int, float] = {}
    battery = edge.manager.get("ess0")
    assert isinstance(battery, SimulatedBattery)
    original = battery.write_power

    def record(active: int, reactive: int) -> None:
        applied.setdefault(active, time.monotonic())  # the same clock in every process
        original(active, reactive)

    battery.write_power = record  # type: ignore[method-assign]
    await edge.start()
    cycle_ended = await start_cycle(edge, threaded)
    servers = await edge.start_servers()
    settle_heap()  # as `wattkeeper run` does
    port = servers.bound[0]
    loaders = await hammer_clients(port, 600, hammer) if hammer else []
    try:
        await asyncio.sleep(STARTUP if hammer else 0)  # the load generators connect
        args = [sys.executable, str(ROOT / "bench" / "writer.py"), "127.0.0.1", str(port)]
        writer = await asyncio.create_subprocess_exec(
            *args, str(samples), "1000", env=ENV, stdout=asyncio.subprocess.PIPE
        )
        out, _ = await writer.communicate()
        await asyncio.sleep(0.1)
        sent = {int(k): v for k, v in json.loads(out).items()}
    finally:
        for proc in loaders:
            proc.terminate()
            await proc.wait()
        await edge.stop_servers(servers)
        await edge.stop()
        await cycle_ended()
    # a write replaced by a newer one before it was applied never reaches the battery (the
    # newest setpoint wins): it has no latency; how many there were is reported
    return [applied[value] - at for value, at in sent.items() if value in applied]


async def period_deviation(
    period_ms: int, seconds: float, hammer: bool, threaded: str = ""
) -> list[float]:
    """|actual period - configured period| of every cycle in steady state, optionally under
    API load: counted from `STARTUP` seconds after the load generators were started (Python
    processes starting up on the same cores are not the load being measured; the POST latency
    waits the same before its first write, the websocket figure until all clients are in)."""
    edge = Edge(site_with_write(period_ms), Path(mkdtemp(prefix="wk-bench-")))
    starts = record_cycle_starts(edge)
    await edge.start()
    cycle_ended = await start_cycle(edge, threaded)
    servers = await edge.start_servers()
    settle_heap()  # as `wattkeeper run` does
    port = servers.bound[0]
    clients = []
    try:
        if hammer:
            clients = await hammer_clients(port, STARTUP + seconds)
        await asyncio.sleep(STARTUP)
        steady = len(starts)
        await asyncio.sleep(seconds)
        for proc in clients:
            await proc.wait()
    finally:
        await edge.stop_servers(servers)
        await edge.stop()
        await cycle_ended()
    periods = [b - a for a, b in itertools.pairwise(starts[steady:])]
    return [abs(p - period_ms / 1000) for p in periods]


def run(coro):  # type: ignore[no-untyped-def]
    """On the same event loop as `wattkeeper run`."""
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(coro)


def main() -> None:
    print("wattkeeper REST API benchmarks (loopback; baselines measured in this run)\n")
    edge_rate, bare_rate, size = throughput("/rest/channel/_sum/EssSoc")
    report(
        "GET _sum/EssSoc (authenticated), 8 connections",
        f"{edge_rate:.0f} req/s",
        ">= 0.5 x bare",
        f"bare ASGI {bare_rate:.0f} req/s, ratio {edge_rate / bare_rate:.2f}",
    )
    edge_rate, bare_rate, size = throughput("/rest/channel/.*/.*")
    report(
        f"GET .*/.* ({size} bytes), 8 connections",
        f"{edge_rate:.0f} req/s",
        "",
        f"bare ASGI {bare_rate:.0f} req/s, ratio {edge_rate / bare_rate:.2f}",
    )

    latencies = run(setpoint_latency())
    report(
        "POST -> battery setpoint latency p50 (1 s cycle)",
        f"{median(latencies) * 1e3:.2f} ms",
        "",
        f"p99 {percentile(latencies, 99) * 1e3:.2f} ms, max {max(latencies) * 1e3:.2f} ms; "
        "target p99 < 20 ms",
    )

    quiet = run(period_deviation(250, 15, hammer=False))
    loaded = run(period_deviation(250, 15, hammer=True))
    report(
        "cycle period p99 deviation, 8 clients hammering",
        f"{percentile(loaded, 99) * 1e3:.2f} ms",
        "< 10 ms",
        f"without load {percentile(quiet, 99) * 1e3:.2f} ms; 250 ms period, {len(loaded)} cycles",
    )


if __name__ == "__main__":
    main()
