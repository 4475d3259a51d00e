"""Temporal's own servers: their binaries found or built (`binaries.py`, the dev server's
CLI included), and the production topology run natively: a Temporal cluster on
PostgreSQL with mutual TLS. The business core never imports this package."""
