"""The web face's mailer: ``workers.mail`` with this application's SMTP_URL and instance folder."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from workers.mail import Attachment, Mail, Mailer

__all__ = ["Attachment", "Mail", "mailer", "send"]


def mailer() -> Mailer:
    return Mailer(current_app.config.get("SMTP_URL"), Path(current_app.instance_path) / "mail")


def send(mail: Mail) -> None:
    """Send ``mail`` now (see ``workers.mail.Mailer.send``)."""
    mailer().send(mail)
