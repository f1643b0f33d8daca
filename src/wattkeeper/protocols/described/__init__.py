"""Battery systems described as data: one TOML file per vendor (`devices/*.toml`), read by one
generic driver (`drivers/described`) and one generic simulator (`simulator/described.py`)."""
