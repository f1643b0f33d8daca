"""The fleet backend: a stateless node on PostgreSQL and NATS that edges report to."""
