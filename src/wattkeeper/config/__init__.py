"""Typed configuration: site files, the factory registry and persisted run-time changes."""
