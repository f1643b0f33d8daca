"""From a fresh data directory to the seed's Python example, using only public interfaces."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from tests.e2e.test_seed_example import SEED_EXAMPLE
from wattkeeper.cli import main
from wattkeeper.config.site import demo_site


async def test_issue_redeem_write(start_edge, tmp_path: Path, capsys) -> None:
    data_dir = tmp_path / "fresh"
    live = await start_edge(demo_site(), data_dir=data_dir)
    seed = tmp_path / "seed.py"
    seed.write_text(SEED_EXAMPLE.replace("192.168.0.23:80", f"127.0.0.1:{live.ports[0]}"))

    def run_seed():
        return subprocess.run(
            [sys.executable, str(seed)], capture_output=True, text=True, timeout=60
        )

    refused = await asyncio.to_thread(run_seed)
    assert refused.returncode != 0 and "403" in refused.stderr

    # 1. the vendor (here: the demo vendor) issues a key
    assert (
        await asyncio.to_thread(
            main,
            [
                "license",
                "issue",
                "--app",
                "App.Api.RestJson.ReadWrite",
                "--data-dir",
                str(data_dir),
            ],
        )
        == 0
    )
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert len(key) == 19 and key.count("-") == 3
    # 2. the owner redeems it in the App Center
    assert (
        await asyncio.to_thread(
            main, ["apps", "install", "App.Api.RestJson.ReadWrite", "--key", key, "--url", live.url]
        )
        == 0
    )
    assert await asyncio.to_thread(main, ["apps", "list", "--url", live.url]) == 0
    assert "App.Api.RestJson.ReadWrite" in [
        line.split()[0] for line in capsys.readouterr().out.splitlines() if "installed" in line
    ]
    # 3. the document's example works
    accepted = await asyncio.to_thread(run_seed)
    assert accepted.returncode == 0, accepted.stderr
    await live.until(lambda: live.value("ess0/ActivePower") == 5000)

    assert (
        await asyncio.to_thread(
            main, ["apps", "remove", "App.Api.RestJson.ReadWrite", "--url", live.url]
        )
        == 0
    )
    await live.until(lambda: live.value("ess0/ActivePower") != 5000)
