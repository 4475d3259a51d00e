"""structlog set up once per process: console lines for people, JSON lines for services.

Workflow and activity code log through the SDK's `workflow.logger` / `activity.logger`
(replay-safe, and structlog cannot be imported inside the workflow sandbox). Those are
stdlib records carrying the SDK's context in `extra`; the processor chain below lifts it
into flat `workflow_id`, `run_id`, `activity` fields so every line says where it came from.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from temporalio import activity, workflow

# Temporal's context in a log record, lifted to top-level fields: ours <- the SDK's.
_LIFTED: dict[str, dict[str, str]] = {
    "temporal_workflow": {
        "workflow_id": "workflow_id",
        "run_id": "run_id",
        "workflow_type": "workflow_type",
        "task_queue": "task_queue",
    },
    "temporal_activity": {
        "workflow_id": "workflow_id",
        "run_id": "workflow_run_id",
        "activity": "activity_type",
        "activity_id": "activity_id",
        "attempt": "attempt",
        "task_queue": "task_queue",
    },
    "temporal_update": {"update": "update_name"},
}


def _lift_temporal_context(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    for source, fields in _LIFTED.items():
        context = event.pop(source, None)
        if isinstance(context, dict):
            for ours, theirs in fields.items():
                event.setdefault(ours, context.get(theirs))
    return event


def configure_logging(fmt: str = "console", level: str = "INFO") -> None:
    """Route structlog and stdlib logging (the SDK's loggers included) to one stream."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        _lift_temporal_context,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *([structlog.processors.format_exc_info] if fmt == "json" else []),
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())

    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    # The context goes into fields (above), not appended to the message text.
    workflow.logger.workflow_info_on_message = False
    activity.logger.activity_info_on_message = False


def get_logger(name: str) -> Any:
    return structlog.stdlib.get_logger(name)
