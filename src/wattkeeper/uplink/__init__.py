"""The edge's uplink to a fleet backend: OpenEMS's edge→backend websocket protocol."""
