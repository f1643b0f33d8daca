"""The backend's tables in PostgreSQL: metadata, and time series partitioned by time.

Raw values (`timestampedData`) go into daily partitions kept for a short window; 5-minute
aggregates (`aggregatedData`, `resendData`) into monthly partitions kept for years. Dropping a
whole partition is how old data leaves: no DELETE, no vacuum of a huge table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

SCHEMA = """
CREATE TABLE IF NOT EXISTS fleet_user (
    name text PRIMARY KEY,
    password_hash text NOT NULL
);
CREATE TABLE IF NOT EXISTS fleet_edge (
    id text PRIMARY KEY,
    apikey_sha256 bytea UNIQUE NOT NULL,
    comment text NOT NULL DEFAULT '',
    last_seen timestamptz,
    online_node text  -- the node holding its socket (NULL: offline)
);
-- a role per user and edge: owner of edge A is nothing on edge B unless a row says so
CREATE TABLE IF NOT EXISTS fleet_role (
    user_name text NOT NULL REFERENCES fleet_user(name) ON DELETE CASCADE,
    edge_id text NOT NULL REFERENCES fleet_edge(id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('guest', 'owner', 'installer', 'admin')),
    PRIMARY KEY (user_name, edge_id)
);
CREATE INDEX IF NOT EXISTS fleet_role_edge ON fleet_role (edge_id);
-- the UI websocket's sign-in tokens: any node accepts them; bound to the password they proved
CREATE TABLE IF NOT EXISTS fleet_token (
    token_sha256 bytea PRIMARY KEY,
    user_name text NOT NULL REFERENCES fleet_user(name) ON DELETE CASCADE,
    password_hash text NOT NULL,
    issued timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS fleet_token_user ON fleet_token (user_name, issued);
CREATE TABLE IF NOT EXISTS fleet_sample (
    edge_id text NOT NULL,
    channel text NOT NULL,
    ts timestamptz NOT NULL,
    value double precision,
    PRIMARY KEY (edge_id, channel, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE IF NOT EXISTS fleet_aggregate (
    edge_id text NOT NULL,
    channel text NOT NULL,
    ts timestamptz NOT NULL,
    value double precision,
    PRIMARY KEY (edge_id, channel, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE IF NOT EXISTS fleet_dispatch (
    id text PRIMARY KEY,
    created_by text NOT NULL,
    address text NOT NULL,
    value double precision NOT NULL,
    until timestamptz NOT NULL,
    state text NOT NULL,
    report jsonb NOT NULL DEFAULT '{}'
);
"""

RAW = "fleet_sample"
AGGREGATES = "fleet_aggregate"


def partition_bounds(table: str, ts: float) -> tuple[str, datetime, datetime]:
    """The partition of `table` that holds `ts`: a day of raw values, a month of aggregates."""
    moment = datetime.fromtimestamp(ts, UTC)
    if table == RAW:
        start = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
        return f"{table}_{start:%Y%m%d}", start, start + timedelta(days=1)
    start = datetime(moment.year, moment.month, 1, tzinfo=UTC)
    following = datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=UTC)
    return f"{table}_{start:%Y%m}", start, following


def create_partition_sql(table: str, ts: float) -> tuple[str, str]:
    """(partition name, CREATE TABLE … PARTITION OF … statement) for the slot holding `ts`."""
    name, start, stop = partition_bounds(table, ts)
    return name, (
        f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {table} "
        f"FOR VALUES FROM ('{start.isoformat()}') TO ('{stop.isoformat()}')"
    )
