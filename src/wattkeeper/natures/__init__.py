"""Capability protocols (natures) and the channels that come with them."""
