"""A light simulated edge for fleet demos and benchmarks: the real uplink, made-up values.

It has no cycle, drivers or write gate of its own: a battery setpoint is kept with a lease
on the given clock, the way an edge's REST write app keeps it, so a fleet of thousands fits
in one process. Full edges (`wattkeeper run`) are what the tests use for the write path."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from wattkeeper.uplink.link import EdgeLink, RequestError

SETPOINT = "ess0/SetActivePowerEquals"


class SimulatedEdge:
    def __init__(
        self,
        edge_id: str,
        uris: list[str],
        apikey: str,
        folder: Path,
        clock: Callable[[], float],
        channels: int = 50,
        lease_s: float = 60.0,
        seed: int | None = None,
    ) -> None:
        self.edge_id = edge_id
        self.clock = clock
        self.lease_s = lease_s
        self._random = random.Random(seed)
        self.setpoint: float | None = None
        self.setpoint_since: float | None = None  # when the battery took the setpoint
        self.setpoint_at = 0.0  # time.perf_counter() of the last setpoint taken (benchmarks)
        self._deadline = 0.0
        self._phase = self._random.random() * math.tau
        self.channels = [f"meter{i // 10}/Value{i % 10}" for i in range(max(0, channels - 3))]
        self.link = EdgeLink(
            uris,
            apikey,
            folder / f"{edge_id}-outbox.sqlite",
            self._handle,
            self._random.random,
            reconnect_s=0.5,
        )

    def values(self, now: float) -> dict[str, Any]:
        """Every value moves every second (the worst case for changed-values reporting)."""
        if self.setpoint is not None and now >= self._deadline:
            self.setpoint = self.setpoint_since = None  # the lease ran out
        wave = math.sin(now / 600 + self._phase)
        out: dict[str, Any] = {
            "_sum/EssSoc": round(50 + 40 * wave),
            "_sum/ProductionActivePower": round(3000 + 2000 * wave + self._random.random() * 10),
            "ess0/ActivePower": self.setpoint if self.setpoint is not None else round(500 * wave),
        }
        for index, name in enumerate(self.channels):
            out[name] = round(1000 * math.sin(now / 60 + index) + self._random.random(), 2)
        return out

    def cycle(self) -> None:
        now = self.clock()
        self.link.sample(now, self.values(now))

    async def _handle(self, user: Mapping[str, Any], payload: Mapping[str, Any]) -> Any:
        method, params = payload.get("method"), payload.get("params") or {}
        if method == "setOverride" and isinstance(params, dict):
            if user.get("role") == "guest":
                raise RequestError(1002, "setting a setpoint needs the role owner")
            value = params.get("value")
            if params.get("address") != SETPOINT:
                raise RequestError(1000, f"only {SETPOINT} is simulated")
            if value is None:
                self.setpoint = self.setpoint_since = None
                return {"address": SETPOINT, "value": None}
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise RequestError(1, "value must be a number")
            self.setpoint = float(value)
            self.setpoint_at = time.perf_counter()
            self.setpoint_since = self.clock()
            self._deadline = self.setpoint_since + self.lease_s
            return {"address": SETPOINT, "value": self.setpoint}
        if method == "getEdgeConfig":
            return {"components": {}, "factories": {}}
        if method == "getCurrentData" and isinstance(params, dict):
            # the live values a backend's UI polls (the node bounds the list before asking)
            channels = params.get("channels")
            values = self.values(self.clock())
            if isinstance(channels, list):
                return {c: values.get(c) for c in channels if isinstance(c, str)}
        raise RequestError(-32601, f"Unknown JSON-RPC method [{method}]")
