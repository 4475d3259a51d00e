"""python -m valuechain.records migrate: bring the system of record to the newest schema."""

from __future__ import annotations

import sys

from valuechain.process import run_command
from valuechain.records.migrate import migrate
from valuechain.records.store import engine_for
from valuechain.settings import Settings, SettingsError


def main() -> int:
    if sys.argv[1:] != ["migrate"]:
        print("usage: python -m valuechain.records migrate", file=sys.stderr)
        return 2
    try:
        settings = Settings.from_env()
    except SettingsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    engine = engine_for(settings.effective_database_url)
    before, now = migrate(engine)
    where = engine.url.render_as_string(hide_password=True)
    print(f"{where}: " + (f"at version {now}" if before == now else f"{before} -> {now}"))
    return 0


if __name__ == "__main__":
    run_command(main)
