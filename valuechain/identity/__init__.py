"""Who sent a message, proven: Ed25519 signatures over decisions and partner events, the
keys a run trusts, and the key files that sign."""
