"""The App Center: apps are named bundles of components, some unlocked by a licence key."""
