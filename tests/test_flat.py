"""The classes workflows build on are each one class (`workflows.human.flat`): what the
sandbox's `@workflow.defn` scans at every run is one base, and nothing else changes."""

from __future__ import annotations

import pytest

from workflows.human.flat import flattened


class _Record:
    kind = "record"

    def __init__(self) -> None:
        self.lines: list[str] = []

    def describe(self) -> str:
        return f"a {self.kind}"

    @property
    def size(self) -> int:
        return len(self.lines)


class _Steps(_Record):
    kind = "steps"  # a subclass's value wins, as it resolves on the original

    def add(self, line: str) -> None:
        self.lines.append(line)


class _Mechanism(_Steps):
    """The mechanism."""

    def describe(self) -> str:
        return "overridden: " + _Record.describe(self)  # a base's method by name


def test_a_flattened_class_has_each_member_as_the_original_resolves_it() -> None:
    flat = flattened(_Mechanism)
    assert flat.__mro__ == (flat, object)
    assert (flat.__name__, flat.__qualname__, flat.__module__, flat.__doc__) == (
        "_Mechanism", "_Mechanism", __name__, "The mechanism."
    )  # fmt: skip
    names = {n for n in dir(_Mechanism) if not n.startswith("__")}
    assert names == {n for n in dir(flat) if not n.startswith("__")}
    assert all(getattr(flat, n) == getattr(_Mechanism, n) for n in names)

    class Workflow(flat):  # type: ignore[misc,valid-type]
        pass

    run = Workflow()
    run.add("one")
    assert (run.describe(), run.size, run.kind) == ("overridden: a steps", 1, "steps")


def test_a_zero_argument_super_is_refused_by_name() -> None:
    """In the gathered class the method's own class is no base: the call would fail at
    run time, in a workflow; it fails at import instead, naming the method."""

    class Child(_Record):
        def __init__(self) -> None:
            super().__init__()

        @property
        def size(self) -> int:
            return super().size

    with pytest.raises(TypeError, match=r"Child: __init__, size call super\(\)"):
        flattened(Child)


def test_a_zero_argument_super_in_a_class_method_is_refused_too() -> None:
    class Child(_Record):
        @classmethod
        def made(cls) -> Child:
            return super().__new__(cls)

    with pytest.raises(TypeError, match=r"Child: made call super\(\)"):
        flattened(Child)


def test_every_workflow_builds_on_one_class() -> None:
    from tests.bench.worker import WORKFLOWS
    from workers.registry import ALL_WORKFLOWS

    for workflow_class in [*ALL_WORKFLOWS, *WORKFLOWS]:
        assert len(workflow_class.__mro__) <= 3, workflow_class  # itself, one class, object
