"""Constants shared by the licensing tests, edge and vendor side (importable, unlike conftest)."""

from __future__ import annotations

from datetime import UTC, datetime

FIXED_NOW = datetime(2026, 3, 14, 15, 9, 26, 535897, tzinfo=UTC)
REST = "App.Api.RestJson.ReadWrite"
MODBUS = "App.Api.ModbusTcp.ReadWrite"
EDGE_A = "edge-a-0001"
EDGE_B = "edge-b-0002"


def fixed_clock() -> datetime:
    return FIXED_NOW
