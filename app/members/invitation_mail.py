"""The e-mail that carries an invitation link, sent once the invitation is committed."""

from __future__ import annotations

import logging
import smtplib

from flask import flash, render_template
from flask_babel import gettext as _

from app.i18n import role_name
from app.mail import Mail, public_link, send
from app.unit_of_work import after_commit
from tenants.invitations import IssuedInvitation

log = logging.getLogger(__name__)


def send_invitation_after_commit(
    issued: IssuedInvitation, organisation_name: str, role: str, inviter: str, sent: str
) -> None:
    """Mail the link once the request's work is committed, then flash ``sent`` (or the failure).

    A mail sent before the commit would carry a link to nothing when the commit then fails
    (the database went away, a conflict), and the person invited could not tell. The mail is
    written now, while the request's transaction is still there for the template to read in,
    and only handed to the mailer after the commit; a rolled-back request sends nothing.
    """
    mail = invitation_mail(issued, organisation_name, role, inviter)
    after_commit(lambda: _deliver(mail, sent))


def invitation_mail(
    issued: IssuedInvitation, organisation_name: str, role: str, inviter: str
) -> Mail:
    """The acceptance link in a mail; the token exists only in this link, never in the database."""
    body = render_template(
        "mail/invitation.txt",
        organisation=organisation_name,
        role=role_name(role),
        inviter=inviter,
        link=acceptance_link(issued.token),
    )
    subject = _("Uitnodiging voor %(organisation)s", organisation=organisation_name)
    return Mail(to=issued.email, subject=subject, body=body)


def acceptance_link(token: str) -> str:
    """An absolute link on ``SB_PUBLIC_URL`` (never on the request's host, which may lie)."""
    return public_link("auth.accept_invitation", token=token)


def _deliver(mail: Mail, sent: str) -> None:
    """Send the committed invitation's mail; a failed mail keeps the invitation and says so."""
    try:
        send(mail)
    except (OSError, smtplib.SMTPException):
        log.exception("invitation mail to %s failed", mail.to)
        flash(_("De uitnodiging is opgeslagen, maar de e-mail kon niet worden verstuurd."), "error")
        return
    flash(sent)
