"""Schemathesis against /openapi.json on a real server: no server error, answers fit the document.

Marked `fuzz` (about half a minute): `pytest -m "not fuzz"` skips it for a quick run.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import GUEST, OWNER, demo_with_write_access
from wattkeeper.edge.app import Edge

pytestmark = pytest.mark.fuzz

EXAMPLES = 130  # per operation and role: 4 operations x 2 roles x 130 > 1,000 cases
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
CASES: list[int] = []


class EdgeThread:
    """The edge with its real-time cycle and HTTP server on a loopback port, in its own thread."""

    def __init__(self, data_dir: Path) -> None:
        self.url = ""
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(data_dir),))

    async def _main(self, data_dir: Path) -> None:
        site = demo_with_write_access()
        site.edge.ports, site.edge.host, site.edge.period_ms = [0], "127.0.0.1", 200
        edge = Edge(site, data_dir)
        await edge.start()
        for component in list(edge.manager):
            if hasattr(component.config, "port"):
                component.config = component.config.model_copy(update={"port": 0})
        cycle = asyncio.create_task(edge.cycle.run_forever())
        servers = await edge.start_servers()
        self.url = f"http://127.0.0.1:{servers.bound[0]}"
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        self._ready.set()
        await self._stop.wait()
        await edge.stop_servers(servers)
        await edge.stop()
        await cycle

    def __enter__(self) -> EdgeThread:
        self._thread.start()
        assert self._ready.wait(30)
        return self

    def __exit__(self, *exc: Any) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with EdgeThread(tmp_path_factory.mktemp("fuzz")) as edge:
        yield schemathesis.openapi.from_url(f"{edge.url}/openapi.json")


FUZZ = settings(
    max_examples=EXAMPLES // 2,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,  # the same cases every run: a failure here is reproducible
)


def fuzz(api_schema: Any, auth: dict[str, str]) -> int:
    """Positive and negative cases for every documented operation; the number of cases run."""
    ran = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode in GenerationMode:

            @FUZZ
            @given(case=operation.as_strategy(generation_mode=mode))
            def one(case: Any) -> None:
                nonlocal ran
                ran += 1
                case.call_and_validate(headers=auth, checks=CHECKS, timeout=30)

            one()
    return ran


@pytest.mark.parametrize("auth", [OWNER, GUEST], ids=["owner", "guest"])
def test_the_api_keeps_to_its_document(api_schema: Any, auth: dict[str, str]) -> None:
    CASES.append(fuzz(api_schema, auth))


def test_at_least_1000_cases_ran() -> None:
    if len(CASES) < 2:
        pytest.skip("the generated tests did not run in this session")
    assert sum(CASES) >= 1000, CASES
