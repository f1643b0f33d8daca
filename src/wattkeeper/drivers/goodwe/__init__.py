"""GoodWe hybrid inverter behind a FENECON Home: `GoodWe.Ess` (HybridEss, the control path
and the BMS relay), `GoodWe.Charger-PV` (EssDcCharger) and `GoodWe.Grid-Meter`."""
