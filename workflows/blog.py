"""Blog publishing: editor review (with send-back to the writer), the designer adds
images, the publisher schedules a time, and the system publishes at that time on a
durable timer."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.bookings import BookingActivities
    from valuechain.models.blog import BlogInput, BlogResult

from workflows.human import HumanWorkflow


@workflow.defn(name="BlogPublishing")
class BlogPublishing(HumanWorkflow[BlogResult]):
    @workflow.run
    async def run(self, input: BlogInput) -> BlogResult:
        input = await self.begin(input)
        req = input.request

        reviewed = await self.review_rounds(
            lambda decisions, _: self.spec(
                "editor_review", "editor", decisions, escalate_to="managing_editor"
            ),
            lambda review: self.spec(
                "writer_revision",
                "writer",
                ["resubmit"],
                escalate_to="editor",
                summary=f"revise '{req.title}': {review.comment}",
            ),
            req.max_send_backs,
        )
        if reviewed.decision.decision == "reject":
            return await self.rejected(reviewed.decision)

        design = await self.human_step(self.spec(
            "add_images", "designer", ["done"], escalate_to="managing_editor",
            requires={"done": ["attachments"]},
        ))  # fmt: skip
        schedule = await self.human_step(self.spec(
            "schedule", "publisher", ["schedule"], escalate_to="managing_editor",
            requires={"schedule": ["scheduled_for"]},
        ))  # fmt: skip
        publish_at = schedule.scheduled_for
        assert publish_at is not None  # the validator requires it
        await self.wait_until(publish_at, "publishing", "publish", step="publish")
        published = await self.book(
            "publish", BookingActivities.publish_post, f"publish '{req.slug}'",
            post_id=workflow.info().workflow_id, slug=req.slug, title=req.title,
            images=design.attachments,
        )  # fmt: skip
        return await self.finish(
            "published",
            f"published as {published.reference}",
            images=design.attachments,
            scheduled_for=publish_at,
            published_at=workflow.now(),
            publication_reference=published.reference,
        )
