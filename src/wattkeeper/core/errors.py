"""The error hierarchy of wattkeeper.

    WattkeeperError
    ├── ConfigError            a site file or a property is wrong (names the key)
    ├── NotFoundError
    │   ├── ComponentNotFound
    │   └── ChannelNotFound
    ├── WriteRejected          a value may not be written (type, range, access, capability)
    └── DeviceError            a device did not answer as expected (translated at the bridge)

Library exceptions are translated into these once, at the boundary that calls the library.
"""

from __future__ import annotations


class WattkeeperError(Exception):
    """Base of every error raised on purpose by wattkeeper."""


class ConfigError(WattkeeperError):
    """A configuration value is missing or invalid; the message names the key."""


class NotFoundError(WattkeeperError):
    """Something addressed by id does not exist."""


class ComponentNotFound(NotFoundError):
    def __init__(self, component_id: str) -> None:
        super().__init__(f"Component [{component_id}] is not available")
        self.component_id = component_id


class ChannelNotFound(NotFoundError):
    def __init__(self, address: str) -> None:
        super().__init__(f"Channel [{address}] is not available")
        self.address = address


class WriteRejected(WattkeeperError):
    """A write was refused before anything was applied; the message says why."""


class DeviceError(WattkeeperError):
    """A device could not be read or written."""
