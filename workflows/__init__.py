"""Workflow definitions. Deterministic code only: no I/O, clocks, randomness or env vars."""

# The mechanisms every workflow builds on (the human step, the join, the state machine,
# the order stage and its events, the onboarding step): modules of their own with no
# workflow definition, all deterministic. The sandbox imports a workflow's module afresh
# for every run, with what it imports; these it takes from outside instead (Temporal's
# advice for "separate files whose calls are deterministic"; re-importing them was a fifth
# of a worker's busy time in a benchmark). The workflows' own modules are still imported,
# and checked, at every run: one workflow a module, so that a run defines its own class
# only (a process takes its children's classes from outside the sandbox, to start them).
PASSED_THROUGH = (
    "workflows.human",
    "workflows.parallel",
    "workflows.statemachine",
    "workflows.order_to_cash.stage",
    "workflows.order_to_cash.events",
    "workflows.onboarding.step",
)
