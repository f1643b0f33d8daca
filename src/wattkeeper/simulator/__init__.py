"""A device simulator that behaves like real hardware, faults included, over Modbus/TCP."""
