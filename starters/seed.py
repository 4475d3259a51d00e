"""Put the demo products and customers in the system of record (safe to repeat):
python -m starters.seed [--file demo_data.toml]"""

from __future__ import annotations

import argparse

from activities.seed import seed_demo_data
from starters.common import fail
from valuechain.process import run_command
from valuechain.records.migrate import open_store
from valuechain.settings import Settings, SettingsError


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Seed the demo products and customers.")
    p.add_argument("--file", default="", help="a data file (default: the one shipped)")
    args = p.parse_args(argv)
    try:
        settings = Settings.from_env()
        store = open_store(settings.effective_database_url)
        seed_demo_data(store, args.file)
    except SettingsError as err:
        fail(str(err))
    print(f"seeded {settings.effective_database_url}")
    return 0


if __name__ == "__main__":
    run_command(main)
