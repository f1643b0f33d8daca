"""REST channel reads assembled from the cycle's snapshot, answered once per cycle, role and query.

A single address is one dict lookup in the snapshot's index, whatever the channel count; a
pattern is matched against component ids first, then against the names of the matching
components' channels only. The answer's bytes are kept until the next cycle publishes, keyed
by role as well as query: a private channel is in an owner's answer and never in a guest's.
"""

from __future__ import annotations

from wattkeeper.api.paths import split_address
from wattkeeper.api.patterns import PLAIN_ID, compile_pattern
from wattkeeper.api.users import Role
from wattkeeper.core.snapshot import Snapshot, SnapshotSource

MAX_CACHED = 256  # answers kept per cycle; dashboards repeat a handful of queries


class ChannelReads:
    def __init__(self, source: SnapshotSource) -> None:
        self.source = source
        self._for: Snapshot | None = None
        self._answers: dict[tuple[bool, str], bytes | None] = {}
        #: channel slots looked at by uncached reads (tests count work with it)
        self.visited = 0

    def read(self, role: Role, address: str) -> bytes | None:
        """The UTF-8 JSON of every channel `role` may read matching `address`
        (`<component pattern>/<channel pattern>`): an object for one channel, else an array;
        None when none matches. Raises InvalidPattern, or ApiError for a malformed address."""
        snapshot = self.source.current()
        if snapshot is not self._for:
            self._for = snapshot
            self._answers = {}  # a new cycle: every answer is built again, once
        # the role's only effect on an answer is whether private channels are in it
        key = (role >= Role.OWNER, address)
        answers = self._answers
        if key in answers:
            return answers[key]  # the same query in this cycle: not even split again
        component, channel = split_address(address)
        slots = self._match(snapshot, component, channel, key[0])
        text: bytes | None = None
        if len(slots) == 1:
            text = snapshot.rest_json(slots[0]).encode()
        elif slots:
            text = ("[" + ",".join([snapshot.rest_json(s) for s in slots]) + "]").encode()
        if len(answers) >= MAX_CACHED:
            answers.clear()
        answers[key] = text
        return text

    def _match(self, snapshot: Snapshot, component: str, channel: str, private: bool) -> list[int]:
        index = snapshot.index
        spans: list[tuple[str, tuple[int, int]]]
        if PLAIN_ID.fullmatch(component):
            span = index.components.get(component)
            spans = [] if span is None else [(component, span)]
        else:
            pattern = compile_pattern(component)
            spans = [(c, s) for c, s in index.components.items() if pattern.fullmatch(c)]
            self.visited += len(index.components)
        slots: list[int]
        if PLAIN_ID.fullmatch(channel):
            position = index.position
            found = [position.get(f"{c}/{channel}") for c, _ in spans]
            slots = [s for s in found if s is not None]
            self.visited += len(spans)
        else:
            names = index.names
            if channel == ".*":
                slots = [slot for _, (start, stop) in spans for slot in range(start, stop)]
            else:
                pattern = compile_pattern(channel)
                slots = [
                    slot
                    for _, (start, stop) in spans
                    for slot in range(start, stop)
                    if pattern.fullmatch(names[slot])
                ]
            self.visited += sum(stop - start for _, (start, stop) in spans)
        if not private:
            hidden = index.private
            slots = [s for s in slots if not hidden[s]]
        return slots
