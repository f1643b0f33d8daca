"""Every component of the demo home and of each example site against the OpenEMS reference:
every channel of every nature it implements, with the reference's type, unit and access mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.conftest import demo_with_write_access
from tests.conformance.reference import (
    README,
    ROOT,
    RefChannel,
    deviation,
    deviations,
    nature_channels,
    property_channels,
    readme_with_section,
    reference,
)
from wattkeeper.config.site import SiteConfig, demo_site, load_site
from wattkeeper.core.component import Component
from wattkeeper.edge.app import Edge
from wattkeeper.testing.fake_clock import FakeClock

SUMMER_NOON = 1_782_036_000.0
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))


def _sites() -> dict[str, SiteConfig]:
    sites = {"demo home": demo_site(), "demo home with REST write": demo_with_write_access()}
    read_only = demo_site()
    read_only.components.append(
        demo_with_write_access()
        .components[-1]
        .model_copy(update={"factory": "Controller.Api.Rest.ReadOnly", "properties": {}})
    )
    sites["demo home with REST read-only"] = read_only
    for path in EXAMPLES:
        sites[path.name] = load_site(path)
    return sites


def _components(tmp_path: Path) -> list[tuple[str, Component]]:
    found = []
    for name, site in _sites().items():
        clock = FakeClock(SUMMER_NOON)
        edge = Edge(site, tmp_path / name.replace(" ", "-"), clock)
        for _ in range(3):
            clock.advance(1)
            edge.cycle.run_once()
        found += [(name, c) for c in edge.manager]
    return found


@pytest.fixture(scope="module")
def components(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Component]]:
    return _components(tmp_path_factory.mktemp("sites"))


def test_the_sites_cover_every_nature_we_implement(components) -> None:
    natures = {n for _, c in components for n in c.nature_ids()}
    assert {
        "OpenemsComponent", "Sum", "Meta", "Host", "Cycle", "SymmetricEss",
        "ManagedSymmetricEss", "HybridEss", "EssDcCharger", "ElectricityMeter", "Controller",
        "RestApi", "ControllerApiRestReadWrite", "ControllerApiRestReadOnly",
    } <= natures  # fmt: skip
    assert natures <= set(reference()["natures"])


def test_every_channel_of_every_nature_as_the_reference_declares_it(components) -> None:
    problems = []
    checked = 0
    for site, component in components:
        for nature in component.nature_ids():
            for ref in nature_channels(nature):
                known = deviation(ref.nature, ref.id)
                channel = component.channels.get(ref.id)
                where = f"{site}: {component.id}/{ref.id} ({ref.nature})"
                if channel is None:
                    if known is None or known.kind != "missing":
                        problems.append(f"{where}: missing")
                    continue
                checked += 1
                doc = channel.doc
                actual = (doc.type.value, doc.unit, doc.access.value)
                expected = (ref.type, ref.unit, ref.access)
                if actual != expected:
                    problems.append(f"{where}: {actual} instead of {expected}")
                category = {"value": "OPENEMS_TYPE", "enum": "ENUM", "state": "STATE"}[ref.kind]
                if doc.category != category or (doc.level or None) != ref.level:
                    problems.append(f"{where}: {doc.category} {doc.level} instead of {ref.kind}")
                if ref.kind == "enum" and dict(doc.options) != enum_options(ref):
                    problems.append(f"{where}: options {dict(doc.options)}")
    assert not problems, "\n".join(problems)
    assert checked > 500


def _reference_nature_of(component: Component) -> str | None:
    """The reference entry that lists this component's configuration (`_sum` → Sum, the REST
    controller's factory → ControllerApiRestReadWrite)."""
    for name, entry in reference()["natures"].items():
        if entry.get("componentId") == component.id or (
            component.factory_id and entry.get("factoryPid") == component.factory_id
        ):
            return name
    return None


def test_property_channels_of_the_reference_configurations(components) -> None:
    problems = []
    checked = 0
    for site, component in components:
        nature = _reference_nature_of(component)
        if nature is None:
            continue
        for ref in property_channels(nature):
            known = deviation(nature, ref["id"])
            channel = component.channels.get(ref["id"])
            where = f"{site}: {component.id}/{ref['id']}"
            if channel is None:
                if known is None or known.kind != "missing":
                    problems.append(f"{where}: missing")
                continue
            checked += 1
            actual = (channel.doc.type.value, channel.doc.unit, channel.doc.access.value)
            if actual != (ref["type"], ref["unit"], ref["access"]):
                problems.append(f"{where}: {actual}")
    assert not problems, "\n".join(problems)
    assert checked >= 20


def enum_options(ref: RefChannel) -> dict[str, int]:
    natures = reference()["natures"]
    entry = next(c for c in natures[ref.nature]["channels"] if c["id"] == ref.id)
    values: dict[str, int] = reference()["enum_options"][entry["options"]]["values"]
    return values


def test_state_is_an_integer_level_on_every_component(components) -> None:
    for site, component in components:
        state = component.channels["State"]
        assert isinstance(state.value, int) and 0 <= state.value <= 3, (site, component.id)


def test_values_carry_their_unit_and_type(components) -> None:
    """A value is of its declared type: integers for INTEGER/LONG, 0/1 for BOOLEAN, strings."""
    for site, component in components:
        for channel in component.channels.values():
            value, kind = channel.value, channel.doc.type.value
            if value is None:
                continue
            if kind in ("INTEGER", "LONG", "SHORT"):
                assert type(value) is int, (site, channel.address, value)
            elif kind == "BOOLEAN":
                assert value in (0, 1), (site, channel.address, value)
            elif kind == "STRING":
                assert isinstance(value, str), (site, channel.address, value)
            else:
                assert isinstance(value, int | float), (site, channel.address, value)


def test_the_demo_home_carries_real_values_in_its_hybrid_channels(components) -> None:
    demo = {c.id: c for site, c in components if site == "demo home"}
    must_know = {
        "ess0": ["DcDischargePower", "DcChargeEnergy", "DcDischargeEnergy", "MinCellVoltage"],
        "charger0": ["ActualPower", "ActualEnergy", "Voltage", "Current", "MaxActualPower"],
        "meter0": [f"{n}{p}" for n in ("ActivePower", "Voltage", "Current") for p in ("L1", "L2", "L3")],
        "_meta": ["Version", "SystemTimeUtc"],
        "_host": ["Hostname", "OsVersion"],
        "_cycle": ["MeasuredCycleTime"],
    }  # fmt: skip
    for component_id, names in must_know.items():
        for name in names:
            assert demo[component_id].value(name) is not None, f"{component_id}/{name}"
    assert demo["charger0"].value("ActualPower") > 0  # noon
    assert demo["meter0"].value("Frequency") == 50_000  # mHz


def test_sum_is_null_only_where_the_deviation_list_says_so(components) -> None:
    demo_sum = next(c for site, c in components if site == "demo home" and c.id == "_sum")
    unknown = sorted(n for n, ch in demo_sum.channels.items() if ch.value is None)
    allowed = {d.channel for d in deviations() if d.nature == "Sum" and d.kind == "null"}
    assert all(any(name.startswith(a) for a in allowed) for name in unknown), unknown
    assert len([n for n in demo_sum.channels if not n.startswith("_Property")]) == 64


def test_every_deviation_is_still_true(components) -> None:
    for item in deviations():
        holders = [
            c
            for _, c in components
            if item.nature in c.nature_ids() or _reference_nature_of(c) == item.nature
        ]
        assert holders, f"no component implements {item.nature}"
        for component in holders:
            channel = component.channels.get(item.channel)
            if item.kind == "missing":
                assert channel is None, f"{component.id}/{item.channel} exists now"
            else:
                assert channel is not None and channel.value is None, item


def test_readme_compatibility_section_is_generated_from_the_deviation_list() -> None:
    text = README.read_text(encoding="utf-8")
    assert text == readme_with_section(text), (
        "README's compatibility section is out of date: run `python -m tests.conformance.reference`"
    )
