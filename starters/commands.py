"""Every command of `valuechain`, registered on its app (`valuechain --help` lists them)."""

from __future__ import annotations

from starters import admin, keys, report, schedule, start, tasks, users
from starters.cli import app
from starters.codec import serve as codec_serve
from starters.orders import order_app, orders_app
from starters.tasklist import serve

app.command(start.app)
app.command(schedule.app)
app.command(tasks.app)
app.command(order_app)
app.command(orders_app)
app.command(report.app)
app.command(keys.app)
app.command(users.app)

# `worker`, `run`, `migrate`, `seed`, `tasklist` and `codec-server` register themselves.
__all__ = ["admin", "codec_serve", "serve"]
