"""HTTP connections per address and in all: idle ones make room for new ones, nothing hoards."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Protocol

log = logging.getLogger(__name__)

PER_ADDRESS = 64
TOTAL = 1024


class Tracked(Protocol):
    def remote(self) -> str: ...

    def idle(self) -> bool:
        """True while no request is being answered (waiting for, or receiving, a head)."""
        ...

    def drop(self) -> None: ...


class ConnectionGuard:
    """Admits every new connection by closing the oldest idle one when a limit is reached.

    A client that opens sockets and sends nothing (or a head byte by byte) holds only idle
    connections, so it can never keep another client out: the newcomer takes the oldest slot.
    Only when every connection is busy answering a request is a newcomer turned away.
    """

    def __init__(self, per_address: int = PER_ADDRESS, total: int = TOTAL) -> None:
        self.per_address = per_address
        self.total = total
        self._open: OrderedDict[Tracked, str] = OrderedDict()  # oldest first
        self._by_address: dict[str, int] = {}
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._open)

    def admit(self, connection: Tracked) -> bool:
        remote = connection.remote()
        if self._by_address.get(remote, 0) >= self.per_address and not self._evict(remote):
            return False
        if len(self._open) >= self.total and not self._evict(None):
            return False
        self._open[connection] = remote
        self._by_address[remote] = self._by_address.get(remote, 0) + 1
        return True

    def release(self, connection: Tracked) -> None:
        remote = self._open.pop(connection, None)
        if remote is None:
            return
        left = self._by_address[remote] - 1
        if left:
            self._by_address[remote] = left
        else:
            del self._by_address[remote]

    def _evict(self, remote: str | None) -> bool:
        for connection, address in self._open.items():
            if (remote is None or address == remote) and connection.idle():
                self.release(connection)
                connection.drop()
                self.evicted += 1
                if self.evicted % 1000 == 1:
                    log.warning("connection limit reached: closing idle connections (%s)", address)
                return True
        return False
