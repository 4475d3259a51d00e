"""Activities: the automated steps. Classes whose constructor gets their dependencies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Activities:
    """A class of activities: each of its public methods is one (`@activity.defn`).
    `all()` gives them bound to this instance, for a worker: an activity is registered by
    being written, not by being added to a list as well (and a worker refuses, at its
    start, a public method that is not an activity)."""

    def all(self) -> list[Callable[..., Any]]:
        cls = type(self)
        return [
            getattr(self, name)
            for name in dir(cls)
            if not name.startswith("_") and name != "all" and callable(getattr(cls, name))
        ]
