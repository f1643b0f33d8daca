"""Simulated FENECON Home: a GoodWe hybrid inverter (unit 247) and a FENECON Home battery
(unit 1) sharing the demo's battery physics, served over Modbus/TCP or a serial line."""
