"""Who is signed in: sessions in signed, HttpOnly, SameSite cookies that expire; a CSRF
token on every form; sign-in against the users file with a lock-out; or, when a setting
says so, the name a trusted reverse proxy puts in a header (single sign-on)."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request

from valuechain.identity.users import LockOut, load_users, verify_password
from valuechain.models.common import Roster
from valuechain.private import secret_made_once
from valuechain.settings import Settings


@dataclass(frozen=True)
class Person:
    name: str
    roles: list[str]


class Denied(Exception):
    """A request that must not go on: a bad or missing CSRF token."""


def session_secret(settings: Settings) -> str:
    """Signs the session cookies: made once and kept, so sign-ins survive a restart."""
    return secret_made_once(settings.state_dir / "tasklist.secret")


def sessions(settings: Settings, secret: str) -> Middleware:
    """The task list's signed session cookies. The codec server reads the same ones: a
    person signed in to the task list may decode payloads in the Web UI."""
    return Middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="valuechain_session",
        max_age=settings.tasklist_session_minutes * 60,
        same_site="strict",
        https_only=settings.tasklist_secure_cookies,
    )


def csrf_token(request: Request) -> str:
    """This session's token, made on first use; every form carries it."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, given: object) -> None:
    expected = request.session.get("csrf")
    if not (isinstance(given, str) and isinstance(expected, str)):
        raise Denied("the form has expired; reload the page and send it again")
    if not hmac.compare_digest(given, expected):
        raise Denied("the form has expired; reload the page and send it again")


def signed_in(request: Request, settings: Settings, roster: Roster) -> Person | None:
    """The person this request comes from, or None."""
    header = settings.tasklist_proxy_header
    if header:
        trusted = {a.strip() for a in settings.tasklist_proxy_from.split(",") if a.strip()}
        sender = request.client.host if request.client else ""
        from_proxy = request.headers.get(header, "")
        if sender in trusted and from_proxy in roster.people:
            return Person(from_proxy, roster.people[from_proxy])
        return None
    name = request.session.get("user")
    if isinstance(name, str) and name in roster.people:
        return Person(name, roster.people[name])
    return None


@dataclass
class SignIn:
    users_file: Path  # read at each attempt: a user added or a password set counts at once
    lockout: LockOut

    def attempt(self, name: str, password: str, now: datetime | None = None) -> str | None:
        """None when the name and password are right; else what to tell the person
        (never which of the two was wrong)."""
        now = now or datetime.now(UTC)
        until = self.lockout.locked(name, now)
        if until is not None:
            return f"too many failed sign-ins; try again after {until:%H:%M} UTC"
        if verify_password(load_users(self.users_file).get(name), password):
            self.lockout.succeeded(name)
            return None
        self.lockout.failed(name, now)
        return "wrong name or password"
