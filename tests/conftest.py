"""Shared fixtures: a demo-home edge on a fake clock."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from wattkeeper.api.passwords import COST_ENV
from wattkeeper.config.site import SiteConfig, demo_site, parse_site
from wattkeeper.edge.app import Edge
from wattkeeper.testing.fake_clock import FakeClock

# A cheap password hash for every edge the tests start (in-process and as subprocesses): scrypt at
# the product's cost took more than half of the suite's time. tests/api/test_passwords.py checks
# the product's cost.
os.environ.setdefault(COST_ENV, "16")

# 2026-06-21 10:00 UTC: a sunny midday in Berlin, so PV, load and battery all move.
SUMMER_NOON = 1_782_036_000.0


class EdgeRunner:
    """An edge on a fake clock; `step()` advances time and runs cycles."""

    def __init__(self, edge: Edge, clock: FakeClock) -> None:
        self.edge = edge
        self.clock = clock

    def step(self, cycles: int = 1, seconds: float = 1.0) -> None:
        for _ in range(cycles):
            self.clock.advance(seconds)
            self.edge.cycle.run_once()

    def value(self, address: str) -> object:
        return self.edge.manager.channel(address).value


@pytest.fixture
def make_edge(tmp_path: Path) -> Callable[..., EdgeRunner]:
    def make(
        site: SiteConfig | str | None = None,
        data_dir: Path | None = None,
        start: float = SUMMER_NOON,
    ) -> EdgeRunner:
        if isinstance(site, str):
            site = parse_site(site)
        clock = FakeClock(start)
        edge = Edge(site or demo_site(), data_dir or tmp_path / "data", clock)
        return EdgeRunner(edge, clock)

    return make


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what the fast stage (`bash scripts/test-fast`) leaves out: browser tests (tests/web),
    property-based fuzzing (every hypothesis test), end-to-end runs (tests/e2e) and attacks on a
    live server (tests/security). Tests that
    start external servers mark themselves `external`, long simulations `slow`."""
    for item in items:
        if "tests/web/" in item.nodeid:
            item.add_marker(pytest.mark.browser)
        if "tests/e2e/" in item.nodeid or "tests/security/" in item.nodeid:
            item.add_marker(pytest.mark.slow)  # whole edges as processes; attacks on a live one
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.fuzz)
