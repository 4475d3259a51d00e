"""One class from a mechanism written as several: its members gathered, `object` its
only base.

Temporal's sandbox imports a workflow's module afresh at every run, so `@workflow.defn`
is applied at every run too, and it scans every member of every base of the class (to
refuse a base's run, signal, query or update method the class does not declare). On the
human step's six bases that scan took 0.7 ms of a one-step run's 5.9 in the benchmark's
replays (README, "What each feature costs, measured"). The mechanisms stay written as
small classes, a module each; the class a workflow builds on is one class with all their
members, so the scan reads one base.
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T", bound=type)

# What each class has of its own that is not a member to gather.
_OWN = {"__dict__", "__weakref__"}


def _uses_super(member: Any) -> bool:
    """A zero-argument `super()` names its class in a closure cell; in the gathered class
    that class is no base, so the call would fail at run time."""
    functions = (member, *(getattr(member, a, None) for a in ("fget", "fset", "__func__")))
    codes = (getattr(f, "__code__", None) for f in functions)
    return any("__class__" in code.co_freevars for code in codes if code is not None)


def flattened(cls: T) -> T:
    """`cls` as one class: each member as `cls` resolves it (a subclass's override wins),
    its name, module and docstring kept; type checkers see `cls` as written."""
    members: dict[str, Any] = {}
    for base in reversed(cls.__mro__[:-1]):
        members.update((k, v) for k, v in vars(base).items() if k not in _OWN)
    if used := sorted(name for name, member in members.items() if _uses_super(member)):
        raise TypeError(
            f"{cls.__qualname__}: {', '.join(used)} call super() without arguments; call"
            " the base's method by name (Base.method(self)), the bases are not kept"
        )
    members["__qualname__"] = cls.__qualname__
    return type(cls)(cls.__name__, (object,), members)
