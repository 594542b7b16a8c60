"""Words for the insurance vocabulary's stored values, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from purchasing.models import PoolStatus, RunKind, RunStatus, VolunteerScheme
from purchasing.models.pools import InsurerInvoiceKind
from purchasing.premium_tax import Treatment
from purchasing.rating import Basis, Line, TierMeasure

LINES = {
    Line.HEALTH: _l("Collectieve zorgverzekering werknemers"),
    Line.VERZUIM: _l("Verzuimverzekering"),
    Line.AVB: _l("Aansprakelijkheid (AVB)"),
    Line.VOLUNTEERS: _l("Vrijwilligersverzekering"),
    Line.DIRECTORS: _l("Bestuurdersaansprakelijkheid"),
}
BASES = {
    Basis.PER_EMPLOYEE: _l("per werknemer"),
    Basis.PER_FTE: _l("per fte"),
    Basis.PAYROLL_PERCENT: _l("percentage van de loonsom"),
    Basis.PER_VOLUNTEER: _l("per vrijwilliger"),
    Basis.FLAT: _l("vast bedrag per organisatie"),
    Basis.TURNOVER_PERCENT: _l("percentage van de omzet"),
}
# What a member declares for each basis: the form field and its label.
FIGURES = {
    "employees": _l("Aantal werknemers"),
    "fte": _l("Aantal fte"),
    "payroll": _l("Loonsom per jaar"),
    "volunteers": _l("Aantal vrijwilligers"),
    "turnover": _l("Omzet per jaar"),
}
MEASURES = {
    TierMeasure.MEMBERS: _l("aantal deelnemers"),
    TierMeasure.EXPOSURE: _l("totale omvang van de pool"),
}
POOL_STATUSES = {
    PoolStatus.WAITING: _l("wacht op deelnemers"),
    PoolStatus.ACTIVE: _l("gestart"),
    PoolStatus.CLOSED: _l("gesloten"),
}
RUN_STATUSES = {
    RunStatus.PENDING: _l("in de wachtrij"),
    RunStatus.RUNNING: _l("bezig"),
    RunStatus.DONE: _l("klaar"),
    RunStatus.FAILED: _l("mislukt"),
}
RUN_KINDS = {
    RunKind.MEMBERSHIP: _l("Contributierun"),
    RunKind.PREMIUM: _l("Premierun"),
    RunKind.CORRECTION: _l("Correctierun"),
    RunKind.TRUE_UP: _l("Naverrekening"),
}
INSURER_INVOICE_KINDS = {
    InsurerInvoiceKind.ADVANCE: _l("Premie over de periode (voorschot)"),
    InsurerInvoiceKind.FINAL: _l("Definitief, na de naverrekening"),
}
TREATMENTS = {
    Treatment.TAXED: _l("belast"),
    Treatment.EXEMPT: _l("vrijgesteld"),
    Treatment.SPLIT: _l("deels belast"),
}
SCHEMES = {
    VolunteerScheme.NONE: _l("Geen gemeentelijke vrijwilligersverzekering"),
    VolunteerScheme.VNG_BASIS: _l("VNG-vrijwilligersverzekering Basis"),
    VolunteerScheme.VNG_PLUS: _l("VNG-vrijwilligersverzekering Plus"),
    VolunteerScheme.OTHER: _l("Een andere regeling"),
}


LABELS = {
    "lines": LINES,
    "bases": BASES,
    "figures": FIGURES,
    "measures": MEASURES,
    "pool_statuses": POOL_STATUSES,
    "run_statuses": RUN_STATUSES,
    "run_kinds": RUN_KINDS,
    "insurer_invoice_kinds": INSURER_INVOICE_KINDS,
    "treatments": TREATMENTS,
    "schemes": SCHEMES,
}


def labels_context() -> dict[str, object]:
    """A context processor: the label tables, as ``labels`` in the insurance templates."""
    return {"labels": LABELS}
