"""Helpers of the licence vendor tests: the admin token and a race of concurrent redemptions."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

ADMIN_TOKEN = "test-admin-token-0123456789"


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
