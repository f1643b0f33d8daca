"""FENECON Home battery: `Battery.Fenecon.Home` (BMS on the internal RS-485 line)."""
