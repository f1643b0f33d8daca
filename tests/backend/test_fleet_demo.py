"""`wattkeeper fleet-demo` starts a whole fleet on loopback, says how to reach it, and
Ctrl-C stops every process it started."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import httpx
import psutil
import pytest

from tests.backend.conftest import basic, until

pytestmark = [pytest.mark.external, pytest.mark.slow]


async def test_fleet_demo_runs_and_stops_on_ctrl_c() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "wattkeeper", "fleet-demo", "--edges", "4", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    try:
        lines: dict[str, list[str]] = {}
        for line in process.stdout:
            key, _, rest = line.partition(" ")
            lines.setdefault(key, []).append(rest.strip())
            if line.startswith("Ctrl-C"):
                break
        children = psutil.Process(process.pid).children(recursive=True)
        assert len(children) >= 2  # postgres (and its workers), nats-server
        nodes = [entry.split()[0] for entry in lines["node"]]
        users = dict(entry.split(" / ") for entry in lines["user"])
        async with httpx.AsyncClient() as client:

            async def online() -> bool:
                answer = await client.post(
                    nodes[1] + "/jsonrpc",
                    json={"jsonrpc": "2.0", "id": 1, "method": "getEdges", "params": {}},
                    headers=basic("installer", users["installer"]),
                )
                edges = answer.json()["result"]["edges"]
                return len(edges) == 4 and all(e["online"] for e in edges)

            await until(online, 30)
            # the nodes serve the licence service: the printed key redeems at either node
            key = lines["licence"][0].split()[0]
            body = {"key": key, "appId": "App.Api.RestJson.ReadWrite", "edgeId": "edge-demo"}
            redeemed = await client.post(nodes[1] + "/api/v1/redeem", json=body)
            assert redeemed.status_code == 200, redeemed.text
            assert redeemed.json()["licence"]["edgeId"] == "edge-demo"
    finally:
        process.send_signal(signal.SIGINT)
        assert await asyncio.to_thread(process.wait, 30) == 0
        process.stdout.close()
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
