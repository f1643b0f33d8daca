"""Fan-out of live values to websocket connections without ever making the cycle wait.

The cycle listener only snapshots the subscribed channels (once for all connections) and
appends the snapshot to each connection's bounded outbox; encoding and sending happen later in
the connection's own task. A client that falls behind loses its oldest snapshots, not the edge.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque

from wattkeeper.api.context import ApiContext
from wattkeeper.api.serialize import plain_value
from wattkeeper.core.channel import Channel, Value
from wattkeeper.core.errors import ChannelNotFound
from wattkeeper.core.events import CycleDone

BACKLOG = 4  # snapshots kept per connection; older ones are dropped for a slow client
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_HEAD = (
    '{"jsonrpc":"2.0","method":"edgeRpc","params":{"edgeId":"0","payload":'
    '{"jsonrpc":"2.0","method":"currentData","params":{'
)
_TAIL = "}}}}"


class Snapshot:
    """The subscribed values of one cycle, shared by every connection.

    Each value is encoded once, on first use by a sender (not in the cycle), and connections
    with the same subscription share one encoded message.
    """

    __slots__ = ("_fragments", "_messages", "values")

    def __init__(self, values: dict[str, Value]) -> None:
        self.values = values
        self._fragments: dict[str, str] | None = None
        self._messages: dict[tuple[str, ...], str] = {}

    def message(self, channels: tuple[str, ...]) -> str:
        """The `currentData` notification for these channels, as JSON text."""
        text = self._messages.get(channels)
        if text is None:
            fragments = self._fragments
            if fragments is None:
                fragments = {a: f"{_dumps(a)}:{_dumps(v)}" for a, v in self.values.items()}
                self._fragments = fragments
            parts = [fragments.get(a) or f"{_dumps(a)}:null" for a in channels]
            text = _HEAD + ",".join(parts) + _TAIL
            self._messages[channels] = text
        return text


class Outbox:
    """What one connection still has to send: replies (never dropped) and live data (bounded)."""

    def __init__(self, backlog: int = BACKLOG) -> None:
        self.replies: deque[str] = deque()  # encoded JSON-RPC replies
        self.snapshots: deque[Snapshot] = deque(maxlen=backlog)
        self.channels: tuple[str, ...] = ()
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
        return snapshot.message(self.channels)


class LiveHub:
    """Knows every connection's subscription; called by the cycle and by the configurator."""

    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx
        self._outboxes: set[Outbox] = set()
        self._resolved: dict[str, Channel | None] | None = None  # union of all subscriptions
        self._indexed: list[Channel] | None = None
        self.config_version = 0
        ctx.cycle.events.subscribe(self.on_cycle)
        ctx.configurator.listeners.append(self.on_config_change)

    def attach(self, outbox: Outbox) -> None:
        self._outboxes.add(outbox)

    def detach(self, outbox: Outbox) -> None:
        self._outboxes.discard(outbox)
        if outbox.channels:
            self._resolved = None

    def subscribe(self, outbox: Outbox, channels: list[str]) -> None:
        outbox.channels = tuple(dict.fromkeys(channels))  # unique, in the client's order
        if not outbox.channels:
            outbox.snapshots.clear()
        self._resolved = None

    @property
    def subscribers(self) -> int:
        return sum(1 for o in self._outboxes if o.channels)

    def _channels(self) -> dict[str, Channel | None]:
        indexed = self.ctx.manager.all_channels()
        if indexed is not self._indexed:  # replaced whenever channels come or go
            self._indexed = indexed
            self._resolved = None
        if self._resolved is None:
            resolved: dict[str, Channel | None] = {}
            for outbox in self._outboxes:
                for address in outbox.channels:
                    if address not in resolved:
                        try:
                            resolved[address] = self.ctx.manager.channel(address)
                        except ChannelNotFound:
                            resolved[address] = None  # may appear later (an app is installed)
            self._resolved = resolved
        return self._resolved

    def snapshot(self) -> Snapshot:
        return Snapshot(
            {
                address: None if channel is None else plain_value(channel)
                for address, channel in self._channels().items()
            }
        )

    # -- called from the cycle: no awaiting, no encoding, no sending ---------------------------
    def on_cycle(self, event: CycleDone) -> None:
        receivers = [o for o in self._outboxes if o.channels]
        if not receivers:
            return
        snapshot = self.snapshot()
        for outbox in receivers:
            outbox.push(snapshot)

    def on_config_change(self) -> None:
        self.config_version += 1
        self._resolved = None  # components may have come or gone
        for outbox in self._outboxes:
            if outbox.channels:
                outbox.config_changed = True
                outbox.ready.set()
