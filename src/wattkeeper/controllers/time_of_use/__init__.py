"""`Controller.Ess.Time-Of-Use-Tariff`: the optimiser's plan, executed every cycle."""
