"""Automated steps that book into the system of record (payout, archive, publish, HR)."""

from __future__ import annotations

from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import Activities
from valuechain.models.records import (
    ArchiveInput,
    BookingInput,
    BookingOutput,
    LaunchRecordInput,
    PayoutInput,
    PublishInput,
    TimeOffRecordInput,
)
from valuechain.records.checks import no_time_off_overlap, payee_not_blocked, slug_free
from valuechain.records.store import Check, DomainError, SystemOfRecord


class Booker(Activities):
    """Activities that book in the system of record they are given."""

    def __init__(self, store: SystemOfRecord) -> None:
        self._store = store

    def _book(
        self,
        key: str,
        kind: str,
        subject: str,
        payload: dict[str, Any],
        check: Check | None = None,
        step: str | None = None,
    ) -> BookingOutput:
        """Book once in the system of record (on the worker's activity threads); a domain
        error becomes a non-retryable ApplicationError of its type, so Temporal does not
        retry it."""
        extra = {"step": step or kind, "key": key}
        try:
            booking = self._store.book(key, kind, subject, payload, check)
        except DomainError as err:
            activity.logger.warning(f"{kind} refused: {err}", extra=extra)
            raise ApplicationError(str(err), type=err.error_type, non_retryable=True) from err
        verb = "already booked" if booking.duplicate else "booked"
        activity.logger.info(f"{kind} {verb} as {booking.reference}", extra=extra)
        return BookingOutput(reference=booking.reference, duplicate=booking.duplicate)

    def _book_step(
        self,
        input: BookingInput,
        kind: str,
        subject: str,
        payload: dict[str, Any],
        check: Check | None = None,
    ) -> BookingOutput:
        """Book a workflow step's input by its key (the run and the step)."""
        return self._book(input.key, kind, subject, payload, check, input.step)


class BookingActivities(Booker):
    @activity.defn(name="pay_expense")
    def pay_expense(self, input: PayoutInput) -> BookingOutput:
        return self._book_step(
            input,
            "payout",
            input.employee,
            {
                "expense_id": input.expense_id,
                "account": input.payee_account,
                "amount": str(input.amount),
                "currency": input.currency,
            },
            payee_not_blocked(input.payee_account),
        )

    @activity.defn(name="archive_document")
    def archive_document(self, input: ArchiveInput) -> BookingOutput:
        return self._book_step(
            input,
            "archive",
            input.document_id,
            {"title": input.title, "version": input.version, "location": input.location},
        )

    @activity.defn(name="publish_post")
    def publish_post(self, input: PublishInput) -> BookingOutput:
        return self._book_step(
            input,
            "publication",
            input.slug,
            {"post_id": input.post_id, "title": input.title, "images": input.images},
            slug_free(input.slug, input.key),
        )

    @activity.defn(name="record_time_off")
    def record_time_off(self, input: TimeOffRecordInput) -> BookingOutput:
        first, last = input.first_day.isoformat(), input.last_day.isoformat()
        return self._book_step(
            input,
            "time_off",
            input.employee,
            {"first_day": first, "last_day": last, "kind": input.kind},
            no_time_off_overlap(input.employee, first, last),
        )

    @activity.defn(name="record_launch")
    def record_launch(self, input: LaunchRecordInput) -> BookingOutput:
        return self._book_step(input, "launch", input.product, {"branches": input.branches})
