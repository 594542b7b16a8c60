"""The web face's mailer: ``workers.mail`` with this application's SMTP_URL and instance folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app, url_for

from workers.mail import Attachment, Mail, Mailer

__all__ = ["Attachment", "Mail", "mailer", "send"]


def mailer() -> Mailer:
    return Mailer(current_app.config.get("SMTP_URL"), Path(current_app.instance_path) / "mail")


def public_link(endpoint: str, **values: Any) -> str:
    """An absolute link for an e-mail, always on ``SB_PUBLIC_URL``, never on the request's host.

    A ``Host`` header is whatever the sender wrote: an invitation that followed it would carry
    its one-time token to a server of the sender's choosing. Production refuses to start
    without the setting (``workers.settings.require_public_url``); development and tests use the
    address ``serve`` listens on.
    """
    base = str(current_app.config["PUBLIC_URL"]).rstrip("/")
    return base + url_for(endpoint, **values)


def send(mail: Mail) -> None:
    """Send ``mail`` now (see ``workers.mail.Mailer.send``)."""
    mailer().send(mail)
