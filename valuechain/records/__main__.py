"""python -m valuechain.records migrate: bring the system of record to the newest schema."""

from __future__ import annotations

import sys

from valuechain.process import run_command, settings_or_exit
from valuechain.records.migrate import migrate
from valuechain.records.store import engine_for


def main() -> int:
    if sys.argv[1:] != ["migrate"]:
        print("usage: python -m valuechain.records migrate", file=sys.stderr)
        return 2
    settings = settings_or_exit()
    engine = engine_for(settings.effective_database_url)
    before, now = migrate(engine)
    where = engine.url.render_as_string(hide_password=True)
    print(f"{where}: " + (f"at version {now}" if before == now else f"{before} -> {now}"))
    return 0


if __name__ == "__main__":
    run_command(main)
