"""One setpoint to many edges: held writes with leases on each, renewed until the end, then
released. If this node dies, the renewals stop and every edge's lease runs out by itself."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from wattkeeper.backend.store import FleetStore

RENEW_S = 20.0  # well inside the edges' lease (the REST write app's apiTimeout, 60 s default)
MAX_EDGES = 10_000
MAX_SECONDS = 7 * 86_400

#: (edge id, JSON-RPC payload) → the edge's answer ({result} or {error})
EdgeCall = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


class Dispatch:
    def __init__(
        self,
        created_by: str,
        edges: list[str],
        address: str,
        value: float,
        seconds: float,
        call: EdgeCall,
        store: FleetStore,
        renew_s: float = RENEW_S,
    ) -> None:
        self.id = uuid.uuid4().hex
        self.created_by = created_by
        self.edges = edges
        self.address = address
        self.value = value
        self.until = time.time() + seconds
        self.state = "running"
        self.report: dict[str, dict[str, Any]] = {}
        self._call = call
        self._store = store
        self._renew_s = renew_s
        self._task: asyncio.Task[None] | None = None
        self.applied = asyncio.Event()

    def record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "createdBy": self.created_by,
            "address": self.address,
            "value": self.value,
            "until": self.until,
            "state": self.state,
            "edges": self.report,
        }

    async def _write(self, value: float | None) -> None:
        payload = {"method": "setOverride", "params": {"address": self.address, "value": value}}
        answers = await asyncio.gather(*(self._call(e, payload) for e in self.edges))
        for edge_id, answer in zip(self.edges, answers, strict=True):
            error = answer.get("error")
            entry = self.report.setdefault(edge_id, {})
            if value is None:
                entry["released"] = error is None
            else:
                entry["applied"] = error is None
                entry["value"] = answer.get("result", {}).get("value")
            entry["error"] = error.get("message") if isinstance(error, dict) else None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            await self._write(self.value)
            await self._store.save_dispatch(self.record())
            self.applied.set()
            while (left := self.until - time.time()) > 0:
                await asyncio.sleep(min(left, self._renew_s))
                if self.until - time.time() > 0:
                    await self._write(self.value)  # re-arms each edge's lease
            self.state = "expired"
        except asyncio.CancelledError:
            self.state = "cancelled"
        finally:
            self.applied.set()
            await self._write(None)
            await self._store.save_dispatch(self.record())

    async def cancel(self) -> None:
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def wait(self) -> None:
        if self._task is not None:
            await asyncio.shield(self._task)
