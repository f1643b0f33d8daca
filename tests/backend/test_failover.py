"""Killing the node that holds an edge loses nothing: the edge moves to the other node and
resends what the dead one had not confirmed; an edge that was offline delivers its buffer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.backend.conftest import Engines, Fleet, until
from wattkeeper.backend.engines import free_port
from wattkeeper.backend.schema import RAW

pytestmark = [pytest.mark.external, pytest.mark.slow]


@pytest.fixture
def node_process(engines: Engines) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """`wattkeeper backend` as a process of its own, so that it can be killed outright."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wattkeeper",
            "backend",
            "--database",
            engines.postgres.url,
            "--nats",
            engines.nats.url,
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # "backend node … listening on …" once it is bound
    assert "listening" in line, line
    yield process, port
    if process.poll() is None:
        process.kill()
    process.wait()
    process.stdout.close()


async def _distinct_seconds(fleet: Fleet, edge_id: str) -> list[float]:
    assert fleet.store is not None
    rows = await fleet.store.pool.fetch(
        f"SELECT DISTINCT extract(epoch FROM ts)::float8 AS t FROM {RAW} WHERE edge_id = $1 ORDER BY 1",
        edge_id,
    )
    return [r["t"] for r in rows]


async def test_killing_the_node_holding_an_edge_loses_no_data(
    fleet: Fleet, node_process: tuple[subprocess.Popen[str], int]
) -> None:
    process, port = node_process
    other = await fleet.node()  # the second node, in this process
    first = f"ws://127.0.0.1:{port}/edge"
    edge_id, edge = await fleet.edge(uris=[first, other.edge_url])
    link = edge.edge.manager.get("ctrlBackend0").link  # type: ignore[attr-defined]
    await until(lambda: _true(link.connected_to == first))
    edge.step(30)
    await until(lambda: _true(link.pending() == 0))
    edge.step(30)  # made, maybe sent, not yet confirmed...
    os.kill(process.pid, signal.SIGKILL)  # ...when the node dies
    process.wait()
    edge.step(30)  # the cycle goes on while the edge looks for a backend
    await until(lambda: _true(link.connected_to == other.edge_url))
    edge.step(30)
    await until(lambda: _true(link.pending() == 0))
    seconds = await _distinct_seconds(fleet, edge_id)
    start = edge.clock.time() - 119
    assert seconds == [start + i for i in range(120)]  # every cycle's values, no gap


async def test_an_offline_edges_buffer_is_delivered(fleet: Fleet) -> None:
    port = free_port()  # nobody listens here yet
    await fleet.node()
    edge_id, edge = await fleet.edge(uris=[f"ws://127.0.0.1:{port}/edge"])
    link = edge.edge.manager.get("ctrlBackend0").link  # type: ignore[attr-defined]
    link.sampler.delay_s = 0.0  # what the injected random drew: aggregates sent at once
    edge.step(310)  # more than five minutes offline: raw values and an aggregate buffered
    await until(lambda: _true(link.pending() > 0 and link.sampler.waiting() == 0))
    assert link.outbox.kinds().keys() == {"timestampedData", "aggregatedData"}
    late = await fleet.node(port=port)  # the backend comes (back) up
    await until(lambda: _true(link.connected_to == late.edge_url and link.pending() == 0))
    seconds = await _distinct_seconds(fleet, edge_id)
    assert len(seconds) == 310 and seconds[-1] - seconds[0] == 309
    assert fleet.store is not None
    assert await fleet.store.count("fleet_aggregate", edge_id) > 0  # sent as resendData


async def _true(value: bool) -> bool:
    return value
