"""Site-file errors name the key; the demo home is valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from wattkeeper.config.site import demo_site, load_site, parse_site
from wattkeeper.core.errors import ConfigError
from wattkeeper.edge.app import Edge
from wattkeeper.testing.fake_clock import FakeClock

BATTERY = """
[[components]]
id = "ess0"
factory = "Simulator.EssSymmetric.Reacting"
[components.properties]
{props}
"""


def edge_for(text: str, tmp_path: Path) -> Edge:
    return Edge(parse_site(text), tmp_path, FakeClock())


def test_demo_home_builds() -> None:
    assert {c.id for c in demo_site().components} >= {"ess0", "meter0", "ctrlBalancing0"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            BATTERY.format(props="capacty = 5000"),
            "(Simulator.EssSymmetric.Reacting): property 'capacty': unknown property",
        ),
        (
            BATTERY.format(props="capacity = -1"),
            "property 'capacity': Input should be greater than 0",
        ),
        (BATTERY.format(props='initialSoc = "full"'), "property 'initialSoc'"),
        ('[[components]]\nid = "x0"\nfactory = "No.Such.Thing"', "unknown factory 'No.Such.Thing'"),
    ],
)
def test_bad_component_properties_name_the_key(text: str, expected: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=None) as caught:
        edge_for(text, tmp_path)
    assert expected in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[edge]\nperiod_mss = 100", "'edge.period_mss': unknown key"),
        ("[edge]\nperiod_ms = 1", "'edge.period_ms': Input should be greater than or equal to 50"),
        ('[[components]]\nid = "ess0"\nfactor = "x"', "'components[ess0].factor': unknown key"),
        (
            '[[components]]\nid = "a"\nfactory = "x"\n[[components]]\nid = "a"\nfactory = "x"',
            "'a' is used twice",
        ),
        ("[edge\n", "not valid TOML"),
    ],
)
def test_bad_site_file_names_the_key(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_site(text, "site.toml")
    assert expected in str(caught.value)
    assert str(caught.value).startswith("site.toml")


def test_missing_site_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read site file"):
        load_site(tmp_path / "nope.toml")
