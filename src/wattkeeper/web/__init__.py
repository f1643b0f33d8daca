"""The monitoring web UI: static files served by the edge (no build step, no CDN)."""
