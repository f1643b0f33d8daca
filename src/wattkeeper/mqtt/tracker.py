"""The cycle's side of the MQTT API: which selected channels changed since they were last
queued, or all of them every `FULL_EVERY_S` and after a (re)connect."""

from __future__ import annotations

from wattkeeper.core.channel import Channel, Value
from wattkeeper.core.manager import ComponentManager
from wattkeeper.core.snapshot import Snapshot
from wattkeeper.mqtt.outbox import Message
from wattkeeper.mqtt.selection import selected
from wattkeeper.mqtt.settings import Priority
from wattkeeper.mqtt.topics import Topics

FULL_EVERY_S = 300.0  # OpenEMS re-sends every value this often


class ChangeTracker:
    def __init__(self, manager: ComponentManager, topics: Topics, minimum: Priority) -> None:
        self.manager = manager
        self.topics = topics
        self.minimum = minimum
        self._source: list[Channel] | None = None  # the manager's list the selection came from
        self._channels: list[Channel] = []
        self._slots: list[int] = []  # the selected channels' places in the manager's list
        self._topics: list[str] = []
        self._sent: list[Value] = []
        self._next_full = 0.0
        self.full_requested = True  # set from any thread: everything goes with the next cycle

    def collect(
        self, now: float, timestamp_ms: int, snapshot: Snapshot | None = None
    ) -> list[Message]:
        """This cycle's messages (`now` monotonic seconds); cheap: one pass, no encoding. The
        values come from the cycle's `snapshot` when it has one of the same channel set: with the
        cycle in its own thread the channels may already hold the next cycle's values."""
        self._reselect()
        if snapshot is not None and snapshot.index.channels is self._source:
            held = snapshot.values
            values = [held[slot] for slot in self._slots]
        else:
            values = [ch.value for ch in self._channels]
        topics = self._topics
        if self.full_requested or now >= self._next_full:
            self.full_requested = False
            self._next_full = now + FULL_EVERY_S
            messages = [Message(t, v) for t, v in zip(topics, values, strict=True)]
        else:
            messages = [
                Message(topics[i], v)
                for i, (v, old) in enumerate(zip(values, self._sent, strict=True))
                if v != old or type(v) is not type(old)
            ]
        self._sent = values
        if messages:
            messages.append(Message(self.topics.last_update, timestamp_ms))
        return messages

    def _reselect(self) -> None:
        source = self.manager.all_channels()
        if source is self._source:
            return
        self._source = source
        self._channels = selected(source, self.minimum)
        place = {id(ch): slot for slot, ch in enumerate(source)}
        self._slots = [place[id(ch)] for ch in self._channels]
        self._topics = [self.topics.channel(ch.address) for ch in self._channels]
        self._sent = [ch.value for ch in self._channels]
        self.full_requested = True  # components came or went: OpenEMS sends everything then
