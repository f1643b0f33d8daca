"""Run-time configuration changes are persisted atomically and survive a restart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wattkeeper.config.site import ComponentEntry, demo_site
from wattkeeper.core.errors import ConfigError
from wattkeeper.edge.app import Edge
from wattkeeper.testing.fake_clock import FakeClock


def new_edge(data_dir: Path) -> Edge:
    return Edge(demo_site(), data_dir, FakeClock())


async def test_update_create_delete_survive_a_restart(tmp_path: Path) -> None:
    edge = new_edge(tmp_path)
    await edge.configurator.update("ctrlBalancing0", {"targetGridSetpoint": 250})
    await edge.configurator.create(
        ComponentEntry(
            id="ctrlFix0", factory="Controller.Ess.FixActivePower", properties={"power": 100}
        )
    )
    await edge.configurator.delete("ctrlEmergencyCapacityReserve0")

    again = new_edge(tmp_path)
    assert again.manager.get("ctrlBalancing0").config.target_grid_setpoint == 250
    assert again.manager.get("ctrlFix0").config.power == 100
    assert "ctrlEmergencyCapacityReserve0" not in again.manager
    assert again.edge_id == edge.edge_id
    saved = json.loads((tmp_path / "state.json").read_text())["components"]
    assert saved["updated"]["ctrlBalancing0"] == {"targetGridSetpoint": 250}


async def test_invalid_update_changes_nothing(tmp_path: Path) -> None:
    edge = new_edge(tmp_path)
    with pytest.raises(ConfigError, match="targetGridSetpoint"):
        await edge.configurator.update("ctrlBalancing0", {"targetGridSetpoint": "lots"})
    assert edge.manager.get("ctrlBalancing0").config.target_grid_setpoint == 0
    assert not (tmp_path / "state.json").exists()


async def test_no_temporary_files_are_left_behind(tmp_path: Path) -> None:
    edge = new_edge(tmp_path)
    for value in range(5):
        await edge.configurator.update("ctrlBalancing0", {"targetGridSetpoint": value})
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert (tmp_path / "state.json").exists()
