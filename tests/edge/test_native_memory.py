"""Password checks at the product's cost do not leave their 16 MB scrypt buffers resident."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from wattkeeper.api.passwords import COST_ENV

PROGRAM = """
import asyncio, sys
from wattkeeper.api.passwords import hash_password, verify_password
from wattkeeper.edge.runner import return_large_allocations

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024

if sys.argv[1] == "tuned":
    return_large_allocations()
stored = hash_password("user")
before = rss()
async def logins():  # as the authenticator checks passwords: in worker threads
    await asyncio.gather(*(asyncio.to_thread(verify_password, "user", stored) for _ in range(4)))
asyncio.run(logins())
print(rss() - before)
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads RSS from /proc")
def test_password_checks_give_their_memory_back() -> None:
    env = {k: v for k, v in os.environ.items() if k != COST_ENV}  # the product's cost
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, "-c", PROGRAM, "tuned"], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    # MB; untuned, glibc kept 16 MB per worker thread here: 60-80 MB after four checks
    assert float(out.stdout) < 8, out.stdout
