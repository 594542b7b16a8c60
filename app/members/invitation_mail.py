"""The e-mail that carries an invitation link."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from app.i18n import role_name
from app.mail import Mail, public_link, send
from tenants.invitations import IssuedInvitation


def send_invitation(
    issued: IssuedInvitation, organisation_name: str, role: str, inviter: str
) -> None:
    """Mail the acceptance link; the token exists only in this link, never in the database."""
    link = acceptance_link(issued.token)
    body = render_template(
        "mail/invitation.txt",
        organisation=organisation_name,
        role=role_name(role),
        inviter=inviter,
        link=link,
    )
    subject = _("Uitnodiging voor %(organisation)s", organisation=organisation_name)
    send(Mail(to=issued.email, subject=subject, body=body))


def acceptance_link(token: str) -> str:
    """An absolute link on ``SB_PUBLIC_URL`` (never on the request's host, which may lie)."""
    return public_link("auth.accept_invitation", token=token)
