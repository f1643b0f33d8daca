"""Controllers, one per module: each expresses its intent as power constraints."""
