"""`wattkeeper fleet-demo`: PostgreSQL, NATS, two backend nodes and N edges on loopback.

The first edges are full edges (the demo home: the real cycle, write gate and uplink); the
rest are light simulated edges with the real uplink. Everything lives in a temporary folder
and stops on Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import signal
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wattkeeper.backend.engines import LocalNats, LocalPostgres

if TYPE_CHECKING:  # the edge and the backend are imported when the demo starts, not with the CLI
    from wattkeeper.edge.app import Edge

FULL_EDGES = 3
WRITE_APP = "App.Api.RestJson.ReadWrite"


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "fleet-demo",
        help="start PostgreSQL, NATS, two backend nodes and N edges on loopback (Ctrl-C stops)",
    )
    parser.add_argument("--edges", type=int, default=10, help="how many edges (%(default)s)")
    parser.add_argument("--port", type=int, default=8081, help="first node's port (%(default)s)")
    parser.set_defaults(handler=_fleet_demo)


def _fleet_demo(args: argparse.Namespace) -> int:
    if not 1 <= args.edges <= 5000:
        raise SystemExit("wattkeeper: --edges must be between 1 and 5000")
    postgres = LocalPostgres.start()
    bus = LocalNats.start()
    try:
        return asyncio.run(_run(postgres, bus, args.edges, args.port))
    finally:
        bus.stop()
        postgres.stop()


async def _run(postgres: LocalPostgres, bus: LocalNats, count: int, port: int) -> int:
    from wattkeeper.backend.node import BackendNode, NodeServer
    from wattkeeper.uplink.simulated import SimulatedEdge

    folder = Path(tempfile.mkdtemp(prefix="wattkeeper-fleet-"))
    nodes = [
        NodeServer(await BackendNode.open(postgres.url, bus.url, f"node{i}"), port=p)
        for i, p in enumerate((port, 0))
    ]
    for node in nodes:
        await node.start()
    store = nodes[0].node.store
    uris = [n.edge_url for n in nodes]
    passwords = {"installer": secrets.token_urlsafe(8), "owner": secrets.token_urlsafe(8)}
    for name, password in passwords.items():
        await store.add_user(name, password)
    full: list[Edge] = []
    light: list[SimulatedEdge] = []
    for index in range(count):
        edge_id, apikey = f"edge{index}", secrets.token_urlsafe(16)
        await store.add_edge(edge_id, apikey, "full edge (demo home)" if index < FULL_EDGES else "")
        await store.grant("installer", edge_id, "installer")
        if index < FULL_EDGES:
            full.append(_full_edge(folder / edge_id, uris, apikey, nodes[0].url))
        else:
            light.append(SimulatedEdge(edge_id, uris, apikey, folder, time.time, seed=index))
    await store.grant("owner", "edge0", "owner")
    tasks = []
    for edge in full:
        await edge.start()
        tasks.append(asyncio.create_task(edge.cycle.run_forever()))
    for sim in light:
        sim.link.start()
    tasks.append(asyncio.create_task(_tick(light)))
    print(f"PostgreSQL  {postgres.url}")
    print(f"NATS        {bus.url}")
    for node in nodes:
        print(f"node        {node.url}  (edges connect to {node.edge_url})")
    for name, password in passwords.items():
        print(f"user        {name} / {password}")
    print(f"edges       {count} ({min(count, FULL_EDGES)} full), data in {folder}")
    if nodes[0].node.licences is not None:  # the App Center's licence service, in the nodes
        issued = await nodes[0].node.licences.issue(WRITE_APP)
        print(f"licence     {issued.key.formatted()}  ({WRITE_APP}; full edges redeem it online)")
    print(f"edge UI     {nodes[0].url}/edges/edge0/  (the owner's home, a full edge)")
    print("Ctrl-C stops everything", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for task in tasks:
        task.cancel()
    for sim in light:
        await sim.link.stop()
    for edge in full:
        await edge.stop()
    for node in nodes:
        with contextlib.suppress(Exception):
            await node.stop()
    return 0


def _full_edge(data_dir: Path, uris: list[str], apikey: str, licences: str) -> Edge:
    from wattkeeper.config.site import ComponentEntry, demo_site
    from wattkeeper.edge.app import Edge

    site = demo_site()
    site.components.append(
        ComponentEntry(id="ctrlApiRest0", factory="Controller.Api.Rest.ReadWrite", properties={})
    )
    site.components.append(
        ComponentEntry(
            id="ctrlBackend0",
            factory="Controller.Api.Backend",
            properties={"apikey": apikey, "uri": ",".join(uris)},
        )
    )
    site.licensing.service_url = licences
    return Edge(site, data_dir)


async def _tick(edges: list[Any]) -> None:
    while True:
        for edge in edges:
            edge.cycle()
        await asyncio.sleep(1 - time.time() % 1)
