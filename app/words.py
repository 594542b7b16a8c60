"""Words for stored values that pages show across blueprints: statuses, kinds, audit entries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.insurance.labels import RUN_STATUSES
from purchasing.models import MessageKind
from purchasing.models.invoices import PaymentMethod

MESSAGE_KINDS = {
    MessageKind.INVOICE: _l("factuur"),
    MessageKind.REMINDER: _l("herinnering"),
    MessageKind.PRENOTIFICATION: _l("vooraankondiging incasso"),
}
PAYMENT_METHODS = {
    PaymentMethod.BANK_TRANSFER: _l("overboeking"),
    PaymentMethod.SEPA_DIRECT_DEBIT: _l("automatische incasso"),
    PaymentMethod.STRIPE: _l("online betaald"),
    PaymentMethod.CASH: _l("contant"),
}
AUDIT_ACTIONS = {
    "post": _l("geboekt"),
    "edit": _l("gewijzigd"),
    "reverse": _l("tegengeboekt"),
    "attach": _l("document toegevoegd"),
    "open": _l("geopend"),
    "close": _l("gesloten"),
    "rename": _l("hernoemd"),
    "reopen": _l("heropend"),
    "set": _l("ingesteld"),
    "create": _l("aangemaakt"),
    "delete": _l("verwijderd"),
    "assert": _l("saldo vastgelegd"),
    "import": _l("ingelezen"),
    "budget": _l("begroot"),
    "ignore": _l("genegeerd"),
    "restore": _l("teruggezet"),
}
AUDIT_ENTITIES = {
    "transaction": _l("boeking"),
    "document": _l("document"),
    "account": _l("rekening"),
    "period": _l("periode"),
    "bank_account": _l("bankrekening"),
    "bank_rule": _l("bankregel"),
    "balance_assertion": _l("saldocontrole"),
    "bank_import": _l("bankafschrift"),
    "bank_line": _l("afschriftregel"),
    "book": _l("boeken"),
    "book_option": _l("instelling"),
}


def init_app(app: Flask) -> None:
    app.jinja_env.filters["run_status"] = run_status
    app.jinja_env.filters["message_kind"] = lambda kind: _word(MESSAGE_KINDS, kind)
    app.jinja_env.filters["payment_method"] = lambda method: _word(PAYMENT_METHODS, method)
    app.jinja_env.filters["audit_action"] = lambda action: _word(AUDIT_ACTIONS, action)
    app.jinja_env.filters["audit_entity"] = lambda entity: _word(AUDIT_ENTITIES, entity)


def run_status(status: str) -> str:
    """``klaar`` for ``done``: a run's state as the reader says it."""
    return _word(RUN_STATUSES, status)


def _word(words: Mapping[Any, object], value: str) -> str:
    """The word for ``value``, or the value itself when it is new (never an error page)."""
    return str(words.get(value, value))
