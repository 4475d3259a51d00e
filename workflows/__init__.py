"""Workflow definitions. Deterministic code only: no I/O, clocks, randomness or env vars."""
