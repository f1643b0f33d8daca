"""Constants and helpers shared by the licensing tests (importable, unlike conftest)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

FIXED_NOW = datetime(2026, 3, 14, 15, 9, 26, 535897, tzinfo=UTC)
ADMIN_TOKEN = "test-admin-token-0123456789"
REST = "App.Api.RestJson.ReadWrite"
MODBUS = "App.Api.ModbusTcp.ReadWrite"
EDGE_A = "edge-a-0001"
EDGE_B = "edge-b-0002"


def fixed_clock() -> datetime:
    return FIXED_NOW


def race(attempt: Callable[[str], object], edges: Sequence[str]) -> dict[str, object]:
    """Call ``attempt(edge)`` for all edges at once (threads released by a barrier).

    Returns each edge's result, or the exception it raised.
    """
    start = threading.Barrier(len(edges))
    outcomes: dict[str, object] = {}

    def run(edge: str) -> None:
        start.wait()
        try:
            outcomes[edge] = attempt(edge)
        except Exception as exc:
            outcomes[edge] = exc

    threads = [threading.Thread(target=run, args=(edge,)) for edge in edges]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
