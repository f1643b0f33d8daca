"""Test support shipped with the package: a fake clock and small site builders."""
