"""Forms of the bureau pages; labels are Dutch message ids, translated when shown."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp


class NewOrganisationForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Korte naam (in de URL)"),
        validators=[DataRequired(), Regexp(r"^[a-z0-9][a-z0-9-]{1,47}$")],
    )
    kvk_number = StringField(_l("KvK-nummer"), validators=[Optional(), Regexp(r"^\d{8}$")])
    owner_email = EmailField(
        _l("E-mailadres van de eigenaar (penningmeester)"),
        validators=[Optional(), Email(), Length(max=254)],
        description=_l(
            "Krijgt een uitnodiging om het account aan te maken en de boeken te voeren."
        ),
    )


class OwnerInvitationForm(FlaskForm):
    email = EmailField(
        _l("E-mailadres van de eigenaar"), validators=[DataRequired(), Email(), Length(max=254)]
    )
