"""Document approval: the reviewer is notified, gives feedback, the author revises, the
reviewer approves; the system archives the approved version and tells the stakeholders."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.bookings import BookingActivities
    from valuechain.models.document import DocumentInput, DocumentRequest, DocumentResult
    from valuechain.models.human import DecisionInput, HumanStepSpec

from workflows.human import HumanWorkflow


def current_version(req: DocumentRequest, revisions: list[DecisionInput]) -> tuple[int, str]:
    """Each revision is a new version, uploaded as the revision's first attachment."""
    return 1 + len(revisions), revisions[-1].attachments[0] if revisions else req.location


@workflow.defn(name="DocumentApproval")
class DocumentApproval(HumanWorkflow[DocumentResult]):
    @workflow.run
    async def run(self, input: DocumentInput) -> DocumentResult:
        input = await self.begin(input)
        req = input.request

        def review(decisions: list[str], revisions: list[DecisionInput]) -> HumanStepSpec:
            version, location = current_version(req, revisions)
            return self.spec(
                "review",
                "reviewer",
                decisions,
                escalate_to="legal",
                assignee=req.reviewer,
                summary=f"review '{req.title}' v{version} at {location}",
            )

        reviewed = await self.review_rounds(
            review,
            lambda asked: self.spec(
                "author_revision",
                "author",
                ["resubmit"],
                escalate_to="reviewer",
                requires={"resubmit": ["attachments"]},
                summary=f"revise '{req.title}': {asked.comment}",
            ),
            req.max_revisions,
            send_back="request_changes",
        )
        version, location = current_version(req, reviewed.revisions)
        if reviewed.decision.decision == "reject":
            return await self.rejected(reviewed.decision, version=version, location=location)

        archived = await self.book(
            "archive", BookingActivities.archive_document, f"archive '{req.title}' v{version}",
            document_id=workflow.info().workflow_id, title=req.title, version=version,
            location=location,
        )  # fmt: skip
        for person in req.stakeholders:
            await self.notify(
                "info",
                person,
                f"Approved: {req.title}",
                f"version {version} is approved and archived as {archived.reference}",
                step="notify_stakeholders",
            )
        return await self.finish(
            "approved",
            f"version {version} archived as {archived.reference}",
            version=version,
            location=location,
            archive_reference=archived.reference,
        )
