"""Valuechain core: models, data converter, settings, client connection, logging setup."""
