"""Outgoing e-mail, for jobs and the web alike: over SMTP when ``SMTP_URL`` is set, else kept
in the instance folder.

``SMTP_URL`` looks like ``smtp://user:password@host:587`` (STARTTLS) or ``smtps://...:465``
(TLS from the start); ``?from=bureau@example.org`` sets the sender. Without it (development
and tests) every message is logged and written to ``<instance>/mail/<timestamp>-<to>.eml``, so a
developer can open it and a test can read the link in it.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger(__name__)

DEFAULT_SENDER = "Servicebureau <servicebureau@localhost>"
SMTP_TIMEOUT_SECONDS = 20


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent along, such as an invoice PDF."""

    filename: str
    content: bytes
    mime_type: str = "application/pdf"


@dataclass(frozen=True, slots=True)
class Mail:
    """One plain-text message to one person, with files attached if any."""

    to: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class Mailer:
    """Sends over ``smtp_url`` when there is one; else keeps each message in ``folder``."""

    smtp_url: str | None
    folder: Path

    def send(self, mail: Mail) -> None:
        """Send ``mail`` now; raises ``OSError``/``smtplib.SMTPException`` if refused."""
        outgoing = _compose(mail, _sender(self.smtp_url))
        if self.smtp_url:
            _send_over_smtp(outgoing, self.smtp_url)
        else:
            _keep(outgoing, self.folder)


def _compose(mail: Mail, sender: str) -> EmailMessage:
    outgoing = EmailMessage()
    outgoing["From"] = sender
    outgoing["To"] = _one_line(mail.to)
    outgoing["Subject"] = _one_line(mail.subject)
    outgoing.set_content(mail.body)
    for attachment in mail.attachments:
        maintype, subtype = attachment.mime_type.split("/", 1)
        outgoing.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return outgoing


def _one_line(text: str) -> str:
    """A header value on one line: an organisation's name may hold a line break, and a header
    may not (it would end the header, or let a name add headers of its own)."""
    return " ".join(text.split())


def _sender(smtp_url: str | None) -> str:
    if smtp_url:
        chosen = parse_qs(urlsplit(smtp_url).query).get("from")
        if chosen:
            return chosen[0]
    return DEFAULT_SENDER


def _send_over_smtp(outgoing: EmailMessage, smtp_url: str) -> None:
    url = urlsplit(smtp_url)
    if url.scheme not in ("smtp", "smtps") or not url.hostname:
        raise ValueError("SMTP_URL must look like smtp://user:password@host:port")
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if url.scheme == "smtps":
        client = smtplib.SMTP_SSL(
            url.hostname, url.port or 465, timeout=SMTP_TIMEOUT_SECONDS, context=context
        )
    else:
        client = smtplib.SMTP(url.hostname, url.port or 587, timeout=SMTP_TIMEOUT_SECONDS)
    with client:
        if url.scheme == "smtp":
            client.starttls(context=context)
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(outgoing)
    log.info("mail sent to %s: %s", outgoing["To"], outgoing["Subject"])


def _keep(outgoing: EmailMessage, folder: Path) -> Path:
    """Write the message where a developer (or a test) can read it, and log it."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    recipient = re.sub(r"[^A-Za-z0-9@._+-]", "_", str(outgoing["To"]))
    path = folder / f"{stamp}-{recipient}.eml"
    path.write_bytes(bytes(outgoing))
    log.info("mail to %s kept in %s (no SMTP_URL):\n%s", outgoing["To"], path, outgoing)
    return path
