"""The inbox: imported lines waiting to be booked, with a proposed contra account, and booking.

Each confirmation posts one transaction through ``post_transaction`` (so every Beancount rule
applies), marks the line booked, settles the invoice it pays and lets the bank's balances become
balance assertions where the books now agree: all by plain calls in the caller's unit of work,
so they are committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import ScalarSelect

from ledger.bank.bookable import Hint, blockers
from ledger.bank.matching import BankPayment, InvoiceMatcher, OpenInvoice, candidate_references
from ledger.bank.models import BankAccount, BankLine
from ledger.bank.reconciliation import assert_balances
from ledger.bank.rules import RuleSpec, all_rules, best_rule
from ledger.bank.statement import Progress
from ledger.entries import Amount, NewPosting, NewTransaction
from ledger.errors import DomainError, NotFound, ValidationFailed, message
from ledger.models import Account, Posting
from ledger.projects import project_name, with_project
from ledger.statements import read
from ledger.suggestions import recent_names
from ledger.transactions import post_transaction


@dataclass(frozen=True, slots=True)
class Proposal:
    """A proposed contra account, and why: a rule or an open invoice."""

    account: str
    narration: str = ""
    rule_id: int | None = None
    invoice: OpenInvoice | None = None
    project: str = ""


@dataclass(frozen=True, slots=True)
class InboxLine:
    """A line with its proposal, and ``hint`` when it cannot be booked as it is (and why)."""

    line: BankLine
    proposal: Proposal | None
    hint: Hint | None = None

    @property
    def is_ready(self) -> bool:
        """Proposed and bookable: the inbox ticks it for the person."""
        return self.proposal is not None and self.hint is None

    @property
    def can_be_booked(self) -> bool:
        """Whether some account lets the line be booked now (see ``Hint.stops_any_booking``)."""
        return self.hint is None or not self.hint.stops_any_booking


@dataclass(frozen=True, slots=True)
class Confirmation:
    """One line to book on ``account``; ``narration`` overrides the line's own text.

    ``project`` is the project as the person typed it ("" for none); None when they were not
    asked, and the line's rule decides (``confirm_line``).
    """

    line_id: int
    account: str
    narration: str = ""
    project: str | None = None


@dataclass(slots=True)
class BulkResult:
    booked: dict[int, int] = field(default_factory=dict)
    refused: dict[int, DomainError] = field(default_factory=dict)


def open_lines(
    session: Session,
    *,
    bank_account_id: int | None = None,
    invoices: InvoiceMatcher | None = None,
    limit: int = 200,
    ignored: bool = False,
) -> list[InboxLine]:
    """The oldest unbooked lines (pending ones too), each with its proposal and what stops it
    being booked; with ``ignored``, the lines set aside instead."""
    values: dict[str, Any] = {"limit": limit}
    if bank_account_id is not None:
        values["bank_account_id"] = bank_account_id
    query = _open_lines_statement(ignored, bank_account_id is not None)
    lines = session.scalars(query, values).all()
    if ignored:
        return [InboxLine(line, None) for line in lines]
    rules = all_rules(session)
    proposals = {line.id: propose(line, rules, invoices) for line in lines}
    hints = blockers(
        session,
        lines,
        {line_id: p.account for line_id, p in proposals.items() if p is not None},
        paying={line_id for line_id, p in proposals.items() if p and p.invoice},
    )
    return [InboxLine(line, proposals[line.id], hints.get(line.id)) for line in lines]


@cache
def _open_lines_statement(ignored: bool, one_account: bool) -> Select[BankLine]:
    """``open_lines``'s read, built once per shape; run with ``limit`` (and ``bank_account_id``)."""
    query = select(BankLine).where(
        BankLine.booked_at.is_(None),
        BankLine.ignored_at.is_not(None) if ignored else BankLine.ignored_at.is_(None),
    )
    if one_account:
        query = query.where(BankLine.bank_account_id == bindparam("bank_account_id"))
    return query.order_by(BankLine.date, BankLine.id).limit(bindparam("limit", type_=Integer))


def before_start_count(lines: Sequence[InboxLine]) -> int:
    """How many of the shown lines wait although they fall before the books open."""
    return sum(1 for item in lines if item.hint is not None and item.hint.kind == "before_start")


def ignored_count(session: Session) -> int:
    """How many unbooked lines are set aside (the count on the "Genegeerd" filter)."""
    return int(read(session, _IGNORED_COUNT).scalar() or 0)


_IGNORED_COUNT = select(func.count()).where(
    BankLine.booked_at.is_(None), BankLine.ignored_at.is_not(None)
)


def propose(
    line: BankLine, rules: Sequence[RuleSpec], invoices: InvoiceMatcher | None
) -> Proposal | None:
    """An open invoice named by the line's payment reference wins over rules."""
    invoice = invoices.match(bank_payment(line)) if invoices is not None else None
    if invoice is not None:
        return Proposal(invoice.account, f"Betaling factuur {invoice.number}", invoice=invoice)
    rule = best_rule(rules, line)
    if rule is None:
        return None
    return Proposal(rule.contra_account, rule.narration, rule_id=rule.id, project=rule.project)


def bank_payment(line: BankLine) -> BankPayment:
    """The line as a payment an invoice matcher can recognise."""
    return BankPayment(
        amount=Amount(line.amount, line.currency),
        paid_on=line.date,
        references=tuple(candidate_references(line.payment_reference, line.description)),
        end_to_end_id=line.end_to_end_id,
        return_reason=line.return_reason,
    )


def confirm_line(
    session: Session,
    confirmation: Confirmation,
    actor_id: int | None,
    *,
    invoices: InvoiceMatcher | None = None,
    rules: Sequence[RuleSpec] | None = None,
    known_projects: Sequence[str] | None = None,
) -> int:
    """Book one line against ``confirmation.account``; returns the transaction's id.

    Its project is the one typed with it, written as the books write it (``known_projects``,
    read when not given); when none was asked, the rule's project if it is booked on the
    account the line's rule proposes (``rules`` are read when not given), else none.

    The posting, the line marked booked with its transaction, the invoice it settles (when
    booked on the invoice's account) and the balance assertions it makes hold are written in
    the caller's transaction. The line stays locked until that transaction ends, so two people
    confirming it at once cannot both book it.
    """
    line = session.scalar(
        select(BankLine).where(BankLine.id == confirmation.line_id).with_for_update()
    )
    if line is None:
        raise NotFound(message("Bankregel %(id)s bestaat niet."), id=confirmation.line_id)
    if line.booked_at is not None:
        raise ValidationFailed(message("Bankregel %(id)s is al geboekt."), id=line.id)
    if line.ignored_at is not None:
        raise ValidationFailed(message("Bankregel %(id)s is genegeerd."), id=line.id)
    if line.is_pending:
        raise ValidationFailed(
            message("Bankregel %(id)s is nog in behandeling bij de bank."), id=line.id
        )
    payment = bank_payment(line)
    invoice = invoices.match(payment) if invoices is not None else None
    if invoice is not None and invoice.account != confirmation.account:
        invoice = None  # booked elsewhere on purpose: the invoice stays open
    existing = None
    if invoices is not None and invoice is not None:
        existing = invoices.already_booked(invoice, payment)
    if existing is not None:
        _check_linkable(session, line, existing)
        transaction_id = existing
    else:
        project = _project(session, line, confirmation, rules, known_projects)
        transaction_id = post_transaction(
            session, _transaction(session, line, confirmation, project), actor_id
        )
    line.booked_at, line.booked_by = datetime.now(UTC), actor_id
    line.transaction_id = transaction_id
    session.flush()
    if invoices is not None and invoice is not None and existing is None:
        invoices.record(invoice, payment, transaction_id)
    assert_balances(session, line.bank_account_id, after=line.date)
    return transaction_id


def _project(
    session: Session,
    line: BankLine,
    confirmation: Confirmation,
    rules: Sequence[RuleSpec] | None,
    known: Sequence[str] | None,
) -> str:
    """The project ``line`` is booked on (see ``confirm_line``); "" for none."""
    if confirmation.project is not None:
        if not confirmation.project.strip():
            return ""
        known = recent_names(session).projects if known is None else known
        return project_name(confirmation.project, known) or ""
    rule = best_rule(all_rules(session) if rules is None else rules, line)
    return rule.project if rule and rule.contra_account == confirmation.account else ""


def _check_linkable(session: Session, line: BankLine, transaction_id: int) -> None:
    """The transaction books this line's amount on its bank account and no other line's."""
    bank_account = session.get_one(BankAccount, line.bank_account_id)
    on_bank = session.scalar(
        select(Posting.id).where(
            Posting.transaction_id == transaction_id,
            Posting.account_id == bank_account.account_id,
            Posting.number == line.amount,
            Posting.currency == line.currency,
        )
    )
    taken = session.scalar(select(BankLine.id).where(BankLine.transaction_id == transaction_id))
    if on_bank is None or taken is not None:
        raise ValidationFailed(
            message(
                "Deze betaling is al geboekt (boeking %(id)s), maar niet op deze bankrekening;"
                " boek de regel op een andere tegenrekening."
            ),
            id=transaction_id,
        )


def confirm_lines(
    session: Session,
    confirmations: Sequence[Confirmation],
    actor_id: int | None,
    *,
    invoices: InvoiceMatcher | None = None,
    on_progress: Progress | None = None,
) -> BulkResult:
    """Book many lines, oldest first, each on its own; a refused line does not stop the rest.

    Each line is booked inside a savepoint of the caller's transaction: a refused line leaves
    nothing of itself behind, and the lines booked are committed with the caller's unit of
    work. ``on_progress`` hears ``("confirm", done, total)`` every few lines (for a job's
    progress).
    """
    result = BulkResult()
    ordered = in_booking_order(session, confirmations)
    rules = all_rules(session)
    # Read once for the lines that name a project, so that booking none costs no statement;
    # a new project joins them as it is booked, so "Zomerkamp" and "zomerkamp" are one.
    typed = any(c.project for c in confirmations)
    known = list(recent_names(session).projects) if typed else []
    for number, confirmation in enumerate(ordered, start=1):
        if on_progress is not None and (number % 25 == 0 or number == len(ordered)):
            on_progress("confirm", number - 1, len(ordered))
        try:
            with session.begin_nested():
                result.booked[confirmation.line_id] = confirm_line(
                    session,
                    confirmation,
                    actor_id,
                    invoices=invoices,
                    rules=rules,
                    known_projects=known,
                )
        except DomainError as error:
            result.refused[confirmation.line_id] = error
            continue
        if confirmation.project:
            booked_on = project_name(confirmation.project, known)
            if booked_on and booked_on not in known:
                known.append(booked_on)
    if on_progress is not None and ordered:
        on_progress("confirm", len(ordered), len(ordered))
    return result


def in_booking_order(session: Session, confirmations: Sequence[Confirmation]) -> list[Confirmation]:
    """The confirmations by their lines' dates, oldest first (balances are asserted in order)."""
    rows = session.execute(
        select(BankLine.id, BankLine.date).where(
            BankLine.id.in_([c.line_id for c in confirmations])
        )
    )
    dates = {line_id: day for line_id, day in rows}
    return sorted(confirmations, key=lambda c: (dates.get(c.line_id) or date.min, c.line_id))


def _transaction(
    session: Session, line: BankLine, confirmation: Confirmation, project: str
) -> NewTransaction:
    bank_account = session.get_one(BankAccount, line.bank_account_id)
    bank_ledger_account = session.get_one(Account, bank_account.account_id).name
    amount = Amount(line.amount, line.currency)
    narration = confirmation.narration or line.description or line.counterparty_name
    return NewTransaction(
        date=line.date,
        payee=line.counterparty_name or None,
        narration=narration,
        postings=(
            NewPosting(bank_ledger_account, amount),
            NewPosting(confirmation.account, -amount),
        ),
        meta=with_project({"bank-line": str(line.id)}, project or None),
        source=f"bank:{bank_account.iban}",
    )


@dataclass(frozen=True, slots=True)
class BookedLine:
    """A line booked a moment ago, with the account it went to (the other side of its
    transaction), so a person sees where it went before making a rule of it."""

    line: BankLine
    account: str | None


def recently_booked(session: Session, limit: int = 20) -> list[BookedLine]:
    """The lines booked last, each with the account it was booked on."""
    rows = session.execute(_RECENTLY_BOOKED, {"limit": limit})
    return [BookedLine(line, account) for line, account in rows]


def _contra_account() -> ScalarSelect[str]:
    """The first account of the line's transaction that is not the bank's own: the one a
    confirmation chose, or the first of a split."""
    return (
        select(Account.name)
        .join(Posting, Posting.account_id == Account.id)
        .where(
            Posting.transaction_id == BankLine.transaction_id,
            BankAccount.id == BankLine.bank_account_id,
            Posting.account_id != BankAccount.account_id,
        )
        .order_by(Posting.position)
        .limit(1)
        .scalar_subquery()
    )


_RECENTLY_BOOKED = (
    select(BankLine, _contra_account())
    .where(BankLine.transaction_id.is_not(None))
    .order_by(BankLine.booked_at.desc(), BankLine.id.desc())
    .limit(bindparam("limit", type_=Integer))
)
