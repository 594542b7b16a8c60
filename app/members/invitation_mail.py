"""The e-mail that carries an invitation link."""

from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import gettext as _

from app.i18n import role_name
from app.mail import Mail, send
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
    """An absolute link, on ``SB_PUBLIC_URL`` when set (behind a proxy the request host may lie)."""
    public_url = current_app.config.get("PUBLIC_URL")
    if public_url:
        return str(public_url).rstrip("/") + url_for("auth.accept_invitation", token=token)
    return str(url_for("auth.accept_invitation", token=token, _external=True))
