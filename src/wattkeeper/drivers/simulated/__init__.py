"""The simulated home: battery, PV, household load and a grid meter that closes the balance."""
