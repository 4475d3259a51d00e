"""Sending a notice by email (SMTP, with STARTTLS and a login when set), and finding
whom a notice reaches: a person's address from the users file, or every holder of a role
(`role:<name>`) per the roster."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from valuechain.identity.users import load_users
from valuechain.models.common import Roster
from valuechain.settings import Settings


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    starttls: bool
    ca_file: str
    username: str
    password: str
    sender: str
    timeout: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings) -> MailServer | None:
        if not settings.smtp_host:
            return None
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_starttls,
            settings.smtp_ca_file,
            settings.smtp_username,
            settings.smtp_password,
            settings.smtp_sender,
        )

    def send(self, to: list[str], subject: str, body: str, message_id: str) -> None:
        """One message to `to`; an unreachable or refusing server raises (OSError or
        smtplib.SMTPException), for the activity to retry."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = ", ".join(to)
        message["Subject"] = subject
        # Stable per notice: a mail system that sees it twice can tell.
        message["Message-ID"] = f"<{message_id}@valuechain>"
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context(cafile=self.ca_file or None))
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


@dataclass(frozen=True)
class Directory:
    """Whose addresses a recipient stands for. The users file is read at each look, so
    an address added counts at once."""

    users_file: Path
    roster: Roster

    def addresses(self, recipient: str) -> list[str]:
        role = recipient.removeprefix("role:") if recipient.startswith("role:") else None
        names = self.roster.holders(role) if role else [recipient]
        users = load_users(self.users_file)
        found = [user.email for name in names if (user := users.get(name)) and user.email]
        return sorted(set(found))
