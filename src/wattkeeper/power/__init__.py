"""The constraint model and the pure power solver."""
