"""Channels are addressed by their declaration (typed handles); string ids stay for the network."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import wattkeeper
import wattkeeper.natures
from wattkeeper.core.channel import ChannelDoc, ChannelType
from wattkeeper.core.errors import ChannelNotFound
from wattkeeper.natures import ess as ess_ch
from wattkeeper.natures import meter as meter_ch
from wattkeeper.natures.ess import SymmetricEss
from wattkeeper.natures.meter import Meter

SRC = Path(wattkeeper.__file__).parent
NATURE_MODULES = [
    importlib.import_module(f"wattkeeper.natures.{info.name}")
    for info in pkgutil.iter_modules(wattkeeper.natures.__path__)
]


def _handles(module: object) -> dict[str, ChannelDoc]:
    """The handle constants the module itself assigns (not those it imports)."""
    tree = ast.parse(Path(str(getattr(module, "__file__", ""))).read_text(encoding="utf-8"))
    assigned = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    return {
        name: value
        for name, value in vars(module).items()
        if name in assigned and name.isupper() and isinstance(value, ChannelDoc)
    }


def _declared(module: object) -> list[ChannelDoc]:
    """Every ChannelDoc in the module's declaration tuples (SYMMETRIC_ESS, METER, ...)."""
    return [
        doc
        for value in vars(module).values()
        if isinstance(value, tuple)
        for doc in value
        if isinstance(doc, ChannelDoc)
    ]


def test_a_handle_and_its_string_id_address_the_same_channel() -> None:
    ess = SymmetricEss("ess0")
    ess.set(ess_ch.SOC, 42)
    assert ess.channel(ess_ch.SOC) is ess.channel("Soc")
    assert ess.channel("Soc").next == 42
    ess.channel(ess_ch.SOC).set_now(43)
    assert ess.value(ess_ch.SOC) == ess.value("Soc") == 43
    assert ess.channel(ess_ch.SOC).doc is ess_ch.SOC  # the declaration itself, not a copy


def test_a_handle_of_another_nature_is_not_found_on_a_component() -> None:
    ess = SymmetricEss("ess0")
    with pytest.raises(ChannelNotFound, match="ess0/Frequency"):
        ess.channel(meter_ch.FREQUENCY)
    with pytest.raises(ChannelNotFound, match="ess0/Sco"):
        ess.channel("Sco")


def test_phase_handles_are_the_declared_phase_channels() -> None:
    meter = Meter("meter0")
    names = [doc.name for doc in meter_ch.ACTIVE_POWER_PHASES]
    assert names == ["ActivePowerL1", "ActivePowerL2", "ActivePowerL3"]
    for doc in meter_ch.ACTIVE_POWER_PHASES:
        assert meter.channel(doc).doc is doc
        assert doc.type is ChannelType.INTEGER and doc.history is meter_ch.History.NONE


@pytest.mark.parametrize("module", NATURE_MODULES, ids=lambda m: m.__name__)
def test_every_nature_handle_is_the_channel_declared_once(module: object) -> None:
    declared = _declared(module)
    for name, handle in _handles(module).items():
        assert any(doc is handle for doc in declared), f"{name} is not in a declaration tuple"
    for value in vars(module).values():
        if isinstance(value, tuple) and value and all(isinstance(d, ChannelDoc) for d in value):
            names = [doc.name for doc in value]
            assert len(names) == len(set(names)), f"a channel is declared twice in {names}"


def _string_lookups(path: Path) -> list[tuple[int, str]]:
    """`x.value("Soc")`, `x.set("Soc", v)`, `x.channel("Soc")`, `x.channels["Soc"]`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        key: ast.expr | None = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            key = node.args[0] if node.func.attr in {"value", "set", "channel"} else None
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
            key = node.slice if node.value.attr == "channels" else None
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            found.append((node.lineno, key.value))
    return found


def test_no_module_addresses_a_nature_channel_by_a_string_literal() -> None:
    nature_names = {doc.name for module in NATURE_MODULES for doc in _declared(module)}
    offenders = [
        f"{path.relative_to(SRC)}:{line}: {name!r}"
        for path in sorted(SRC.rglob("*.py"))
        for line, name in _string_lookups(path)
        if name in nature_names
    ]
    assert offenders == []


def _loose_names(path: Path) -> list[tuple[int, str]]:
    """String constants anywhere but as the first argument of a call (a declaration)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    declaring = {
        id(node.args[0]) for node in ast.walk(tree) if isinstance(node, ast.Call) and node.args
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in declaring
    ]


@pytest.mark.parametrize("module", NATURE_MODULES, ids=lambda m: m.__name__)
def test_a_nature_names_its_channels_only_where_it_declares_them(module: object) -> None:
    """Sum fills ~90 channels each cycle: by handle, so a renamed channel cannot go stale."""
    names = {doc.name for doc in _declared(module)}
    path = Path(str(getattr(module, "__file__", "")))
    offenders = [
        f"{path.name}:{line}: {name!r}" for line, name in _loose_names(path) if name in names
    ]
    assert offenders == []
