"""The codec server: Temporal's `/encode` and `/decode` endpoints over the project's
payload codec, for the Web UI and the `temporal` CLI to show people allowed plain data."""
