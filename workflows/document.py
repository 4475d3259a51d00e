"""Document approval: the reviewer is notified, gives feedback, the author revises, the
reviewer approves; the system archives the approved version and tells the stakeholders."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.bookings import BookingActivities
    from valuechain.models.document import DocumentInput, DocumentResult
    from valuechain.models.records import ArchiveInput

from workflows.human import HumanWorkflow


@workflow.defn(name="DocumentApproval")
class DocumentApproval(HumanWorkflow):
    @workflow.run
    async def run(self, input: DocumentInput) -> DocumentResult:
        req = input.request
        self.begin(f"document '{req.title}' by {req.author}", req.author, input.context)
        version, location = 1, req.location

        while True:
            decisions = ["approve", "reject"]
            # Past the cap the reviewer must decide: no endless feedback loop.
            if version <= req.max_revisions:
                decisions.append("request_changes")
            review = await self.human_step(
                self.spec(
                    "review",
                    "reviewer",
                    decisions,
                    escalate_to="legal",
                    assignee=req.reviewer,
                    requires={"request_changes": ["comment"], "reject": ["comment"]},
                    summary=f"review '{req.title}' v{version} at {location}",
                )
            )
            if review.decision == "reject":
                return await self.rejected(
                    DocumentResult,
                    review,
                    version=version,
                    location=location,
                )
            if review.decision == "approve":
                break
            revision = await self.human_step(
                self.spec(
                    "author_revision",
                    "author",
                    ["resubmit"],
                    escalate_to="reviewer",
                    assignee=req.author,
                    four_eyes=False,
                    requires={"resubmit": ["attachments"]},
                    summary=f"revise '{req.title}': {review.comment}",
                )
            )
            version += 1
            location = revision.attachments[0]

        archived = await self.book(
            "archive",
            BookingActivities.archive_document,
            ArchiveInput,
            summary=f"archive '{req.title}' v{version}",
            document_id=workflow.info().workflow_id,
            title=req.title,
            version=version,
            location=location,
        )
        for person in req.stakeholders:
            await self.notify(
                "info",
                person,
                f"Approved: {req.title}",
                f"version {version} is approved and archived as {archived.reference}",
                step="notify_stakeholders",
            )
        return await self.finish(
            DocumentResult,
            "approved",
            f"version {version} archived as {archived.reference}",
            version=version,
            location=location,
            archive_reference=archived.reference,
        )
