"""Device components, one per module, registered by factory id."""
