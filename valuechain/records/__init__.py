"""The system of record: its tables (`schema`), migrations (`migrate`) and the store."""
