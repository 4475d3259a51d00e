"""The one notifier: every notice (assigned, reminder, escalation, outcome) goes through
here, to the structured log and the outbox in the system of record (the record), and by
email to whoever it reaches when a mail server is set, with a link to its task page.

Two ways in, by the run context's `notice_delivery`:
- `local` (runs started now): `record_notice`, a local activity on the run's own worker,
  puts the notice in the outbox, marked for mail when a mail server is set; the
  notifications service's mailer (`mail_due`) sends it. One history event per notice,
  and a mail server that is down never holds up a run.
- `queue` (runs started before, and where only one service may reach the mail server):
  `notify`, an activity on the notifications queue, records and mails it itself.

Either way a notice is recorded and mailed once per key: a retry finds it there (and
mailed) and sends nothing again."""

from __future__ import annotations

import asyncio
import contextlib
import smtplib
from datetime import UTC, datetime, timedelta
from typing import Protocol

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.mail import Directory, MailServer
from valuechain.logging import get_logger
from valuechain.models.notify import NotifyInput, NotifyOutput
from valuechain.records.store import SystemOfRecord

# How long a mailer holds a notice it took before another may take it (it died sending).
MAIL_LEASE = timedelta(minutes=2)
# How long a notice the mail server refused waits before the mailer tries it again.
MAIL_RETRY = timedelta(seconds=30)

log = get_logger("activities.notifier")


class Notice(Protocol):
    """What mailing needs of a notice: a `NotifyInput`, or an outbox entry."""

    @property
    def recipient(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def workflow_id(self) -> str: ...
    @property
    def task_id(self) -> str | None: ...


class MailNotSent(Exception):
    pass


class NotifierActivities:
    def __init__(
        self,
        store: SystemOfRecord,
        mail: MailServer | None = None,
        directory: Directory | None = None,
        links: str = "",
    ) -> None:
        self._store = store
        self._mail = mail
        self._directory = directory
        self._links = links.rstrip("/")  # the task list's address

    @activity.defn(name="record_notice")
    def record_notice(self, input: NotifyInput) -> NotifyOutput:
        """Into the outbox, for the mailer when a mail server is set (a local activity:
        quick, and a database the run's worker reaches anyway)."""
        outbox_id, duplicate = self._store.add_to_outbox(input, to_mail=self._mail is not None)
        self._log_notice(input, outbox_id, duplicate)
        return NotifyOutput(outbox_id=outbox_id, duplicate=duplicate)

    @activity.defn(name="notify")
    def notify(self, input: NotifyInput) -> NotifyOutput:
        outbox_id, duplicate = self._store.add_to_outbox(input)
        self._log_notice(input, outbox_id, duplicate)
        if self._store.mailed(outbox_id):
            return NotifyOutput(outbox_id=outbox_id, duplicate=duplicate)
        try:
            mailed = self._mail_notice(input, outbox_id)
        except MailNotSent as err:
            # Retryable: the activity tries again until the server takes it; the notice
            # is in the outbox meanwhile, and the run goes on.
            raise ApplicationError(str(err), type="MailNotSent") from err
        if mailed:
            self._store.mailed_to(outbox_id, mailed=True)
        return NotifyOutput(outbox_id=outbox_id, duplicate=duplicate, mailed=mailed)

    def mail_due(self, limit: int = 20) -> int:
        """Mail the outbox's notices that are due (the mailer's round); returns how many
        it took. A refused notice waits MAIL_RETRY; the round ends at the first refusal
        (the server is down: the others would wait for it too)."""
        taken = self._store.claim_mail(MAIL_LEASE, limit)
        for n, entry in enumerate(taken):
            try:
                mailed = self._mail_notice(entry, entry.id)
            except MailNotSent as err:
                after = datetime.now(UTC) + MAIL_RETRY
                log.warning("notice not mailed yet", outbox_id=entry.id, error=str(err),
                            retry_at=after.isoformat())  # fmt: skip
                for left in taken[n:]:
                    self._store.mail_later(left.id, after)
                break
            self._store.mailed_to(entry.id, mailed=bool(mailed))
        return len(taken)

    async def mail_until(self, stop: asyncio.Event, every: float) -> None:
        """The notifications service's mailer: a round whenever the last one found
        notices due, else every `every` seconds, until `stop`."""
        log.info("mailer started", server=f"{self._mail.host}:{self._mail.port}"
                 if self._mail else None, every_seconds=every)  # fmt: skip
        while not stop.is_set():
            try:
                taken = await asyncio.to_thread(self.mail_due)
            except Exception as err:  # the database away: say so, try again next round
                log.warning("mailer round failed", error=str(err))
                taken = 0
            if not taken:
                with contextlib.suppress(TimeoutError):  # the wait is over either way
                    await asyncio.wait_for(stop.wait(), timeout=every)
        log.info("mailer stopped")

    def link(self, notice: Notice) -> str:
        if notice.task_id:
            return f"{self._links}/tasks/{notice.workflow_id}/{notice.task_id}"
        return f"{self._links}/cases/{notice.workflow_id}"

    def _log_notice(self, input: NotifyInput, outbox_id: int, duplicate: bool) -> None:
        extra = {
            "step": input.step,
            "task_id": input.task_id,
            "kind": input.kind,
            "recipient": input.recipient,
            "outbox_id": outbox_id,
            "duplicate": duplicate,
        }
        activity.logger.info(f"notify {input.recipient}: {input.subject}", extra=extra)

    def _mail_notice(self, notice: Notice, outbox_id: int) -> list[str]:
        """Mail it to whoever it reaches; the addresses it went to (none: no mail server,
        or nobody it reaches has an address, and the outbox is its record)."""
        if self._mail is None or self._directory is None:
            return []
        to = self._directory.addresses(notice.recipient)
        if not to:
            return []
        body = f"{notice.message}\n\n{self.link(notice)}\n"
        try:
            self._mail.send(to, notice.subject, body, message_id=f"notice-{outbox_id}")
        except (OSError, smtplib.SMTPException) as err:
            raise MailNotSent(
                f"mail server {self._mail.host}:{self._mail.port} did not take the"
                f" notice for {notice.recipient}: {err}"
            ) from err
        log.info("mailed", subject=notice.subject, to=to, outbox_id=outbox_id)
        return to
