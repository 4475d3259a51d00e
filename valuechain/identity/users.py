"""The people who sign in to the task list: a users file (TOML: name, email, argon2 hash
of the password), read and written with every error naming the file, and the lock-out
that stops guessing. Which roles a person holds stays the roster's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import tomli_w
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from pydantic import Field, ValidationError

from valuechain.datafiles import read_toml
from valuechain.models.common import Login, Model
from valuechain.private import secret_made_once, write_private
from valuechain.validation import describe_validation_error

HASHER = PasswordHasher()  # argon2id, the library's current recommended parameters
MIN_PASSWORD = 12


class UsersFileError(Exception):
    """A users file that cannot be used, or a change refused, naming the file and why."""


class User(Model):
    name: Login
    email: str = Field(default="", max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+$")
    password_hash: str = Field(min_length=1)


class UsersFile(Model):
    users: list[User] = []

    def get(self, name: str) -> User | None:
        return next((u for u in self.users if u.name == name), None)


def load_users(path: str | Path) -> UsersFile:
    if not Path(path).exists():
        return UsersFile()
    data = read_toml(path, "users file", UsersFileError)
    try:
        users = UsersFile.model_validate(data)
    except ValidationError as err:
        raise UsersFileError(describe_validation_error(f"users file {path}", err)) from err
    names = [u.name for u in users.users]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsersFileError(f"users file {path}: listed twice: {', '.join(twice)}")
    return users


def save_users(path: str | Path, users: UsersFile) -> None:
    """Write the file readable by its owner only (it holds password hashes), replacing
    it in one step so a reader never sees half of it."""
    write_private(Path(path), tomli_w.dumps(users.model_dump()).encode())


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UsersFileError(f"the password needs at least {MIN_PASSWORD} characters")


def set_user(path: str | Path, name: str, password: str, email: str | None = None) -> User:
    """Add the user, or set an existing one's password (and email when given)."""
    check_password(password)
    users = load_users(path)
    known = users.get(name)
    try:
        user = User(
            name=name,
            email=email if email is not None else (known.email if known else ""),
            password_hash=HASHER.hash(password),
        )
    except ValidationError as err:
        raise UsersFileError(describe_validation_error("user", err)) from err
    others = [u for u in users.users if u.name != name]
    save_users(path, UsersFile(users=[*others, user]))
    return user


def verify_password(user: User | None, password: str) -> bool:
    """Whether `password` is the user's. An unknown user costs a hash all the same, so
    the time taken does not tell who exists."""
    try:
        if user is None:
            HASHER.verify(DUMMY_HASH, password)
            return False
        return HASHER.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


DUMMY_HASH = HASHER.hash("not anyone's password")


@dataclass
class LockOut:
    """Sign-in failures per name: `limit` within `window` lock the name for `lock_for`.
    A success clears them. Kept by the task list process (a restart clears it)."""

    limit: int = 5
    window: timedelta = timedelta(minutes=15)
    lock_for: timedelta = timedelta(minutes=15)
    _failures: dict[str, list[datetime]] = field(default_factory=dict)
    _locked_until: dict[str, datetime] = field(default_factory=dict)

    def locked(self, name: str, now: datetime) -> datetime | None:
        """Until when the name is locked, or None."""
        until = self._locked_until.get(name)
        if until is not None and until > now:
            return until
        self._locked_until.pop(name, None)
        return None

    def failed(self, name: str, now: datetime) -> None:
        recent = [t for t in self._failures.get(name, []) if now - t < self.window]
        recent.append(now)
        self._failures[name] = recent
        if len(recent) >= self.limit:
            self._locked_until[name] = now + self.lock_for
            self._failures.pop(name, None)

    def succeeded(self, name: str) -> None:
        self._failures.pop(name, None)


def ensure_demo_users(path: Path, names: list[str], password_file: Path) -> str:
    """For the local stack: every roster person as a user, all with one generated
    password kept in `password_file` (readable by its owner only), made once."""
    password = secret_made_once(password_file)
    users = load_users(path)
    missing = [n for n in names if users.get(n) is None]
    if missing:
        hashed = HASHER.hash(password)  # one hash for all: the demo's people share it
        added = [User(name=n, email=f"{n}@example.com", password_hash=hashed) for n in missing]
        save_users(path, UsersFile(users=[*users.users, *added]))
    return password
