"""Password hashes: the product's strong cost by default, the cost stored with each hash."""

from __future__ import annotations

import pytest

from wattkeeper.api import passwords


def test_product_cost_is_strong_without_the_test_setting(monkeypatch) -> None:
    monkeypatch.delenv(passwords.COST_ENV, raising=False)
    stored = passwords.hash_password("secret")
    assert stored.split("$")[1] == str(2**14)
    assert passwords.verify_password("secret", stored)
    assert not passwords.verify_password("secreT", stored)


def test_a_hash_is_verified_with_its_own_cost(monkeypatch) -> None:
    monkeypatch.setenv(passwords.COST_ENV, "16")
    cheap = passwords.hash_password("secret")
    monkeypatch.delenv(passwords.COST_ENV)
    assert cheap.split("$")[1] == "16"
    assert passwords.verify_password("secret", cheap)


@pytest.mark.parametrize("bad", ["0", "1", "3", "1000"])
def test_a_cost_that_is_not_a_power_of_two_is_refused(monkeypatch, bad: str) -> None:
    monkeypatch.setenv(passwords.COST_ENV, bad)
    with pytest.raises(ValueError, match="power of two"):
        passwords.hash_password("secret")
