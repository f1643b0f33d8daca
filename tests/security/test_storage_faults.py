"""A data directory that cannot be written: changes are refused whole, the battery is controlled."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import ADMIN, OWNER, basic, demo_with_write_access
from tests.security.conftest import follow
from wattkeeper.edge.app import Edge
from wattkeeper.testing.fake_clock import FakeClock


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """The folder and everything in it cannot be written, as on a read-only file system."""
    if os.geteuid() != 0:
        paths = [folder, *folder.rglob("*")]
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            for path in paths:
                path.chmod(0o755 if path.is_dir() else 0o644)
        return
    # root ignores modes; the immutable attribute stops root as well
    if subprocess.run(["chattr", "-R", "+i", str(folder)], capture_output=True).returncode:
        pytest.skip("chattr +i is not supported on this file system")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-R", "-i", str(folder)], check=True)


def rpc(method: str, params: dict) -> dict:
    return {"jsonrpc": "2.0", "id": "1", "method": method, "params": params}


async def test_a_read_only_data_directory_refuses_changes_and_still_controls(
    tmp_path: Path, start_edge, watch, caplog
) -> None:
    data = tmp_path / "data"
    first = Edge(demo_with_write_access(), data, FakeClock())
    await first.start()
    await first.stop()
    with read_only(data):
        edge = await start_edge(data_dir=data)
        assert edge.value("_host/DataDirectoryNotWritable") == 1
        assert edge.value("_host/State") == 3
        assert "cannot be written" in caplog.text
        follow(edge, watch)
        async with httpx.AsyncClient(base_url=edge.url, timeout=10) as client:
            changes = [
                (
                    "updateComponentConfig",
                    {
                        "componentId": "ctrlBalancing0",
                        "properties": [{"name": "targetGridSetpoint", "value": 777}],
                    },
                ),
                ("changePassword", {"newPassword": "another-admin-pw"}),
                ("deleteComponentConfig", {"componentId": "ctrlEmergencyCapacityReserve0"}),
            ]
            for method, params in changes:
                response = await client.post("/jsonrpc", json=rpc(method, params), headers=ADMIN)
                assert response.status_code == 503, response.text
                message = response.json()["error"]["message"]
                assert str(data) in message and "nothing was changed" in message
            write = await client.post(
                "/rest/channel/ess0/SetActivePowerEquals", json={"value": 1500}, headers=OWNER
            )
            assert write.status_code == 503 and "audit" in write.json()["error"]["message"]
            # nothing changed in memory
            assert edge.edge.manager.get("ctrlBalancing0").config.target_grid_setpoint == 0
            assert "ctrlEmergencyCapacityReserve0" in edge.edge.manager
            assert edge.edge.manager.get("ctrlApiRest0").held == {}
            assert (await client.get("/rest/channel/_sum/EssSoc", headers=ADMIN)).status_code == 200
            assert (
                await client.get("/rest/channel/_sum/EssSoc", headers=basic("another-admin-pw"))
            ).status_code == 401
        # the cycle keeps controlling the battery
        mark = watch.mark()
        await edge.until(lambda: len(watch.since(mark)) >= 3)
        assert edge.value("ess0/ActivePower") is not None
    # and after the fault: nothing of the refused changes reached the disk
    again = Edge(demo_with_write_access(), data, FakeClock())
    assert again.manager.get("ctrlBalancing0").config.target_grid_setpoint == 0
    assert "ctrlEmergencyCapacityReserve0" in again.manager
    assert again.api.audit.read() == []
    again.api.audit.close()
    again.history.close()
