"""Files the edge writes: one atomic-write helper shared by every package (a leaf)."""
