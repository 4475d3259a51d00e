"""The parallel mechanism: branches run at once, their verdicts combine by a
`JoinPolicy`, and the run stops waiting the moment the outcome is certain. Written once
for people deciding in parallel (sign-off, proposal review) and for child workflows
(product launch)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError, CancelledError, ChildWorkflowError

with workflow.unsafe.imports_passed_through():
    from valuechain.join import JoinPolicy
    from valuechain.models.human import HumanStepSpec
    from valuechain.models.parallel import BranchVerdict, JoinResult
    from valuechain.models.result import StageOutcome

from workflows.human import HumanWorkflow
from workflows.human.flat import flattened
from workflows.human.system import R

Stop = Callable[[list[str]], Awaitable[None]]


@flattened
class ParallelWorkflow(HumanWorkflow[R]):
    async def join(
        self,
        branches: dict[str, Coroutine[Any, Any, BranchVerdict]],
        policy: JoinPolicy,
        stop: Stop,
    ) -> JoinResult:
        """Run every branch at once; once the policy's outcome is certain, `stop` the
        branches still pending (each then ends with a `closed` verdict)."""
        tasks = {name: asyncio.create_task(branch) for name, branch in branches.items()}
        verdicts: list[BranchVerdict] = []

        def tally(kind: str) -> int:
            return sum(1 for v in verdicts if v.verdict == kind)

        outcome = policy.outcome(len(tasks), 0, 0)
        while outcome == "pending":
            ended = {v.branch for v in verdicts}
            await workflow.wait(
                [t for name, t in tasks.items() if name not in ended],
                return_when=asyncio.FIRST_COMPLETED,
            )
            for name, task in tasks.items():  # in branch order: deterministic
                if task.done() and name not in ended:
                    verdicts.append(task.result())
            outcome = policy.outcome(len(tasks), tally("approved"), tally("rejected"))

        ended = {v.branch for v in verdicts}
        pending = [name for name in tasks if name not in ended]
        if pending:
            self.log(f"outcome {outcome} is certain; closing {', '.join(pending)}", step="join")
            await stop(pending)
            for name in pending:
                verdicts.append(await tasks[name])
        return JoinResult(outcome=outcome, policy=policy.describe(len(tasks)), verdicts=verdicts)

    async def decide_in_parallel(
        self, specs: list[HumanStepSpec], policy: JoinPolicy, yes: str = "approve"
    ) -> JoinResult:
        """One human step per spec, all open at once, joined by `policy`; the decision
        `yes` approves a branch, any other rejects it. Pending people are told the
        decision is closed once the outcome is certain."""

        async def close(pending: list[str]) -> None:
            await self.close_open_tasks("the outcome is already decided")

        return await self.join(
            {spec.step: self._human_branch(spec, yes) for spec in specs}, policy, close
        )

    async def approve_in_parallel(self, specs: list[HumanStepSpec], policy: JoinPolicy) -> R:
        """Approval steps all open at once, joined by `policy`: the run ends with the
        join's outcome as its status."""
        joined = await self.decide_in_parallel(specs, policy)
        message = f"{joined.outcome}: {joined.policy}"
        return await self.finish(joined.outcome, message, join=joined)

    async def _human_branch(self, spec: HumanStepSpec, yes: str) -> BranchVerdict:
        decision = await self.human_step(spec)
        if decision.actor == "system" and decision.decision == "closed":
            verdict = "closed"
        else:
            verdict = "approved" if decision.decision == yes else "rejected"
        return BranchVerdict(
            branch=spec.step,
            verdict=verdict,
            actor=decision.actor,
            comment=decision.comment,
            at=workflow.now(),
        )

    async def run_children(
        self, children: dict[str, tuple[Any, Any]], policy: JoinPolicy
    ) -> tuple[JoinResult, list[StageOutcome]]:
        """Start a child workflow per branch (`name: (run method, input)`, id
        `<this id>-<name>`), join them by `policy`, cancel those still running once the
        outcome is certain; return the join and how and when each child ended."""
        parent = workflow.info().workflow_id
        started = workflow.now()
        handles = {
            name: await workflow.start_child_workflow(
                run, arg, id=f"{parent}-{name}",
                static_summary=f"{name.replace('_', ' ')}: {self.subject}",
            )
            for name, (run, arg) in children.items()
        }  # fmt: skip

        async def cancel(pending: list[str]) -> None:
            for name in pending:
                handles[name].cancel()

        joined = await self.join(
            {name: self.child_branch(name, handle) for name, handle in handles.items()},
            policy,
            cancel,
        )
        status = {"approved": "completed", "rejected": "failed", "closed": "cancelled"}
        outcomes = [
            StageOutcome(stage=v.branch, workflow_id=handles[v.branch].id,
                         status=status[v.verdict], started_at=started,
                         finished_at=v.at or workflow.now())
            for v in joined.verdicts
        ]  # fmt: skip
        return joined, outcomes

    async def child_branch(
        self, name: str, handle: workflow.ChildWorkflowHandle[Any, Any]
    ) -> BranchVerdict:
        """A child workflow as a branch: completed is approved, failed is rejected (with
        the child's reason), cancelled by `stop` is closed."""
        try:
            await handle
        except ChildWorkflowError as err:
            if isinstance(err.cause, CancelledError):
                return BranchVerdict(branch=name, verdict="closed", at=workflow.now())
            cause = err.cause
            reason = cause.message if isinstance(cause, ApplicationError) else str(err)
            return BranchVerdict(branch=name, verdict="rejected", comment=reason, at=workflow.now())
        return BranchVerdict(branch=name, verdict="approved", at=workflow.now())
