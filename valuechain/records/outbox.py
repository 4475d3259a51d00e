"""The notification outbox: every notice a run sends, kept once per key, and the mail
queue the notifications service claims from (a notice is never lost, at worst mailed
twice)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from valuechain.models.notify import NotifyInput
from valuechain.records.engine import as_utc, insert_for
from valuechain.records.schema import outbox


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    kind: str
    recipient: str
    subject: str
    message: str
    workflow_id: str
    task_id: str | None
    step: str | None
    created_at: datetime
    mailed_at: datetime | None = None


class Outbox:
    """The system of record's outbox (`SystemOfRecord` is one)."""

    engine: Engine

    def add_to_outbox(self, notice: NotifyInput, to_mail: bool = False) -> tuple[int, bool]:
        """Add a notice once per key; returns (id, whether it was already there).
        `to_mail`: the mailer sends it (`claim_mail`)."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            added = conn.execute(
                insert_for(conn, outbox)
                .values(**notice.model_dump(), created_at=now, mail_after=now if to_mail else None)
                .on_conflict_do_nothing(index_elements=["key"])
            )
            found = conn.execute(sa.select(outbox.c.id).where(outbox.c.key == notice.key))
            return int(found.scalar_one()), added.rowcount == 0

    def mailed(self, outbox_id: int) -> bool:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(outbox.c.mailed_at).where(outbox.c.id == outbox_id))
            return found.scalar_one() is not None

    def claim_mail(self, lease: timedelta, limit: int = 20) -> list[OutboxEntry]:
        """The notices due to be mailed, oldest first, each moved on by `lease` so that
        no other mailer takes it meanwhile, and this one tries it again after the lease
        if it dies before `mailed_to` (a notice is never lost, at worst mailed twice)."""
        now = datetime.now(UTC)
        due = (
            sa.select(outbox)
            .where(outbox.c.mail_after <= now)
            .order_by(outbox.c.mail_after, outbox.c.id)
            .limit(limit)
        )
        claimed: list[OutboxEntry] = []
        with self.engine.begin() as conn:
            for row in conn.execute(due).all():
                # Taken only if no other mailer moved it since it was read.
                moved = conn.execute(
                    outbox.update()
                    .where(outbox.c.id == row.id, outbox.c.mail_after == row.mail_after)
                    .values(mail_after=now + lease)
                )
                if moved.rowcount == 1:
                    claimed.append(_to_entry(row))
        return claimed

    def mailed_to(self, outbox_id: int, mailed: bool) -> None:
        """The mailer is done with a notice: it went out (`mailed`), or it reaches nobody
        with an address."""
        done = {"mail_after": None, **({"mailed_at": datetime.now(UTC)} if mailed else {})}
        with self.engine.begin() as conn:
            conn.execute(outbox.update().where(outbox.c.id == outbox_id).values(**done))

    def mail_later(self, outbox_id: int, after: datetime) -> None:
        """The mail server did not take it: try again at `after`."""
        with self.engine.begin() as conn:
            conn.execute(outbox.update().where(outbox.c.id == outbox_id).values(mail_after=after))

    def outbox(
        self, recipient: str | None = None, workflow_id: str | None = None, limit: int = 200
    ) -> list[OutboxEntry]:
        query = sa.select(outbox).order_by(outbox.c.id.desc()).limit(limit)
        if recipient:
            query = query.where(outbox.c.recipient == recipient)
        if workflow_id:
            query = query.where(outbox.c.workflow_id == workflow_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [_to_entry(r) for r in reversed(rows)]


def _to_entry(r: Any) -> OutboxEntry:
    return OutboxEntry(
        r.id,
        r.kind,
        r.recipient,
        r.subject,
        r.message,
        r.workflow_id,
        r.task_id,
        r.step,
        as_utc(r.created_at),
        as_utc(r.mailed_at) if r.mailed_at else None,
    )
