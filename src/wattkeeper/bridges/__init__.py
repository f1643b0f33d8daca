"""Bridges: the I/O boundary between device drivers and field buses (Modbus/TCP)."""
