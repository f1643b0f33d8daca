"""Finding channels by full-match regular expressions."""

from __future__ import annotations

import pytest

from wattkeeper.core.manager import InvalidPattern


@pytest.fixture
def manager(make_edge):
    return make_edge().edge.manager


def addresses(channels) -> list[str]:
    return sorted(c.address for c in channels)


def test_exact_and_alternation(manager) -> None:
    assert addresses(manager.match("_sum", "EssSoc")) == ["_sum/EssSoc"]
    assert addresses(manager.match("_sum", "(EssSoc|GridActivePower)")) == [
        "_sum/EssSoc",
        "_sum/GridActivePower",
    ]
    assert addresses(manager.match("(ess0|_sum)", "(Soc|EssSoc)")) == ["_sum/EssSoc", "ess0/Soc"]


def test_full_match_only(manager) -> None:
    assert manager.match("ess", "Soc") == []
    assert manager.match("ess0", "So") == []
    assert addresses(manager.match("ess.", "Soc")) == ["ess0/Soc"]


def test_all_channels(manager) -> None:
    assert len(manager.match(".*", ".*")) == len(manager.all_channels())
    assert all(c.component_id == "ess0" for c in manager.match("ess0", ".*"))


def test_invalid_pattern(manager) -> None:
    with pytest.raises(InvalidPattern, match="Invalid or unsupported regular expression"):
        manager.match("_sum", "(Ess")
