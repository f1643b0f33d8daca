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
from pathlib import Path
from tempfile import mkdtemp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.mqtt.broker import USERS, Mosquitto  # noqa: E402

from bench.common import percentile, record_cycle_starts, report  # noqa: E402
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


async def deviations(broker: Mosquitto | None) -> tuple[list[float], int, int]:
    """|period - configured| of every cycle; messages a subscriber got; channels published."""
    edge = Edge(site(broker), Path(mkdtemp(prefix="wk-bench-")))
    starts = record_cycle_starts(edge)
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
    periods = [b - a for a, b in itertools.pairwise(measured)][1:]
    return [abs(p - PERIOD_MS / 1000) for p in periods], received, channels


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


def main() -> None:
    print("wattkeeper MQTT API benchmark (loopback mosquitto; baseline measured in this run)\n")
    tracker.FULL_EVERY_S = 0.0  # every selected channel every cycle: the worst case
    without: list[float] = []
    with_mqtt: list[float] = []
    rounds: dict[bool, list[float]] = {True: [], False: []}  # each round's p99, by "with MQTT"
    differences: list[float] = []  # per pair: p99 with MQTT - p99 without
    received = channels = 0
    with tempfile.TemporaryDirectory() as folder:
        Path(folder).chmod(0o755)
        broker = Mosquitto(Path(folder), nice=10)
        broker.start()
        try:
            for pair in range(PAIRS):
                # alternate which side runs first: a drift of the load favours neither
                order = (None, broker) if pair % 2 == 0 else (broker, None)
                p99: dict[bool, float] = {}
                for side in order:
                    samples, count, seen = run(deviations(side))
                    p99[side is not None] = percentile(samples, 99)
                    if side is None:
                        without += samples
                    else:
                        with_mqtt += samples
                        received += count
                        channels = seen
                for mqtt_on, value in p99.items():
                    rounds[mqtt_on].append(value)
                differences.append(p99[True] - p99[False])
                print(
                    f"  pair {pair + 1}/{PAIRS}: p99 {p99[True] * 1e3:.2f} ms with MQTT, "
                    f"{p99[False] * 1e3:.2f} ms without: {differences[-1] * 1e3:+.2f} ms",
                    flush=True,
                )
        finally:
            broker.stop()
    difference = statistics.median(differences)
    report(
        "cycle p99 deviation, MQTT publishing all: more by",
        f"{difference * 1e3:+.2f} ms",
        "< 1 ms more",
        f"median of {PAIRS} paired rounds; {spread(differences)}",
    )
    report(
        "cycle p99 deviation, median of the rounds",
        f"{statistics.median(rounds[True]) * 1e3:.2f} ms",
        "",
        f"without MQTT {statistics.median(rounds[False]) * 1e3:.2f} ms; pooled over "
        f"{len(with_mqtt)} cycles {percentile(with_mqtt, 99) * 1e3:.2f} ms, without "
        f"{percentile(without, 99) * 1e3:.2f} ms",
    )
    report(
        "cycle period p50 / p95 deviation, MQTT publishing all",
        f"{percentile(with_mqtt, 50) * 1e3:.2f} / {percentile(with_mqtt, 95) * 1e3:.2f} ms",
        "",
        f"without MQTT {percentile(without, 50) * 1e3:.2f} / "
        f"{percentile(without, 95) * 1e3:.2f} ms",
    )
    report(
        "messages reaching a subscriber",
        f"{received / COUNT_SECONDS / PAIRS:.0f} msg/s",
        "",
        f"{channels} channels each cycle = {channels * 1000 / PERIOD_MS:.0f} msg/s offered",
    )


if __name__ == "__main__":
    main()
