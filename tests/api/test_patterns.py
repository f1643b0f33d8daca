"""Finding channels by full-match regular expressions."""

from __future__ import annotations

import pytest

from wattkeeper.api.patterns import InvalidPattern, match_channels


@pytest.fixture
def manager(make_edge):
    return make_edge().edge.manager


def addresses(channels) -> list[str]:
    return sorted(c.address for c in channels)


def test_exact_and_alternation(manager) -> None:
    assert addresses(match_channels(manager, "_sum", "EssSoc")) == ["_sum/EssSoc"]
    assert addresses(match_channels(manager, "_sum", "(EssSoc|GridActivePower)")) == [
        "_sum/EssSoc",
        "_sum/GridActivePower",
    ]
    assert addresses(match_channels(manager, "(ess0|_sum)", "(Soc|EssSoc)")) == [
        "_sum/EssSoc",
        "ess0/Soc",
    ]


def test_full_match_only(manager) -> None:
    assert match_channels(manager, "ess", "Soc") == []
    assert match_channels(manager, "ess0", "So") == []
    assert addresses(match_channels(manager, "ess.", "Soc")) == ["ess0/Soc"]


def test_all_channels(manager) -> None:
    assert len(match_channels(manager, ".*", ".*")) == len(manager.all_channels())
    assert all(c.component_id == "ess0" for c in match_channels(manager, "ess0", ".*"))


def test_invalid_pattern(manager) -> None:
    with pytest.raises(InvalidPattern, match="Invalid or unsupported regular expression"):
        match_channels(manager, "_sum", "(Ess")
