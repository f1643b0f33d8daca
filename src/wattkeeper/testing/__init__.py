"""Test support shipped with the package: fake clock, dummies, one-cycle harness, registers."""
