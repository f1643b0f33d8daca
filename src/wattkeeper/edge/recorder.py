"""Feeds the history store once per cycle with every channel that declares it is kept."""

from __future__ import annotations

import logging

from wattkeeper.core.channel import Channel, History
from wattkeeper.core.events import CycleDone
from wattkeeper.core.manager import ComponentManager
from wattkeeper.edge.counters import CounterContinuity
from wattkeeper.history import HistoryStore
from wattkeeper.history.kinds import Kind

log = logging.getLogger(__name__)

KINDS: dict[History, Kind] = {
    History.POWER: "power",
    History.COUNTER: "counter",
    History.STATE: "state",
}


class HistoryRecorder:
    """A cycle listener: snapshots the kept channels' values and hands them to the store."""

    def __init__(
        self,
        manager: ComponentManager,
        store: HistoryStore,
        continuity: CounterContinuity | None = None,
    ) -> None:
        self.manager = manager
        self.store = store
        self._indexed: list[Channel] | None = None  # the manager's channel list we last saw
        self._kept: list[tuple[str, Channel]] = []
        self._counters: set[str] = set()
        self._continuity = continuity or CounterContinuity(store)

    def _refresh(self) -> None:
        channels = self.manager.all_channels()
        if channels is self._indexed:
            return  # the manager replaces its list whenever components change
        self._indexed = channels
        self._kept = []
        declared: list[tuple[str, Kind]] = []
        for channel in channels:
            kind = KINDS.get(channel.doc.history)
            if kind is not None:
                declared.append((channel.address, kind))
                self._kept.append((channel.address, channel))
                if kind == "counter":
                    self._counters.add(channel.address)
        self.store.declare_many(declared)

    def __call__(self, event: CycleDone) -> None:
        self._refresh()
        values: dict[str, float | int | None] = {}
        snapshot = event.snapshot  # the cycle's own values, even if the next one has begun
        for address, channel in self._kept:
            value = channel.value if snapshot is None else snapshot.value(address)
            if not isinstance(value, int | float):
                values[address] = None
            elif address in self._counters:
                values[address] = self._continuity.adjust(address, value, event.timestamp)
            else:
                values[address] = value
        self.store.record(event.timestamp, values)
