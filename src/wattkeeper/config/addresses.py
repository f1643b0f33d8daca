"""Client address lists in configurations: IP addresses or networks, checked once."""

from __future__ import annotations

import ipaddress


def check_networks(value: list[str]) -> list[str]:
    """Every entry an IP address or network (`192.168.0.0/24`), else a message naming it."""
    for entry in value:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(f"'{entry}' is not an IP address or network") from None
    return value
