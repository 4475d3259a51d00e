"""How settings are read from `VALUECHAIN_<FIELD>` variables: from the mapping
`Settings.from_env` is given (never from the process's own environment behind its back),
with Temporal's client settings left to `valuechain.connection`, and each bad variable
named with its value and what is wrong with it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource
from pydantic_settings.sources.utils import parse_env_vars

PREFIX = "VALUECHAIN_"


class SettingsError(ValueError):
    """An environment variable holds a value that cannot be used."""


# The environment `from_env` reads (None: `Settings(...)` reads none, only its arguments).
_READING: ContextVar[Mapping[str, str] | None] = ContextVar("settings_env", default=None)


class _Environment(EnvSettingsSource):
    """`VALUECHAIN_<FIELD>` variables from the mapping `from_env` was given. Where Temporal
    is (`temporal`) is never one of them: it is Temporal's own settings."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        self._given = env
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(
            self._given, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str
        )

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        if field_name == "temporal":
            return None, field_name, False
        return super().get_field_value(field, field_name)


@contextmanager
def reading(env: Mapping[str, str]) -> Iterator[None]:
    """Settings built inside read their variables from `env`."""
    token = _READING.set(env)
    try:
        yield
    finally:
        _READING.reset(token)


def sources(
    settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource
) -> tuple[PydanticBaseSettingsSource, ...]:
    """The arguments, then the variables of the environment being read (if any)."""
    env = _READING.get()
    return (init_settings,) if env is None else (init_settings, _Environment(settings_cls, env))


def env_var(field_name: str) -> str:
    return f"{PREFIX}{field_name.upper()}"


def describe(err: ValidationError, env: Mapping[str, str]) -> str:
    """Each wrong variable, its value and why: `VALUECHAIN_X='soon': Input should be ...`."""
    lines = []
    for e in err.errors():
        var = env_var(str(e["loc"][0])) if e["loc"] else "settings"
        value = f"={env[var]!r}" if var in env else ""
        lines.append(f"{var}{value}: {e['msg']}")
    return "; ".join(lines)
