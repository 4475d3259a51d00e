"""Employee onboarding: three child workflows at once, each with its own people, then
training; one failing stops the onboarding and the others are called off."""

from __future__ import annotations

from datetime import date
from typing import Any

from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from tests.helpers import App, decide, run_context
from tests.helpers.history import record_history
from valuechain.models.onboarding import OnboardingInput, OnboardingRequest
from workflows.human import HumanWorkflow
from workflows.onboarding.process import EmployeeOnboarding
from workflows.onboarding.training import Training


async def start(app: App) -> WorkflowHandle[Any, Any]:
    request = OnboardingRequest(employee="nina", full_name="Nina Berg", job_title="Engineer",
                                manager="maria", start_date=date(2027, 1, 4),
                                courses=["security-basics", "code-of-conduct"])  # fmt: skip
    inp = OnboardingInput(request=request, context=run_context(app.task_queue))
    return await app.start(EmployeeOnboarding.run, inp, "onboarding")


def child(env: WorkflowEnvironment, h: WorkflowHandle[Any, Any], name: str) -> Any:
    return env.client.get_workflow_handle(f"{h.id}-{name}")


async def test_onboarding_runs_three_workflows_then_training(app: App) -> None:
    env, store = app.env, app.store
    async with app.worker():
        h = await start(app)
        check, equipment, access = (child(env, h, n) for n in
                                    ("background_check", "equipment", "access"))  # fmt: skip
        # The three run at once: each has a step open before any other is decided.
        await decide(access, "approve_permissions", "maria", "approve")
        await decide(equipment, "request", "maria", "requested")
        await decide(check, "submit", "hana", "submitted")
        # Each step's run (past its start now) says what it is about, for the new hire,
        # to whom: the manager.
        for run, what in ((check, "background check"), (equipment, "equipment"),
                          (access, "access")):  # fmt: skip
            state = await run.query(HumanWorkflow.state)
            assert (state.subject, state.requester) == (f"{what} for Nina Berg (Engineer)", "maria")
        await decide(check, "hr_review", "hugo", "clear")
        await decide(equipment, "configure", "ian", "configured")
        await decide(equipment, "deliver", "fay", "delivered")
        await decide(access, "security_audit", "sonia", "pass")
        training = child(env, h, "training")
        await decide(training, "course_security_basics", "nina", "completed")
        await decide(training, "course_code_of_conduct", "nina", "completed")
        result = await h.result()
        trained = await env.client.get_workflow_handle_for(
            Training.run, f"{h.id}-training"
        ).result()
        await record_history(h, "onboarding")
        for name in ("background_check", "equipment", "access", "training"):
            await record_history(child(env, h, name), f"onboarding-{name}")

    assert result.status == "onboarded"
    assert [w.stage for w in result.workflows][-1] == "training"
    # Each course was completed by the new hire, none closed for them.
    courses = [(s.step, s.actor, s.decision) for s in trained.steps if s.performer == "human"]
    assert sorted(courses) == [
        ("course_code_of_conduct", "nina", "completed"),
        ("course_security_basics", "nina", "completed"),
    ]
    assert {w.stage: w.status for w in result.workflows} == {
        "background_check": "completed", "equipment": "completed", "access": "completed",
        "training": "completed",
    }  # fmt: skip
    for w in result.workflows:
        assert w.finished_at >= w.started_at
    assert sorted(b.kind for b in store.bookings()) == [
        "accounts", "background_check", "course_enrollment",
    ]  # fmt: skip


async def test_a_failed_audit_stops_onboarding(app: App) -> None:
    env = app.env
    async with app.worker():
        h = await start(app)
        access = child(env, h, "access")
        await decide(access, "approve_permissions", "maria", "approve")
        await decide(access, "security_audit", "sonia", "fail", comment="admin rights asked")
        result = await h.result()
        await record_history(h, "onboarding-failed")
        statuses = {n: (await child(env, h, n).describe()).status
                    for n in ("background_check", "equipment", "access")}  # fmt: skip
    assert result.status == "not_onboarded"
    assert result.failed == {"access": "security_audit: fail by sonia: admin rights asked"}
    assert statuses == {
        "background_check": WorkflowExecutionStatus.CANCELED,
        "equipment": WorkflowExecutionStatus.CANCELED,
        "access": WorkflowExecutionStatus.FAILED,
    }
    assert "training" not in [w.stage for w in result.workflows]
