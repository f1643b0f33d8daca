"""Websocket slots: strangers are evicted oldest first, guests are capped, owners keep a reserve."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Protocol

from wattkeeper.api.users import Role

log = logging.getLogger(__name__)

TOTAL = 256
UNAUTHENTICATED = 64  # sockets that have not signed in yet, in all
UNAUTHENTICATED_PER_ADDRESS = 32
GUESTS = 192  # the rest of TOTAL is the reserve for owners, installers and admins
GUESTS_PER_ADDRESS = 32
AUTH_TIMEOUT = 10.0  # seconds a socket has to sign in
MESSAGE_RATE = 20.0  # requests per second per socket, sustained
MESSAGE_BURST = 100


class Member(Protocol):
    remote: str

    def evict(self, reason: str) -> None: ...


class SocketPool:
    def __init__(self) -> None:
        self._members: OrderedDict[Member, Role | None] = OrderedDict()  # oldest first

    def __len__(self) -> int:
        return len(self._members)

    def count(self, role: Role | None, remote: str | None = None) -> int:
        return sum(
            1
            for member, held in self._members.items()
            if held == role and (remote is None or member.remote == remote)
        )

    def join(self, member: Member) -> bool:
        """A new socket, not signed in: room is made by evicting the oldest stranger."""
        if self.count(None, member.remote) >= UNAUTHENTICATED_PER_ADDRESS:
            self._evict_stranger(member.remote)
        if self.count(None) >= UNAUTHENTICATED or len(self._members) >= TOTAL:
            self._evict_stranger(None)
        if len(self._members) >= TOTAL:
            return False  # every slot is held by a signed-in socket
        self._members[member] = None
        return True

    def sign_in(self, member: Member, role: Role) -> str | None:
        """None if the socket may hold the role; else why not (the socket stays a stranger)."""
        if role == Role.GUEST and self._members.get(member) != Role.GUEST:
            if self.count(Role.GUEST, member.remote) >= GUESTS_PER_ADDRESS:
                return f"too many guest connections from {member.remote}"
            if self.count(Role.GUEST) >= GUESTS:
                return "too many guest connections; the rest are kept for owners"
        self._members[member] = role
        return None

    def sign_out(self, member: Member) -> None:
        if member in self._members:
            self._members[member] = None

    def leave(self, member: Member) -> None:
        self._members.pop(member, None)

    def _evict_stranger(self, remote: str | None) -> None:
        for member, role in self._members.items():
            if role is None and (remote is None or member.remote == remote):
                del self._members[member]
                member.evict("too many connections that have not signed in")
                return
