"""wattkeeper: an energy management system for battery storage with an OpenEMS-compatible API."""

__version__ = "0.1.0"
