"""A recurring process on a Temporal Schedule: when it runs (a cron expression or an
interval, in a time zone), what happens when the previous run is still going at the next
time (the overlap policy), and how late a time missed while the server was down may
still run (the catch-up window). Checked here, field by field, before anything is sent."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Sequence
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator
from temporalio.client import (
    ScheduleCalendarSpec,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
)

from valuechain.models.common import Model

_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION = re.compile(r"^(?:\d+[dhms])+$")


def _duration(value: Any) -> Any:
    """`7d`, `1h30m`, `90s` as a timedelta; anything else as pydantic reads a timedelta
    (seconds, or ISO 8601 such as `P7D`)."""
    if isinstance(value, str) and _DURATION.match(value.strip()):
        parts = re.findall(r"(\d+)([dhms])", value)
        return timedelta(seconds=sum(int(n) * _UNITS[unit] for n, unit in parts))
    return value


Duration = Annotated[timedelta, BeforeValidator(_duration)]

Overlap = Literal[
    "skip", "buffer_one", "buffer_all", "cancel_other", "terminate_other", "allow_all"
]
OVERLAP: dict[str, ScheduleOverlapPolicy] = {
    "skip": ScheduleOverlapPolicy.SKIP,
    "buffer_one": ScheduleOverlapPolicy.BUFFER_ONE,
    "buffer_all": ScheduleOverlapPolicy.BUFFER_ALL,
    "cancel_other": ScheduleOverlapPolicy.CANCEL_OTHER,
    "terminate_other": ScheduleOverlapPolicy.TERMINATE_OTHER,
    "allow_all": ScheduleOverlapPolicy.ALLOW_ALL,
}
MACROS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
# One cron field: numbers, names (MON, JAN), ranges, steps, lists, `*` and `?`.
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?/,\-]+$")
# The server's own minimum: a shorter catch-up window is raised to it.
MIN_CATCHUP = timedelta(seconds=10)


class Recurrence(Model):
    """When a scheduled workflow runs, and what happens at overlaps and after an outage."""

    cron: str | None = None
    """when it runs, as cron: minute hour day-of-month month day-of-week, for example
    "0 9 1 * *" (09:00 on the 1st of each month), "0 8 * * MON", or @daily"""
    every: Duration | None = Field(default=None, gt=timedelta(0), validate_default=True)
    """or how often it runs, for example 7d, 12h, 30s"""
    timezone: str = "UTC"
    """the time zone a cron expression is read in (IANA, for example Europe/Berlin)"""
    overlap: Overlap = "skip"
    """when the previous run is still going: skip, buffer_one, buffer_all,
    cancel_other, terminate_other or allow_all"""
    catchup_window: Duration = Field(default=timedelta(days=1), ge=MIN_CATCHUP)
    """how late a time missed while Temporal was down still runs (at least 10s)"""

    @field_validator("cron")
    @classmethod
    def _cron(cls, cron: str | None) -> str | None:
        if cron is None:
            return None
        cron = " ".join(cron.split())
        if cron in MACROS:
            return cron
        fields = cron.split(" ")
        if len(fields) != 5:
            raise ValueError(
                f"a cron expression has 5 fields (minute hour day-of-month month "
                f"day-of-week) or is one of {', '.join(sorted(MACROS))}; got {len(fields)}"
            )
        bad = [f for f in fields if not _CRON_FIELD.match(f)]
        if bad:
            raise ValueError(f"not a cron field: {bad[0]!r}")
        return cron

    @field_validator("timezone")
    @classmethod
    def _zone(cls, zone: str) -> str:
        if zone not in zoneinfo.available_timezones():
            raise ValueError(f"unknown time zone {zone!r} (IANA names, for example Europe/Berlin)")
        return zone

    @field_validator("every")
    @classmethod
    def _one_way(cls, every: timedelta | None, info: ValidationInfo) -> timedelta | None:
        if "cron" not in info.data:  # the cron expression itself was wrong: said there
            return every
        if every is not None and info.data["cron"] is not None:
            raise ValueError("give cron or every, not both")
        if every is None and info.data["cron"] is None:
            raise ValueError("give cron or every: when the schedule runs")
        return every

    def text(self) -> str:
        """The times in a line: `0 9 1 * * (Europe/Berlin)`, `every 7d`."""
        if self.every is not None:
            return f"every {_short(self.every)}"
        return f"{self.cron} ({self.timezone})"

    def spec(self) -> ScheduleSpec:
        if self.every is not None:
            return ScheduleSpec(intervals=[ScheduleIntervalSpec(every=self.every)])
        assert self.cron is not None
        return ScheduleSpec(cron_expressions=[self.cron], time_zone_name=self.timezone)

    def policy(self) -> SchedulePolicy:
        return SchedulePolicy(overlap=OVERLAP[self.overlap], catchup_window=self.catchup_window)


def describe_spec(spec: ScheduleSpec) -> str:
    """A schedule's times in a line, as `schedule list` shows them (the server keeps a
    cron expression as a calendar: shown here in cron's order again)."""
    parts = [*spec.cron_expressions, *(_calendar(c) for c in spec.calendars)]
    parts += [f"every {_short(i.every)}" for i in spec.intervals]
    text = "; ".join(parts) or "(no times)"
    if spec.time_zone_name:
        text += f" ({spec.time_zone_name})"
    return text


def _calendar(calendar: ScheduleCalendarSpec) -> str:
    fields = [
        (calendar.minute, 0, 59),
        (calendar.hour, 0, 23),
        (calendar.day_of_month, 1, 31),
        (calendar.month, 1, 12),
        (calendar.day_of_week, 0, 6),
    ]
    return " ".join(_ranges(ranges, low, high) for ranges, low, high in fields)


def _ranges(ranges: Sequence[ScheduleRange], low: int, high: int) -> str:
    shown = []
    for r in ranges:
        end = max(r.end, r.start)
        text = "*" if (r.start, end) == (low, high) else str(r.start)
        if text != "*" and end != r.start:
            text += f"-{end}"
        shown.append(text + (f"/{r.step}" if r.step > 1 else ""))
    return ",".join(shown) or "*"


def _short(every: timedelta) -> str:
    seconds = int(every.total_seconds())
    text = ""
    for unit, size in _UNITS.items():
        if seconds >= size:
            text += f"{seconds // size}{unit}"
            seconds %= size
    return text or "0s"
