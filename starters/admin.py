"""The commands that run things: `valuechain worker <name>`, `run`, `migrate`, `seed`."""

from __future__ import annotations

import asyncio
from typing import Annotated

from cyclopts import Parameter
from sqlalchemy import make_url

from activities.seed import seed_demo_data
from starters.cli import Failed, Json, app, console, load_settings, print_json
from valuechain.logging import configure_logging
from valuechain.records.engine import engine_for
from valuechain.records.migrate import migrate as migrate_schema
from valuechain.records.migrate import open_store
from valuechain.settings import SettingsError
from workers.registry import SERVICES, WorkerName
from workers.runner import serve


@app.command
def worker(name: WorkerName, /, *, as_json: Json = False) -> int:
    """Run a worker service until SIGTERM or SIGINT (a second one stops at once):
    approvals (the workflows people take part in), orders (order-to-cash and its stages)
    or notifications (the notifier). It logs to stderr; --json: one JSON object a line
    (as VALUECHAIN_LOG_FORMAT=json)."""
    settings = load_settings()
    refusal = SERVICES[name].queue_refusal(settings)
    if refusal is not None:
        raise Failed(refusal)
    if as_json:
        settings = settings.model_copy(update={"log_format": "json"})
        configure_logging("json", settings.log_level)
    return asyncio.run(serve(SERVICES[name], settings))


@app.command
def run(
    *,
    auto: Annotated[
        bool, Parameter(negative=(), help="act as the people; drive every example to its end")
    ] = False,
    cluster: Annotated[
        bool,
        Parameter(
            negative=(),
            help="the production topology: PostgreSQL, Temporal's "
            "services apart, mutual TLS, the Web UI server, two of each worker",
        ),
    ] = False,
    as_json: Json = False,
) -> int:
    """Run Valuechain locally with its examples (`make run`, `make cluster`)."""
    from starters.run import run as run_local  # the cluster's modules only when running

    return run_local(auto, cluster, as_json)


@app.command
def migrate(*, as_json: Json = False) -> int:
    """Bring the system of record to the newest schema (workers do it when they start)."""
    engine = engine_for(load_settings().effective_database_url)
    before, now = migrate_schema(engine)
    where = engine.url.render_as_string(hide_password=True)
    if as_json:
        print_json({"database": where, "before": before, "now": now})
    else:
        console().print(f"{where}: " + (f"at version {now}" if before == now else
                                         f"{before} -> {now}"))  # fmt: skip
    return 0


@app.command
def seed(
    *,
    file: Annotated[str, Parameter(help="a data file (default: the one shipped)")] = "",
    as_json: Json = False,
) -> int:
    """Put the demo products and customers in the system of record (safe to repeat)."""
    settings = load_settings()
    try:
        seed_demo_data(open_store(settings.effective_database_url), file)
    except SettingsError as err:
        raise Failed(str(err)) from err
    where = make_url(settings.effective_database_url).render_as_string(hide_password=True)
    if as_json:
        print_json({"seeded": where})
    else:
        console().print(f"seeded {where}")
    return 0
