"""Device protocols as pure data and pure functions (sans-I/O).

Nothing here opens a socket or imports anything else of wattkeeper: register tables, their
codec and the SunSpec discovery state machine work on lists of 16-bit register values, so
they are tested on raw registers and reused by any transport (see `wattkeeper.bridges`).
"""
