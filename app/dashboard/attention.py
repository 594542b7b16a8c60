"""What needs attention on the dashboard, gathered from the features this installation has.

Bank import and the bureau's invoices are separate features; each is asked only when its module
is installed (a plain feature check, so a failure inside a present feature still shows loudly).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib.util import find_spec
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.entries import Finding
from ledger.validation import latest_validation

if TYPE_CHECKING:
    from ledger.bank.reconciliation import Reconciliation

HAS_BANK_IMPORT = find_spec("ledger.bank.models") is not None
HAS_BUREAU_INVOICES = find_spec("purchasing.invoices.queries") is not None
NEWEST_INVOICES = 50


@dataclass(frozen=True, slots=True)
class UnpaidInvoice:
    id: int
    number: str
    open: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Attention:
    findings: tuple[Finding, ...] = ()
    is_validated: bool = False
    unbooked_bank_lines: int | None = None
    unpaid_invoices: tuple[UnpaidInvoice, ...] | None = None
    # Bank accounts whose books disagree with a balance from the bank (a missing statement, a
    # payment booked twice): the reconciliation below shows them, the summary must not say
    # that all is well.
    bank_differences: tuple[Reconciliation, ...] = ()

    @property
    def is_clear(self) -> bool:
        return not (
            self.findings
            or self.unbooked_bank_lines
            or self.unpaid_invoices
            or self.bank_differences
        )


def attention(
    session: Session,
    organisation_id: int,
    reconciliations: Sequence[Reconciliation] | None = None,
) -> Attention:
    """Validation findings, bank lines waiting to be booked, differences with the bank, and
    unpaid bureau invoices.

    The waiting lines and the differences are read from ``reconciliations``
    (``bank_reconciliations``) when the caller has them: every line is on a bank account, and
    each has its reconciliation.
    """
    report = latest_validation(session)
    unbooked = None
    differences: tuple[Reconciliation, ...] = ()
    if reconciliations is not None:
        unbooked = sum(item.open_lines for item in reconciliations)
        differences = tuple(item for item in reconciliations if item.difference is not None)
    elif HAS_BANK_IMPORT:
        unbooked = unbooked_bank_lines(session)
    return Attention(
        findings=report.findings if report else (),
        is_validated=report is not None and report.finished_at is not None,
        unbooked_bank_lines=unbooked,
        unpaid_invoices=unpaid_invoices(session, organisation_id) if HAS_BUREAU_INVOICES else None,
        bank_differences=differences,
    )


def bank_reconciliations(session: Session) -> list[Reconciliation] | None:
    """Where each bank account stands against its statements; None without bank import."""
    if not HAS_BANK_IMPORT:
        return None
    from ledger.bank.reconciliation import reconciliations

    return reconciliations(session)


def unbooked_bank_lines(session: Session) -> int:
    from ledger.bank.models import BankLine, is_waiting

    count = session.scalar(select(func.count()).select_from(BankLine).where(is_waiting()))
    return int(count or 0)


def unpaid_invoices(session: Session, organisation_id: int) -> tuple[UnpaidInvoice, ...]:
    """The organisation's newest bureau invoices that still have something to pay.

    One query (``open_invoices``), however many invoices are open.
    """
    from purchasing.arrears import open_invoices

    newest = sorted(
        open_invoices(session, customer_id=organisation_id),
        key=lambda item: (item.issued_on, item.invoice_id),
        reverse=True,
    )[:NEWEST_INVOICES]
    return tuple(
        UnpaidInvoice(item.invoice_id, item.number, item.open_amount, "EUR") for item in newest
    )
