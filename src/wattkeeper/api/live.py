"""Fan-out of live values to websocket connections without ever making the cycle wait.

The cycle listener only wraps the cycle's published snapshot (once for all connections) and
appends it to each connection's bounded outbox; encoding and sending happen later in
the connection's own task. A client that falls behind loses its oldest snapshots, not the edge.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque

from wattkeeper.api.context import ApiContext
from wattkeeper.core.events import CycleDone
from wattkeeper.core.snapshot import Snapshot as CycleSnapshot

BACKLOG = 4  # snapshots kept per connection; older ones are dropped for a slow client
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_HEAD = (
    '{"jsonrpc":"2.0","method":"edgeRpc","params":{"edgeId":"0","payload":'
    '{"jsonrpc":"2.0","method":"currentData","params":{'
)
_TAIL = "}}}}"


class Snapshot:
    """One cycle's live data as every connection sends it: built from the cycle's snapshot.

    Each value's JSON comes from the snapshot (encoded once per value, however many clients),
    and connections with the same subscription and the same view share one message.
    """

    __slots__ = ("_messages", "cycle")

    def __init__(self, cycle: CycleSnapshot) -> None:
        self.cycle = cycle
        self._messages: dict[tuple[tuple[str, ...], bool], str] = {}

    def message(self, channels: tuple[str, ...], private: bool = False) -> str:
        """The `currentData` notification for these channels, as JSON text; a private channel
        is `null` unless `private` (the reader is an owner or above)."""
        key = (channels, private)
        text = self._messages.get(key)
        if text is None:
            snapshot = self.cycle
            position = snapshot.index.position
            hidden = snapshot.index.private
            parts = []
            for address in channels:
                slot = position.get(address)
                if slot is None or (hidden[slot] and not private):
                    parts.append(f"{_dumps(address)}:null")
                else:
                    parts.append(f"{_dumps(address)}:{snapshot.value_json(slot)}")
            text = _HEAD + ",".join(parts) + _TAIL
            self._messages[key] = text
        return text


class Outbox:
    """What one connection still has to send: replies (never dropped) and live data (bounded)."""

    def __init__(self, backlog: int = BACKLOG) -> None:
        self.replies: deque[str] = deque()  # encoded JSON-RPC replies
        self.snapshots: deque[Snapshot] = deque(maxlen=backlog)
        self.channels: tuple[str, ...] = ()
        self.private = False  # whether the reader may see private channels (owner and above)
        self.config_changed = False
        self.dropped = 0
        self.ready = asyncio.Event()

    def reply(self, message: str) -> None:
        self.replies.append(message)
        self.ready.set()

    def push(self, snapshot: Snapshot) -> None:
        if len(self.snapshots) == self.snapshots.maxlen:
            self.dropped += 1
        self.snapshots.append(snapshot)
        self.ready.set()

    def current_data(self, snapshot: Snapshot) -> str:
        return snapshot.message(self.channels, self.private)


class LiveHub:
    """Knows every connection's subscription; called by the cycle and by the configurator."""

    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx
        self._outboxes: set[Outbox] = set()
        self.config_version = 0
        ctx.cycle.events.subscribe(self.on_cycle)
        ctx.configurator.listeners.append(self.on_config_change)

    def attach(self, outbox: Outbox) -> None:
        self._outboxes.add(outbox)

    def detach(self, outbox: Outbox) -> None:
        self._outboxes.discard(outbox)

    def subscribe(self, outbox: Outbox, channels: list[str]) -> None:
        outbox.channels = tuple(dict.fromkeys(channels))  # unique, in the client's order
        if not outbox.channels:
            outbox.snapshots.clear()

    @property
    def subscribers(self) -> int:
        return sum(1 for o in self._outboxes if o.channels)

    def snapshot(self) -> Snapshot:
        return Snapshot(self.ctx.cycle.snapshots.current())

    # -- called from the cycle: no awaiting, no encoding, no sending ---------------------------
    def on_cycle(self, event: CycleDone) -> None:
        receivers = [o for o in self._outboxes if o.channels]
        if not receivers:
            return
        snapshot = Snapshot(event.snapshot or self.ctx.cycle.snapshots.current())
        for outbox in receivers:
            outbox.push(snapshot)

    def on_config_change(self) -> None:
        self.config_version += 1
        for outbox in self._outboxes:
            if outbox.channels:
                outbox.config_changed = True
                outbox.ready.set()
