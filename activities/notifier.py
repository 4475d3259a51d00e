"""The one notifier: every notice (assigned, reminder, escalation, outcome) goes through
here, to the structured log and the outbox in the system of record (the record), and by
email to whoever it reaches when a mail server is set, with a link to its task page.
A notice is mailed once per key: a retry finds it mailed and sends nothing again."""

from __future__ import annotations

import smtplib

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.mail import Directory, MailServer
from valuechain.models.notify import NotifyInput, NotifyOutput
from valuechain.records.store import SystemOfRecord


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

    @activity.defn(name="notify")
    def notify(self, input: NotifyInput) -> NotifyOutput:
        outbox_id, duplicate = self._store.add_to_outbox(input)
        extra = {
            "step": input.step,
            "task_id": input.task_id,
            "kind": input.kind,
            "recipient": input.recipient,
            "outbox_id": outbox_id,
            "duplicate": duplicate,
        }
        activity.logger.info(f"notify {input.recipient}: {input.subject}", extra=extra)
        mailed = self._mail_once(input, outbox_id)
        return NotifyOutput(outbox_id=outbox_id, duplicate=duplicate, mailed=mailed)

    def link(self, input: NotifyInput) -> str:
        if input.task_id:
            return f"{self._links}/tasks/{input.workflow_id}/{input.task_id}"
        return f"{self._links}/cases/{input.workflow_id}"

    def _mail_once(self, input: NotifyInput, outbox_id: int) -> list[str]:
        if self._mail is None or self._directory is None or self._store.mailed(outbox_id):
            return []
        to = self._directory.addresses(input.recipient)
        if not to:
            return []  # nobody it reaches has an address: the outbox is its record
        body = f"{input.message}\n\n{self.link(input)}\n"
        try:
            self._mail.send(to, input.subject, body, message_id=f"notice-{outbox_id}")
        except (OSError, smtplib.SMTPException) as err:
            # Retryable: the activity tries again until the server takes it; the notice
            # is in the outbox meanwhile, and the run goes on.
            raise ApplicationError(
                f"mail server {self._mail.host}:{self._mail.port} did not take the"
                f" notice for {input.recipient}: {err}",
                type="MailNotSent",
            ) from err
        self._store.mark_mailed(outbox_id)
        activity.logger.info(f"mailed {input.subject} to {', '.join(to)}")
        return to
