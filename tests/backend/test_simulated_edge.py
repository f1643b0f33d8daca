"""The fleet demo's light simulated edge answers what the UI through the backend asks."""

from __future__ import annotations

from pathlib import Path

from wattkeeper.uplink.simulated import SimulatedEdge


async def test_a_simulated_edge_answers_the_live_values_a_backend_polls(tmp_path: Path) -> None:
    edge = SimulatedEdge("sim0", ["ws://127.0.0.1:9/edge"], "key-of-sim0", tmp_path, lambda: 600.0)
    owner = {"name": "x", "role": "owner"}
    payload = {"method": "getCurrentData", "params": {"channels": ["_sum/EssSoc", "no/Such"]}}
    live = await edge._handle(owner, payload)
    assert live == {"_sum/EssSoc": edge.values(600.0)["_sum/EssSoc"], "no/Such": None}
