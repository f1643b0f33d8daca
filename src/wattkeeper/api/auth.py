"""HTTP Basic authentication: the password selects the user; guesses are throttled.

A check of credentials not seen before is counted when it starts, per address and in all
(api/throttle.py), and waits its turn; past `MAX_WAIT` the answer is 429. Credentials that
succeeded before skip the throttle, even after the cache of verified logins was cleared, so an
attacker next door cannot lock out the household's integrations.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import logging
import secrets
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from wattkeeper.api.errors import ApiError, Code
from wattkeeper.api.passwords import verify_password
from wattkeeper.api.throttle import Throttle
from wattkeeper.api.users import Role, User, UserStore
from wattkeeper.core.clock import Clock

log = logging.getLogger(__name__)

REALM = 'Basic realm="wattkeeper", charset="UTF-8"'
FREE_FAILURES = 5  # attempts from one address checked at once; then 1 s, 2 s, 4 s, ... apart
BASE_DELAY = 1.0
MAX_INTERVAL = 60.0
GLOBAL_FREE = 30  # attempts from all addresses together; then 0.1 s, 0.2 s, ... apart
GLOBAL_BASE_DELAY = 0.1
GLOBAL_MAX_INTERVAL = 10.0
MEMORY = 900.0  # attempts are forgotten after 15 minutes
MAX_WAIT = 10.0  # an attempt that would wait longer is answered 429 at once (and not counted)
HASHES_IN_FLIGHT = 2  # password hashes computed at once, in worker threads
MAX_REMEMBERED = 4096  # verified and known-good credentials kept

T = TypeVar("T")


class Authenticator:
    def __init__(self, users: UserStore, clock: Clock) -> None:
        self.users = users
        self.clock = clock
        self._pepper = secrets.token_bytes(16)
        # digest of a credentials header → (user name, that user's hash when it was verified)
        self._verified: OrderedDict[bytes, tuple[str, str]] = OrderedDict()
        self._known: OrderedDict[bytes, None] = OrderedDict()  # succeeded at least once
        self._checks: dict[bytes, asyncio.Future[User | None]] = {}
        self.per_address = Throttle(clock, FREE_FAILURES, BASE_DELAY, MAX_INTERVAL, MEMORY)
        self.overall = Throttle(clock, GLOBAL_FREE, GLOBAL_BASE_DELAY, GLOBAL_MAX_INTERVAL, MEMORY)
        self._hashing: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        self.hashes = 0  # password hashes computed (for tests and benchmarks)

    def forget_sessions(self) -> None:
        """Call when passwords change: every client has to prove itself again."""
        self._verified.clear()

    async def authenticate(self, header: str | None, remote: str) -> User:
        if not header:
            raise unauthorized(
                "Authentication required (HTTP Basic; the password selects the user)"
            )
        # a keyed hash (BLAKE2b as a MAC) of the header, never the header: what is remembered
        # reveals no password, and a lookup's timing says nothing about a digest that nobody
        # without the key can compute
        key = hashlib.blake2b(header.encode(), key=self._pepper, digest_size=32).digest()
        user = self._cached(key)
        if user is not None:
            return user  # known good: never throttled, never slowed down
        username, password = _parse_basic(header)
        # identical logins in flight share one check (and one turn): after a restart every
        # integration reconnects at once with the same password
        pending = self._checks.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._check(key, username, password, remote))
            self._checks[key] = pending
            pending.add_done_callback(lambda _: self._checks.pop(key, None))
        user = await asyncio.shield(pending)
        if user is None:
            raise unauthorized("Authentication failed: wrong password")
        return user

    async def _check(self, key: bytes, username: str, password: str, remote: str) -> User | None:
        known = key in self._known
        if not known:
            await self.take_turn(remote)
        user = await self.hash_work(self._match, username, password)
        if user is None:
            self._known.pop(key, None)
            if known:  # a password that stopped working is a guess like any other from now on
                self.per_address.reserve(remote)
                self.overall.reserve("")
            return None
        if not known:
            self.give_back(remote)
        self._remember(self._verified, key, (user.name, user.password_hash))
        self._remember(self._known, key, None)
        return user

    async def authenticate_password(self, username: str | None, password: str, remote: str) -> User:
        """For the websocket's `authenticateWithPassword`."""
        raw = f"{username or 'x'}:{password}".encode()
        return await self.authenticate("Basic " + base64.b64encode(raw).decode(), remote)

    async def take_turn(self, remote: str) -> None:
        """Count a password check from `remote` and wait for its turn; 429 if that is too long."""
        wait = max(self.per_address.wait(remote), self.overall.wait(""))
        if wait > MAX_WAIT:
            raise ApiError(
                429,
                f"Too many failed logins from {remote}: try again in {int(wait) + 1} s",
                Code.AUTHENTICATION_FAILED,
                {"Retry-After": str(int(wait) + 1)},
            )
        wait = max(self.per_address.reserve(remote), self.overall.reserve(""))
        if self.per_address.count(remote) == FREE_FAILURES + 1:
            log.warning("repeated failed password checks from %s: throttling", remote)
        if wait > 0:
            await self.clock.sleep(wait)

    def give_back(self, remote: str) -> None:
        """The check succeeded: its own attempt is taken back (nobody else's)."""
        self.per_address.release(remote)
        self.overall.release("")

    async def hash_work(self, work: Callable[..., T], *args: object) -> T:
        """Password hashing off the event loop, a bounded number at a time."""
        loop = asyncio.get_running_loop()
        if self._hashing is None or self._hashing[0] is not loop:
            self._hashing = (loop, asyncio.Semaphore(HASHES_IN_FLIGHT))
        async with self._hashing[1]:
            self.hashes += 1
            return await asyncio.to_thread(work, *args)

    def _cached(self, key: bytes) -> User | None:
        entry = self._verified.get(key)
        if entry is None:
            return None
        user = self.users.users.get(entry[0])
        if user is None or not hmac.compare_digest(user.password_hash, entry[1]):
            del self._verified[key]  # the password changed: prove it again
            return None
        return user

    @staticmethod
    def _remember(cache: OrderedDict[bytes, T], key: bytes, value: T) -> None:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > MAX_REMEMBERED:
            cache.popitem(last=False)

    def _match(self, username: str, password: str) -> User | None:
        named = self.users.users.get(username)
        if named is not None:
            return named if verify_password(password, named.password_hash) else None
        for user in self.users.by_role():
            if verify_password(password, user.password_hash):
                return user
        return None


def _parse_basic(header: str) -> tuple[str, str]:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise unauthorized("Only HTTP Basic authentication is supported")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise unauthorized("Malformed HTTP Basic credentials") from None
    username, sep, password = decoded.partition(":")
    if not sep:
        raise unauthorized("Malformed HTTP Basic credentials: no ':' between user and password")
    return username, password


def unauthorized(message: str) -> ApiError:
    return ApiError(401, message, Code.AUTHENTICATION_FAILED, {"WWW-Authenticate": REALM})


def require(user: User, role: Role, action: str) -> None:
    if user.role < role:
        raise ApiError(
            403,
            f"Access denied: {action} needs role {role.wire} or higher; "
            f"user '{user.name}' has role {user.role.wire}",
            Code.ROLE_DENIED,
        )
