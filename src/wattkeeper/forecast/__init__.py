"""Forecasts of consumption and PV production for the optimiser, from the edge's own history."""
