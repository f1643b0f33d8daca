"""Password hashing with a salted, slow KDF (scrypt from the standard library)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

# scrypt cost: ~30-60 ms per check on a small edge computer; successes are cached by auth.
STRONG_N, _R, _P = 2**14, 8, 1
# Tests set a cheap cost here (inherited by the edges they start as subprocesses); a product
# never does. Verification always uses the cost stored with the hash.
COST_ENV = "WATTKEEPER_SCRYPT_N"


def _cost_n() -> int:
    raw = os.environ.get(COST_ENV)
    if raw is None:
        return STRONG_N
    n = int(raw)
    if n < 2 or n & (n - 1):
        raise ValueError(f"{COST_ENV} must be a power of two >= 2, not {raw!r}")
    return n


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    n = _cost_n()
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=_R, p=_P, dklen=32)
    return f"scrypt${n}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
