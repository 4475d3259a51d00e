"""The production topology, run natively: a Temporal cluster on PostgreSQL with mutual TLS."""
