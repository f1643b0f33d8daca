"""A crash at any write leaves the App Center and the components agreeing, before or after."""

from __future__ import annotations

import json
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from wattkeeper.api import users
from wattkeeper.apps.catalog import CATALOG
from wattkeeper.config import state
from wattkeeper.config.site import demo_site
from wattkeeper.edge.app import Edge
from wattkeeper.files import atomic
from wattkeeper.licence_vendor import issue_offline
from wattkeeper.testing.fake_clock import FakeClock

RW = "App.Api.RestJson.ReadWrite"
RO = "App.Api.RestJson.ReadOnly"
RESERVE = "App.Ess.EmergencyCapacityReserve"


class Crash(BaseException):
    """The process dies here: nothing after it runs, no rollback, no cleanup."""


async def started(data_dir: Path) -> Edge:
    edge = Edge(demo_site(), data_dir, FakeClock())
    await edge.start()
    return edge


def snapshot(edge: Edge) -> tuple[Any, ...]:
    """(installed apps, components, passwords), after checking that apps and components agree."""
    entries = {e.id: e.factory for e in edge.configurator.entries()}
    owned: set[str] = set()
    for instance in edge.apps.instances:
        spec = CATALOG[instance.app_id]
        for expected in spec.components(spec.properties.model_validate(instance.properties)):
            assert entries.get(expected.id) == expected.factory, (instance.app_id, entries)
            owned.add(expected.id)
    for spec in CATALOG.values():
        for cid in spec.component_ids():
            assert cid not in entries or cid in owned, f"{cid} runs without its app"
    assert {e.id for e in edge.configurator.entries() if e.enabled} <= {c.id for c in edge.manager}
    properties = {
        e.id: json.dumps(e.properties, sort_keys=True) for e in edge.configurator.entries()
    }
    passwords = {u.name: u.password_hash for u in edge.users.users.values()}
    return frozenset(i.app_id for i in edge.apps.instances), entries, properties, passwords


def crash_at(monkeypatch: pytest.MonkeyPatch, point: int) -> list[int]:
    """Make the `point`-th moment (before or after each atomic write) a crash."""
    seen = [0]

    def writing(path: Path, text: str, real: Callable[[Path, str], None]) -> None:
        for after in (False, True):
            if seen[0] == point:
                raise Crash(f"{'after' if after else 'before'} writing {path.name}")
            seen[0] += 1
            if not after:
                real(path, text)

    for module in (state, users):
        real = module.write_atomically
        monkeypatch.setattr(module, "write_atomically", lambda p, t, real=real: writing(p, t, real))
    return seen


async def install_rw(edge: Edge, key: str) -> Any:
    return await edge.apps.install(RW, key)


async def remove_app(app_id: str, edge: Edge, key: str) -> Any:
    instance = next(i for i in edge.apps.instances if i.app_id == app_id)
    return await edge.apps.remove(instance.instance_id)


async def update_config(edge: Edge, key: str) -> Any:
    return await edge.configurator.update("ctrlBalancing0", {"targetGridSetpoint": 123})


async def change_password(edge: Edge, key: str) -> Any:
    edge.users.set_password("owner", "n3w-owner-pw")


OPERATIONS: dict[str, Callable[[Edge, str], Awaitable[Any]]] = {
    "install": install_rw,
    "remove": lambda edge, key: remove_app(RW, edge, key),
    "remove-site-component": lambda edge, key: remove_app(RESERVE, edge, key),
    "config": update_config,
    "password": change_password,
}


@pytest.mark.parametrize("name", OPERATIONS)
async def test_a_crash_at_any_write_leaves_consistent_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    template = tmp_path / "template"
    edge = await started(template)
    key = issue_offline(RW, template).key.formatted()
    if name == "remove":
        await edge.apps.install(RW, key)
    reference = await started(template)
    before = snapshot(reference)
    # the template quiet on disk before it is copied: an open database's -wal and -shm files
    # vanish whenever the collector closes it, in the middle of a copy
    for opened in (edge, reference):
        await opened.stop()
    outcomes = set()
    for point in range(20):
        data_dir = tmp_path / f"crash{point}"
        shutil.copytree(template, data_dir)
        edge = await started(data_dir)
        with monkeypatch.context() as patch:
            crash_at(patch, point)
            try:
                await OPERATIONS[name](edge, key)
                crashed = False
            except Crash:
                crashed = True
        # a new process on what the disk holds
        again = await started(data_dir)
        after = snapshot(again)
        assert not [p for p in data_dir.iterdir() if atomic.TEMP_MARK in p.name]
        outcomes.add(after == before)
        if not crashed:
            final = after
            break
    else:
        pytest.fail("the operation never finished")
    assert final != before
    assert outcomes == {True, False}  # crashes before the write: as before; after: as after
    assert point >= 1  # at least one crash point was tried before and after the write


async def test_removed_site_components_stay_removed(tmp_path: Path) -> None:
    edge = await started(tmp_path)
    assert "ctrlEmergencyCapacityReserve0" in edge.manager  # from the site file, adopted
    await remove_app(RESERVE, edge, "")
    for _ in range(2):
        again = await started(tmp_path)
        assert "ctrlEmergencyCapacityReserve0" not in again.manager
        assert RESERVE not in {i.app_id for i in again.apps.instances}


async def test_leftover_temporary_files_are_removed_at_start(tmp_path: Path) -> None:
    await started(tmp_path)
    leftover = tmp_path / f".state.json{atomic.TEMP_MARK}abc123"
    leftover.write_text("{half")
    await started(tmp_path)
    assert not leftover.exists()
