"""Electricity prices for the optimiser: tariffs from configuration and day-ahead market clients."""
