"""Notices by email, against a real SMTP server on loopback (aiosmtpd): each reaches the
people it is for, with a link to its task page, once per notice key. Runs record their
notices in the outbox and the notifications service's mailer sends them (a mail server
down: they wait their turn, and the run goes on); runs that send notices on the queue
have the notifier activity mail them, retried while the server is away."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.mail import Directory, MailServer
from activities.notifier import MAIL_LEASE, NotifierActivities
from tests.helpers import App, decide, eventually, open_task, run_context
from tests.helpers.cases import CASES, start_case
from tests.helpers.cli import free_port, running_workers
from valuechain.cluster.tls import ensure_certificates
from valuechain.identity.users import set_user
from valuechain.models.notify import NotifyInput
from valuechain.records.store import SystemOfRecord
from valuechain.runcontext import load_roster

LINKS = "https://tasks.example.com"


@dataclass
class Inbox:
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box, port = Inbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture
def directory(tmp_path: Path) -> Directory:
    users = tmp_path / "users.toml"
    for name in ("maria", "fiona"):
        set_user(users, name, "a long enough password", f"{name}@example.com")
    return Directory(users, load_roster())  # dev is a manager too, but has no address


def server(port: int, **changes: Any) -> MailServer:
    plain = MailServer("127.0.0.1", port, False, "", "", "", "valuechain@example.com", 5.0)
    return MailServer(**{**plain.__dict__, **changes})


def notice(key: str = "wf-1:assigned:manager_review-1:role:manager") -> NotifyInput:
    return NotifyInput(
        key=key,
        kind="assigned",
        recipient="role:manager",
        subject="Task manager_review-1: expense 125.50 USD",
        message="waiting on role manager",
        workflow_id="wf-1",
        task_id="manager_review-1",
        step="manager_review",
    )


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def test_a_notice_is_mailed_once_with_its_link(
    app: App, inbox: tuple[Inbox, int], directory: Directory
) -> None:
    box, port = inbox
    notifier = NotifierActivities(app.store, server(port), directory, LINKS)
    first = ActivityEnvironment().run(notifier.notify, notice())
    assert first.mailed == ["maria@example.com"]
    again = ActivityEnvironment().run(notifier.notify, notice())  # the activity retried
    assert (again.duplicate, again.mailed) == (True, [])
    [message] = box.messages
    assert message["To"] == "maria@example.com"
    assert message["Subject"] == "Task manager_review-1: expense 125.50 USD"
    assert f"{LINKS}/tasks/wf-1/manager_review-1" in body(message)
    [entry] = app.store.outbox(workflow_id="wf-1")
    assert entry.mailed_at is not None


def test_an_unreachable_mail_server_is_retried(
    app: App, inbox: tuple[Inbox, int], directory: Directory
) -> None:
    box, port = inbox
    down = NotifierActivities(app.store, server(free_port()), directory, LINKS)
    with pytest.raises(ApplicationError) as caught:
        ActivityEnvironment().run(down.notify, notice("wf-2:assigned"))
    assert caught.value.type == "MailNotSent"
    assert not caught.value.non_retryable  # Temporal tries again
    assert "did not take the notice for role:manager" in caught.value.message
    [entry] = app.store.outbox(workflow_id="wf-1")  # on the record meanwhile
    assert entry.mailed_at is None
    # The server is back: the next attempt of the same notice mails it, once.
    up = NotifierActivities(app.store, server(port), directory, LINKS)
    ActivityEnvironment().run(up.notify, notice("wf-2:assigned"))
    ActivityEnvironment().run(up.notify, notice("wf-2:assigned"))
    assert len(box.messages) == 1


def test_starttls(app: App, tmp_path: Path, directory: Directory) -> None:
    certs = ensure_certificates(tmp_path / "tls", ["127.0.0.1"])
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(certs.frontend.cert, certs.frontend.key)
    box, port = Inbox(), free_port()
    controller = Controller(
        box, hostname="127.0.0.1", port=port, tls_context=tls, require_starttls=True
    )
    controller.start()
    try:
        plain = NotifierActivities(app.store, server(port), directory, LINKS)
        with pytest.raises(ApplicationError):  # the server insists on STARTTLS
            ActivityEnvironment().run(plain.notify, notice("wf-3:plain"))
        secure = server(port, starttls=True, ca_file=str(certs.ca.cert))
        notifier = NotifierActivities(app.store, secure, directory, LINKS)
        ActivityEnvironment().run(notifier.notify, notice("wf-3:tls"))
    finally:
        controller.stop()
    assert [m["To"] for m in box.messages] == ["maria@example.com"]


async def test_a_run_is_not_failed_by_a_dead_mail_server(app: App, directory: Directory) -> None:
    dead = NotifierActivities(app.store, server(free_port()), directory, LINKS)
    case = CASES[3]  # time off: one approval, then the HR record
    # The notifier activity mails (notices on the queue): it gives up after two tries.
    ctx = run_context(app.task_queue, max_attempts=2)
    async with app.worker({"notify": dead.notify}):
        h = await start_case(app.client, case, app.task_queue, ctx)
        await decide(h, "manager_approval", "maria", "approve")
        result = await h.result()
    assert result.status == "recorded"  # the notices failed, the request did not
    kinds = {e.kind for e in app.store.outbox(workflow_id=h.id)}
    assert {"assigned", "outcome"} <= kinds  # on the record all the same
    assert all(e.mailed_at is None for e in app.store.outbox(workflow_id=h.id))


def due(store: SystemOfRecord) -> list[int]:
    """The outbox's notices the mailer would take now (and then leaves to be taken)."""
    taken = store.claim_mail(timedelta(0))
    return [entry.id for entry in taken]


def test_the_mailer_mails_each_recorded_notice_once(
    app: App, inbox: tuple[Inbox, int], directory: Directory
) -> None:
    box, port = inbox
    worker = NotifierActivities(app.store, server(port), directory, LINKS)  # a run's worker
    recorded = ActivityEnvironment().run(worker.record_notice, notice("wf-4:assigned"))
    again = ActivityEnvironment().run(worker.record_notice, notice("wf-4:assigned"))  # retried
    assert (recorded.duplicate, again.duplicate, again.outbox_id) == (
        False,
        True,
        recorded.outbox_id,
    )
    assert box.messages == []  # recording is not mailing: the run never waits for it
    mailer = NotifierActivities(app.store, server(port), directory, LINKS)
    assert mailer.mail_due() == 1
    assert mailer.mail_due() == 0  # nothing left to mail
    [message] = box.messages
    assert message["To"] == "maria@example.com"
    assert f"{LINKS}/tasks/wf-1/manager_review-1" in body(message)
    [entry] = app.store.outbox(workflow_id="wf-1")
    assert entry.mailed_at is not None
    # Recorded where no mail server is set: on the record, not for the mailer.
    outbox_only = NotifierActivities(app.store)
    ActivityEnvironment().run(outbox_only.record_notice, notice("wf-4:reminder"))
    assert mailer.mail_due() == 0
    assert len(box.messages) == 1


def test_the_mailer_waits_out_a_mail_server_that_is_down(
    app: App, inbox: tuple[Inbox, int], directory: Directory
) -> None:
    box, port = inbox
    worker = NotifierActivities(app.store, server(port), directory, LINKS)
    for key in ("wf-5:assigned", "wf-5:reminder"):
        ActivityEnvironment().run(worker.record_notice, notice(key))
    down = NotifierActivities(app.store, server(free_port()), directory, LINKS)
    assert down.mail_due() == 2  # it tried the first, and put both off
    assert due(app.store) == []  # put off for MAIL_RETRY, not lost
    later = sorted(e.id for e in app.store.outbox(workflow_id="wf-1"))
    for outbox_id in later:  # their time comes
        app.store.mail_later(outbox_id, datetime.now(UTC))
    up = NotifierActivities(app.store, server(port), directory, LINKS)
    assert up.mail_due() == 2
    assert up.mail_due() == 0
    assert len(box.messages) == 2  # each once


def test_a_notice_a_mailer_took_is_not_taken_twice(app: App, directory: Directory) -> None:
    worker = NotifierActivities(app.store, server(free_port()), directory, LINKS)
    ActivityEnvironment().run(worker.record_notice, notice("wf-6:assigned"))
    [taken] = app.store.claim_mail(MAIL_LEASE)  # one mailer takes it...
    assert app.store.claim_mail(MAIL_LEASE) == []  # ...another finds nothing due
    # A mailer that died mid-send: once its lease is over the notice is due again.
    app.store.mail_later(taken.id, datetime.now(UTC))
    assert due(app.store) == [taken.id]


def test_nobody_to_mail_is_done_not_mailed(
    app: App, inbox: tuple[Inbox, int], directory: Directory
) -> None:
    box, port = inbox
    mailer = NotifierActivities(app.store, server(port), directory, LINKS)
    ActivityEnvironment().run(mailer.record_notice, notice("wf-7:outcome").model_copy(
        update={"recipient": "dev"}))  # fmt: skip
    assert mailer.mail_due() == 1
    assert due(app.store) == []  # not tried again
    assert box.messages == []
    [entry] = app.store.outbox(workflow_id="wf-1")
    assert entry.mailed_at is None


async def test_the_notifications_service_mails_what_the_runs_record(
    app: App, inbox: tuple[Inbox, int], directory: Directory, tmp_path: Path
) -> None:
    """As deployed: the approvals worker records a run's notices, the notifications
    service mails them, and stops cleanly on SIGTERM."""
    box, port = inbox
    env = app.process_env(
        VALUECHAIN_SMTP_HOST="127.0.0.1",
        VALUECHAIN_SMTP_PORT=str(port),
        VALUECHAIN_SMTP_STARTTLS="false",
        VALUECHAIN_USERS_FILE=str(directory.users_file),
        VALUECHAIN_TASKLIST_URL=LINKS,
        VALUECHAIN_MAIL_POLL_SECONDS="0.2",
    )
    case = CASES[3]  # time off: maria approves as a manager
    async with running_workers(["approvals", "notifications"], env, tmp_path):
        ctx = run_context(app.task_queue, notices="local")
        handle = await start_case(app.client, case, app.task_queue, ctx)
        task = await open_task(handle, "manager_approval")

        async def inbox_now() -> list[str]:
            return [m["Subject"] for m in box.messages]

        [subject] = await eventually(inbox_now, lambda s: len(s) == 1, "the assigned notice")
        await decide(handle, "manager_approval", "maria", "approve")
        assert (await handle.result()).status == "recorded"
    [message] = box.messages  # the outcome goes to alice, who has no address here
    assert message["To"] == "maria@example.com"
    assert f"{LINKS}/tasks/{handle.id}/{task.task_id}" in body(message)
    assert subject == message["Subject"]
    kinds = {e.kind: e.mailed_at is not None for e in app.store.outbox(workflow_id=handle.id)}
    assert kinds == {"assigned": True, "outcome": False}
    log = (tmp_path / "notifications-1.log").read_text()
    assert "mailer started" in log
    assert "mailer stopped" in log
