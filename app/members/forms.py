"""Forms of the members pages; labels are Dutch message ids, translated when shown."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice, SelectField
from wtforms.validators import DataRequired, Email, Length

from app.i18n import ROLE_NAMES
from tenants.roles import Role

# Most trusted last, as people read the list: who can least, who can most.
ROLE_CHOICES = [
    SelectChoice(role.value, ROLE_NAMES[role])
    for role in (Role.VIEWER, Role.BOOKKEEPER, Role.OWNER)
]


class InvitationForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Rol"), choices=ROLE_CHOICES, default=Role.BOOKKEEPER.value)


class RoleForm(FlaskForm):
    role = SelectField(_l("Rol"), choices=ROLE_CHOICES, validators=[DataRequired()])


class RemovalForm(FlaskForm):
    """Only the CSRF token: removing someone needs no other input."""
