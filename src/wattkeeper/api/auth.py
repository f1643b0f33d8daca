"""HTTP Basic authentication: the password selects the user; failed guesses are throttled."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import logging
import secrets
from dataclasses import dataclass

from wattkeeper.api.errors import ApiError, Code
from wattkeeper.api.passwords import verify_password
from wattkeeper.api.users import Role, User, UserStore
from wattkeeper.core.clock import Clock

log = logging.getLogger(__name__)

REALM = 'Basic realm="wattkeeper", charset="UTF-8"'
FREE_FAILURES = 5  # failures allowed before an address has to wait
MAX_LOCKOUT = 300.0


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0


class Authenticator:
    def __init__(self, users: UserStore, clock: Clock) -> None:
        self.users = users
        self.clock = clock
        self._pepper = secrets.token_bytes(16)
        self._verified: dict[bytes, str] = {}  # digest of a credentials header → user name
        self._failures: dict[str, _Failures] = {}
        self._checks: dict[bytes, asyncio.Future[User | None]] = {}

    def forget_sessions(self) -> None:
        """Call when passwords change: every client has to prove itself again."""
        self._verified.clear()

    async def authenticate(self, header: str | None, remote: str) -> User:
        if not header:
            raise unauthorized(
                "Authentication required (HTTP Basic; the password selects the user)"
            )
        key = hashlib.sha256(self._pepper + header.encode()).digest()
        name = self._verified.get(key)
        if name is not None and name in self.users.users:
            return self.users.users[name]  # known good: never throttled, never slowed down
        self._check_lockout(remote)
        username, password = _parse_basic(header)
        # identical logins in flight share one check: after a restart every integration
        # reconnects at once with the same password, and scrypt costs ~50 ms of CPU each
        pending = self._checks.get(key)
        if pending is None:
            pending = asyncio.ensure_future(asyncio.to_thread(self._match, username, password))
            self._checks[key] = pending
            pending.add_done_callback(lambda _: self._checks.pop(key, None))
        user = await asyncio.shield(pending)
        if user is None:
            self._fail(remote)
            raise unauthorized("Authentication failed: wrong password")
        self._failures.pop(remote, None)
        if len(self._verified) > 10_000:
            self._verified.clear()
        self._verified[key] = user.name
        return user

    async def authenticate_password(self, username: str | None, password: str, remote: str) -> User:
        """For the websocket's `authenticateWithPassword`."""
        raw = f"{username or 'x'}:{password}".encode()
        return await self.authenticate("Basic " + base64.b64encode(raw).decode(), remote)

    def _match(self, username: str, password: str) -> User | None:
        named = self.users.users.get(username)
        if named is not None:
            return named if verify_password(password, named.password_hash) else None
        for user in self.users.by_role():
            if verify_password(password, user.password_hash):
                return user
        return None

    def _check_lockout(self, remote: str) -> None:
        failures = self._failures.get(remote)
        if failures is None:
            return
        wait = failures.locked_until - self.clock.monotonic()
        if wait > 0:
            raise ApiError(
                429,
                f"Too many failed logins from {remote}: try again in {int(wait) + 1} s",
                Code.AUTHENTICATION_FAILED,
                {"Retry-After": str(int(wait) + 1)},
            )

    def _fail(self, remote: str) -> None:
        failures = self._failures.setdefault(remote, _Failures())
        failures.count += 1
        if failures.count >= FREE_FAILURES:
            delay = min(2.0 ** (failures.count - FREE_FAILURES), MAX_LOCKOUT)
            failures.locked_until = self.clock.monotonic() + delay
            if failures.count == FREE_FAILURES:
                log.warning("repeated failed logins from %s: throttling", remote)
        if len(self._failures) > 10_000:  # bound memory under a distributed attack
            self._failures.clear()


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
