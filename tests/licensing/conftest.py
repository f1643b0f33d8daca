"""Shared fixtures for the edge's licensing tests."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


@pytest.fixture
def foreign_key() -> Ed25519PrivateKey:
    """A vendor key the edge does not trust (an attacker's, or another vendor's)."""
    return Ed25519PrivateKey.generate()
