"""A run started with no input, or with more than one, fails at once: every workflow
takes one input (`{"request": {...}}`), and without this check the missing argument
would fail the run's first workflow task on every attempt, for ever."""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    ExecuteWorkflowInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

with workflow.unsafe.imports_passed_through():
    from valuechain import errors


class _OneInputInbound(WorkflowInboundInterceptor):
    async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
        if len(input.args) != 1:
            raise ApplicationError(
                f"invalid input for {workflow.info().workflow_type}: it takes one input, "
                f'{{"request": {{...}}}}, and was started with {len(input.args)}',
                type=errors.INVALID_INPUT,
                non_retryable=True,
            )
        return await super().execute_workflow(input)


class OneInput(Interceptor):
    """Registered on every worker that runs the workflows."""

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        return _OneInputInbound
