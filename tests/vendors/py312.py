"""The Python >= 3.12 interpreter with the vendor libraries (scripts/vendor-clients.sh), or a
clean skip saying why it is missing."""

from __future__ import annotations

import asyncio
import json
import subprocess
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


@cache
def _python() -> tuple[str | None, str]:
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "vendor-clients.sh")],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode == 0:
        return done.stdout.strip().splitlines()[-1], ""
    return None, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"


def python312() -> str:
    python, why = _python()
    if python is None:
        pytest.skip(f"no Python >= 3.12 for the vendor libraries: {why}")
    return python


async def run_client(script: str, *args: str, timeout: float = 60.0) -> dict[str, object]:
    """Run tests/vendors/<script> in that interpreter; its JSON answer."""
    process = await asyncio.create_subprocess_exec(
        python312(),
        str(ROOT / "tests" / "vendors" / script),
        *args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode == 0, err.decode()[-2000:]
    result: dict[str, object] = json.loads(out.decode().strip().splitlines()[-1])
    return result
