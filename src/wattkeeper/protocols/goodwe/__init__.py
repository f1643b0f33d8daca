"""GoodWe hybrid inverters (ET, ETT, ET Gen2 "EUB"; FENECON FHI-*-DAH): tables and modes."""
