"""The App Center's licence service in the backend: keys and redemptions in PostgreSQL.

The HTTP API, the checks and the signing are the vendor licence server's own
(`wattkeeper.licence_vendor`); only the storage differs. Every node serves it and keeps nothing:
a key bound to one edge is refused for another whichever node the request reaches, because the
binding is one row with the key as its primary key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.routing import Route

from wattkeeper.licence_vendor.minting import generate_key, sign_licence
from wattkeeper.licence_vendor.routes import licence_routes
from wattkeeper.licence_vendor.service import checked_request
from wattkeeper.licence_vendor.vendor_db import IssuedKey
from wattkeeper.licensing.errors import AlreadyRedeemedError, UnknownKeyError
from wattkeeper.licensing.licence import Clock, SignedLicence, utc_now

SCHEMA = """
CREATE TABLE IF NOT EXISTS fleet_licence_key (
    key text PRIMARY KEY CHECK (length(key) = 16),
    app_id text NOT NULL,
    issued_at timestamptz NOT NULL
);
-- the key is the primary key: PostgreSQL itself refuses to bind one key to two edges
CREATE TABLE IF NOT EXISTS fleet_licence_redemption (
    key text PRIMARY KEY REFERENCES fleet_licence_key(key),
    edge_id text NOT NULL,  -- the edge's own id (its data directory's), as the edge sends it
    redeemed_at timestamptz NOT NULL
);
"""
_MAX_COLLISION_RETRIES = 5


@dataclass(frozen=True, slots=True)
class LicenceSettings:
    """What a node needs to serve licences: the vendor's key, and the admin token for issuing."""

    signing_key: Ed25519PrivateKey
    admin_token: str | None = None  # None: POST /api/v1/keys is refused (403)


class FleetLicences:
    """Issue keys into PostgreSQL and redeem them into licences signed by the vendor key."""

    def __init__(
        self, pool: asyncpg.Pool, settings: LicenceSettings, clock: Clock = utc_now
    ) -> None:
        self.pool = pool
        self.settings = settings
        self._clock = clock

    @classmethod
    async def open(
        cls, pool: asyncpg.Pool, settings: LicenceSettings, clock: Clock = utc_now
    ) -> FleetLicences:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(1515)")  # the store's schema lock
            await conn.execute(SCHEMA)
        return cls(pool, settings, clock)

    def routes(self) -> list[Route]:
        """The licence server's API (same paths, JSON and errors), for the node to mount."""
        return licence_routes(self.issue, self.redeem, self.settings.admin_token, self._clock)

    async def issue(self, app_id: str) -> IssuedKey:
        """Mint a new key for ``app_id`` and record it (UnknownAppError if it has no code)."""
        issued_at = self._clock().replace(microsecond=0)
        for _ in range(_MAX_COLLISION_RETRIES):
            key = generate_key(app_id)
            stored = await self.pool.execute(
                "INSERT INTO fleet_licence_key VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                key.digits,
                app_id,
                issued_at,
            )
            if stored == "INSERT 0 1":
                return IssuedKey(key, app_id, issued_at)
            # 1 in 10^12 per key: a collision; draw again
        raise RuntimeError("could not draw an unused licence key; is the random source broken?")

    async def redeem(self, key_text: str, app_id: str, edge_id: str) -> SignedLicence:
        """Bind the key to ``edge_id`` and return a licence signed for that edge.

        Redeeming again on the same edge returns the same licence (same timestamp); another
        edge gets AlreadyRedeemedError (409), a key never issued UnknownKeyError (404).
        """
        key = checked_request(key_text, app_id, edge_id)
        now = self._clock().replace(microsecond=0)
        async with self.pool.acquire() as conn, conn.transaction():
            if await conn.fetchval("SELECT 1 FROM fleet_licence_key WHERE key = $1", key.digits):
                # two nodes at once: the second INSERT waits for the first and does nothing;
                # the SELECT after it (a new snapshot) sees the winner's row
                await conn.execute(
                    "INSERT INTO fleet_licence_redemption VALUES ($1, $2, $3) "
                    "ON CONFLICT (key) DO NOTHING",
                    key.digits,
                    edge_id,
                    now,
                )
                row = await conn.fetchrow(
                    "SELECT edge_id, redeemed_at FROM fleet_licence_redemption WHERE key = $1",
                    key.digits,
                )
            else:
                row = None
        if row is None:
            raise UnknownKeyError(f"licence key {key.formatted()} was never issued by this vendor")
        if row["edge_id"] != edge_id:
            raise AlreadyRedeemedError(
                f"licence key {key.formatted()} is already redeemed on another edge"
            )
        redeemed_at: datetime = row["redeemed_at"]
        return sign_licence(self.settings.signing_key, key, edge_id, redeemed_at)
