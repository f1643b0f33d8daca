"""The composition layer: a site's components, cycle, APIs and history put together (`Edge`)."""

from wattkeeper.edge.app import Edge

__all__ = ["Edge"]
