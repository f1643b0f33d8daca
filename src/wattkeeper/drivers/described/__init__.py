"""One generic Modbus driver for every battery system described as data
(`protocols/described/devices/*.toml`): `Described.Ess`, `Described.Meter`, `Described.Charger`."""
