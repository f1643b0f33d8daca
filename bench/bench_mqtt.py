"""MQTT API benchmark: what publishing costs the control loop.

Run: .venv/bin/python bench/bench_mqtt.py  (needs Debian's mosquitto: scripts/mqtt-deps.sh)
* the cycle period's p99 deviation of the demo home (REST write app, 100 ms period) while the MQTT
  API publishes EVERY selected channel each cycle (not only the changed ones) to a local
  mosquitto, against the same edge without the MQTT API, measured in this run (target: < 1 ms
  more);
* how many messages per second then reach a subscriber (its own process, its own time window:
  its receiving is not charged to the edge).
The two are measured in interleaved pairs of rounds (which one runs first alternates), so that
both see the same load of the machine; the figure is the median of the per-pair p99 differences,
printed with its spread (quartiles, range): on a loaded machine one pair's p99 is set by what
else ran in it, and a pooled p99 of either side moves by tens of ms from run to run. The
broker and the subscriber run at nice 10: they stand for another machine (Home Assistant's); the
edge's own MQTT worker process runs at nice 10 by design.
Everything binds 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from tempfile import mkdtemp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.mqtt.broker import USERS, Mosquitto  # noqa: E402

from bench.common import percentile, report  # noqa: E402
from wattkeeper.config.site import ComponentEntry, demo_site  # noqa: E402
from wattkeeper.edge.app import Edge  # noqa: E402
from wattkeeper.edge.runner import new_event_loop  # noqa: E402
from wattkeeper.mqtt import tracker  # noqa: E402

PERIOD_MS = 100
SECONDS = 8.0  # measured per round, after a warm-up
PAIRS = 9  # rounds with and without MQTT; odd, so the median is one pair's
COUNT_SECONDS = 3.0  # a subscriber counts what arrives, after the cycle was measured
COUNTER = """
import sys, time
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
port, user, password, seconds = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
count = 0
def on_message(client, userdata, message):
    global count
    count += not message.retain  # live messages only, not the retained ones sent on subscribing
client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
client.username_pw_set(user, password)
client.on_connect = lambda c, *a: c.subscribe("edge/bench/channel/#")
client.on_message = on_message
client.connect("127.0.0.1", port)
client.loop_start()
time.sleep(seconds)
client.loop_stop()
print(count)
"""


@dataclass
class Round:
    deviations: list[float]  # |period - configured| of every cycle, s
    loop_cpu: list[float]  # CPU time of the edge's event-loop thread in each period, s
    received: int = 0  # messages a subscriber got
    channels: int = 0  # channels published each cycle


def record_cycles(edge: Edge) -> list[tuple[float, float]]:
    """Wall and event-loop-thread CPU time at every cycle start (where `run_once` starts). The
    CPU time is the loop's own work: what another process takes from the machine is not in it."""
    starts: list[tuple[float, float]] = []
    run_once = edge.cycle.run_once

    def timed() -> object:
        starts.append((time.perf_counter(), time.thread_time()))
        return run_once()

    edge.cycle.run_once = timed  # type: ignore[method-assign]
    return starts


def site(broker: Mosquitto | None):  # type: ignore[no-untyped-def]
    config = demo_site()
    config.edge.period_ms = PERIOD_MS
    config.components.append(
        ComponentEntry(id="ctrlApiRest0", factory="Controller.Api.Rest.ReadWrite")
    )
    if broker is not None:
        config.components.append(
            ComponentEntry(
                id="ctrlControllerApiMqtt0",
                factory="Controller.Api.MQTT",
                properties={
                    "uri": broker.uri,
                    "username": "edge",
                    "password": USERS["edge"],
                    "clientId": "bench",
                },
            )
        )
    return config


async def measure(broker: Mosquitto | None) -> Round:
    """One round of the edge, with the MQTT API publishing to `broker` or without it."""
    edge = Edge(site(broker), Path(mkdtemp(prefix="wk-bench-")))
    starts = record_cycles(edge)
    await edge.start()
    cycle = asyncio.create_task(edge.cycle.run_forever())
    received = channels = 0
    try:
        await asyncio.sleep(1.0)
        if broker is not None:  # connected, first full publish, edgeConfig and discovery sent
            component = edge.manager.get("ctrlControllerApiMqtt0")
            while component.value("Connected") != 1:
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)
        del starts[:]
        await asyncio.sleep(SECONDS)
        measured = list(starts)
        if broker is not None:  # delivery, in a window of its own after the cycle was measured
            command = ["nice", "-n", "10", sys.executable, "-c", COUNTER]
            counter = await asyncio.create_subprocess_exec(
                *command,
                *(str(broker.port), "ha", USERS["ha"], str(COUNT_SECONDS)),
                stdout=asyncio.subprocess.PIPE,
            )
            received = int((await counter.communicate())[0])
            component = edge.manager.get("ctrlControllerApiMqtt0")
            channels = len(component._tracker._channels)  # type: ignore[attr-defined]
    finally:
        await edge.stop()
        await cycle
    pairs = list(itertools.pairwise(measured))[1:]
    return Round(
        [abs(b[0] - a[0] - PERIOD_MS / 1000) for a, b in pairs],
        [b[1] - a[1] for a, b in pairs],
        received,
        channels,
    )


def run(coro):  # type: ignore[no-untyped-def]
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(coro)


def spread(values: list[float]) -> str:
    """Quartiles and range of per-pair figures, in ms."""
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return (
        f"quartiles {q1 * 1e3:+.2f} .. {q3 * 1e3:+.2f}, "
        f"range {min(values) * 1e3:+.2f} .. {max(values) * 1e3:+.2f} ms"
    )


def paired(rounds: list[tuple[Round, Round]], figure: str) -> list[float]:
    """Per pair: the p99 of `figure` with MQTT minus without."""
    return [
        percentile(getattr(on, figure), 99) - percentile(getattr(off, figure), 99)
        for on, off in rounds
    ]


def pooled(rounds: list[Round], figure: str) -> list[float]:
    return [value for one in rounds for value in getattr(one, figure)]


def main() -> None:
    print("wattkeeper MQTT API benchmark (loopback mosquitto; baseline measured in this run)\n")
    tracker.FULL_EVERY_S = 0.0  # every selected channel every cycle: the worst case
    rounds: list[tuple[Round, Round]] = []  # (with MQTT, without), one pair at a time
    with tempfile.TemporaryDirectory() as folder:
        Path(folder).chmod(0o755)
        broker = Mosquitto(Path(folder), nice=10)
        broker.start()
        try:
            for pair in range(PAIRS):
                # alternate which side runs first: a drift of the load favours neither
                if pair % 2 == 0:
                    off = run(measure(None))
                    on = run(measure(broker))
                else:
                    on = run(measure(broker))
                    off = run(measure(None))
                rounds.append((on, off))
                deviation, cpu = (
                    " / ".join(f"{percentile(getattr(r, f), 99) * 1e3:.2f}" for r in (on, off))
                    for f in ("deviations", "loop_cpu")
                )
                print(
                    f"  pair {pair + 1}/{PAIRS}, with / without MQTT: p99 deviation "
                    f"{deviation} ms, p99 loop CPU {cpu} ms",
                    flush=True,
                )
        finally:
            broker.stop()
    with_mqtt = [on for on, _ in rounds]
    without = [off for _, off in rounds]
    for figure, name in (
        ("deviations", "cycle period p99 deviation"),
        ("loop_cpu", "event-loop CPU per period p99"),
    ):
        differences = paired(rounds, figure)
        on_all, off_all = pooled(with_mqtt, figure), pooled(without, figure)
        report(
            f"{name}, MQTT publishing all",
            f"{statistics.median(differences) * 1e3:+.2f} ms",
            "< 1 ms more",
            f"median of {PAIRS} per-pair p99 differences; {spread(differences)}",
        )
        report(
            "  pooled p50 / p95 / p99 with MQTT",
            " / ".join(f"{percentile(on_all, q) * 1e3:.2f}" for q in (50, 95, 99)) + " ms",
            "",
            "without "
            + " / ".join(f"{percentile(off_all, q) * 1e3:.2f}" for q in (50, 95, 99))
            + f" ms; {len(on_all)} / {len(off_all)} periods",
        )
    received = sum(one.received for one in with_mqtt)
    channels = with_mqtt[-1].channels
    report(
        "messages reaching a subscriber",
        f"{received / COUNT_SECONDS / PAIRS:.0f} msg/s",
        "",
        f"{channels} channels each cycle = {channels * 1000 / PERIOD_MS:.0f} msg/s offered",
    )


if __name__ == "__main__":
    main()
