"""Review rounds, written once: a reviewer approves, rejects or sends the work back to
its author, who revises it for the next round, at most a set number of times."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from valuechain.models.human import DecisionInput, HumanStepSpec

from workflows.human.steps import HumanSteps


@dataclass
class Reviewed:
    """How review rounds ended: the decision that ended them (the review's approve or
    reject, or a revision's withdrawal) and every revision before it."""

    decision: DecisionInput
    revisions: list[DecisionInput] = field(default_factory=list)


class ReviewRounds(HumanSteps):
    async def review_rounds(
        self,
        review: Callable[[list[str], list[DecisionInput]], HumanStepSpec],
        revise: Callable[[DecisionInput], HumanStepSpec],
        max_send_backs: int,
        send_back: str = "send_back",
    ) -> Reviewed:
        """`review(decisions, revisions so far)` is the reviewer's step: approve, reject,
        and `send_back` while fewer than `max_send_backs` rounds went back; rejecting or
        sending back needs a comment. After a send-back, `revise(that decision)` is the
        author's step, assigned to the requester (no four-eyes: it is their own work);
        its first decision revises, any other (a withdrawal) ends the rounds."""
        revisions: list[DecisionInput] = []
        while True:
            decisions = ["approve", "reject"]
            # Past the cap the reviewer must decide: no endless feedback loop.
            if len(revisions) < max_send_backs:
                decisions.append(send_back)
            spec = review(decisions, revisions)
            requires = {"reject": ["comment"], send_back: ["comment"], **spec.requires}
            decided = await self.human_step(spec.model_copy(update={"requires": requires}))
            if decided.decision != send_back:
                return Reviewed(decided, revisions)
            revision_step = revise(decided).model_copy(
                update={"assignee": self.requester, "four_eyes": False}
            )
            revised = await self.human_step(revision_step)
            revisions.append(revised)
            if revised.decision != revision_step.decisions[0]:
                return Reviewed(revised, revisions)
