"""Use case: read a statement file into a bank account's inbox, all or nothing.

Lines are identified stably (``Statement`` identities), so a file read twice, or one that
overlaps an earlier one, adds only what is new. The statement's opening and closing balances are
kept as the bank's balances and become balance assertions as the lines get booked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from ledger.audit import record_change
from ledger.bank.csvmapping import CsvMapping
from ledger.bank.formats import ParsedFile, UnknownFormat, parse_statement_file
from ledger.bank.incoming import insert_lines, replace_pending
from ledger.bank.models import BankAccount, BankImport, BankLine
from ledger.bank.reconciliation import assert_balances
from ledger.bank.statement import Progress, Statement, StatementRefused
from ledger.bank.statement_balances import early_lines, keep_balances
from ledger.entries import Amount
from ledger.errors import message
from ledger.models import Account


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did, as the CLI prints it: ``imported`` and ``duplicates`` count the booked
    lines; ``pending`` the lines the bank has not booked yet (kept apart in the inbox)."""

    imported: int
    duplicates: int
    account: str
    iban: str
    format: str
    closing_balance: Decimal | None
    closing_date: date | None
    assertions: int
    pending: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "duplicates": self.duplicates,
            "pending": self.pending,
            "account": self.account,
            "iban": self.iban,
            "format": self.format,
            "closing_balance": None if self.closing_balance is None else str(self.closing_balance),
            "closing_date": None if self.closing_date is None else self.closing_date.isoformat(),
            "assertions": self.assertions,
        }


def import_statement(
    session: Session,
    data: bytes,
    actor_id: int | None,
    *,
    filename: str = "",
    bank_account_id: int | None = None,
    on_progress: Progress | None = None,
) -> ImportResult:
    """Read ``data`` into the inbox of the bank account its IBAN names (or ``bank_account_id``).

    Everything is written in the caller's transaction, so the file lands whole with its unit
    of work; a malformed file, or one for an account that is not this one, is refused with a
    ``StatementRefused`` (and the unit of work that sees it raise rolls back what was written).
    """
    try:
        return _import(session, data, actor_id, filename, bank_account_id, on_progress)
    except DataError as error:  # a value the parsers let through but a column cannot hold
        raise StatementRefused(
            message("Het bestand bevat een waarde die niet kan worden opgeslagen: %(reason)s."),
            reason=str(error.orig)[:120],
        ) from error


def _import(
    session: Session,
    data: bytes,
    actor_id: int | None,
    filename: str,
    bank_account_id: int | None,
    on_progress: Progress | None,
) -> ImportResult:
    chosen = session.get(BankAccount, bank_account_id) if bank_account_id else None
    if bank_account_id and chosen is None:
        raise StatementRefused(message("Bankrekening %(id)s bestaat niet."), id=bank_account_id)
    parsed = _parse(session, data, chosen, on_progress)
    bank_account = _bank_account(session, parsed.statements, chosen)
    for statement in parsed.statements:
        check_statement(statement, bank_account)
    record = BankImport(
        bank_account_id=bank_account.id,
        filename=filename[:200],
        format=parsed.format,
        created_by=actor_id,
    )
    session.add(record)
    session.flush()
    booked = [line for s in parsed.statements for line in s.lines if not line.is_pending]
    total, pending = len(booked), sum(len(s.lines) for s in parsed.statements) - len(booked)
    added = insert_lines(session, parsed.statements, bank_account, record.id, on_progress)
    imported = added - _new_pending(session, record.id) if pending else added
    replace_pending(session, bank_account.id, record.id)
    keep_balances(
        session,
        parsed.statements,
        bank_account.id,
        record.id,
        _added_early_lines(session, parsed.statements, record.id),
    )
    closing = _last_closing(parsed.statements)
    record.imported, record.duplicates = imported, total - imported
    record.closing_date = closing.date if closing else None
    record.closing_number = closing.amount if closing else None
    assertions = assert_balances(session, bank_account.id)
    record_change(
        session,
        actor_id,
        "import",
        "bank_import",
        record.id,
        after={"file": record.filename, "imported": imported, "duplicates": total - imported},
    )
    return ImportResult(
        imported=imported,
        duplicates=total - imported,
        account=session.get_one(Account, bank_account.account_id).name,
        iban=bank_account.iban,
        format=parsed.format,
        closing_balance=closing.amount if closing else None,
        closing_date=closing.date if closing else None,
        assertions=assertions,
        pending=pending,
    )


def _new_pending(session: Session, import_id: int) -> int:
    query = select(func.count()).where(BankLine.import_id == import_id, BankLine.is_pending)
    return int(session.scalar(query) or 0)


def _added_early_lines(
    session: Session, statements: Sequence[Statement], import_id: int
) -> set[str]:
    """The identities of the lines dated before their statement's opening that are new."""
    early = [line.identity for statement in statements for line in early_lines(statement)]
    if not early:
        return set()
    return set(
        session.scalars(
            select(BankLine.identity).where(
                BankLine.import_id == import_id, BankLine.identity.in_(early)
            )
        )
    )


def _parse(
    session: Session, data: bytes, chosen: BankAccount | None, on_progress: Progress | None
) -> ParsedFile:
    """Read the file; a CSV no known bank's header fits is tried with each saved mapping.

    Such a CSV names no account, so it is read only if exactly one bank account's mapping
    fits; otherwise the person has to say which bank account it is for.
    """
    if chosen is not None:
        return parse_statement_file(
            data, csv_mapping=_mapping(chosen), iban=chosen.iban, on_progress=on_progress
        )
    try:
        return parse_statement_file(data, on_progress=on_progress)
    except UnknownFormat:
        mapped = session.scalars(select(BankAccount).where(BankAccount.csv_mapping.is_not(None)))
        fitting: dict[str, ParsedFile] = {}
        for bank_account in mapped:
            try:
                fitting[bank_account.iban] = parse_statement_file(
                    data,
                    csv_mapping=_mapping(bank_account),
                    iban=bank_account.iban,
                    on_progress=on_progress,
                )
            except StatementRefused:
                continue
        if len(fitting) > 1:
            raise StatementRefused(
                message(
                    "Het CSV-bestand past bij de kolomindeling van meer bankrekeningen"
                    " (%(ibans)s): kies de bankrekening bij het inlezen."
                ),
                ibans=", ".join(sorted(fitting)),
            ) from None
        if fitting:
            return next(iter(fitting.values()))
        raise


def _mapping(bank_account: BankAccount) -> CsvMapping | None:
    return CsvMapping.from_json(bank_account.csv_mapping) if bank_account.csv_mapping else None


def _bank_account(
    session: Session, statements: Sequence[Statement], chosen: BankAccount | None
) -> BankAccount:
    """The one bank account every statement in the file is for; refuses a file for another."""
    ibans = sorted({statement.iban for statement in statements})
    if chosen is not None:
        foreign = [iban for iban in ibans if iban != chosen.iban]
        if foreign:
            raise StatementRefused(
                message("Het afschrift is van rekening %(iban)s, niet van %(expected)s."),
                iban=", ".join(foreign),
                expected=chosen.iban,
            )
        return chosen
    if len(ibans) != 1:
        raise StatementRefused(
            message("Het bestand bevat afschriften van meer rekeningen: %(ibans)s."),
            ibans=", ".join(ibans),
        )
    found = session.scalar(
        select(BankAccount).where(BankAccount.iban == ibans[0]).with_for_update()
    )
    if found is None:
        raise StatementRefused(
            message("Rekening %(iban)s is hier geen bekende bankrekening; voeg hem eerst toe."),
            iban=ibans[0],
        )
    return found


def check_statement(statement: Statement, bank_account: BankAccount) -> None:
    """The statement is in the account's currency and adds up on its own: opening + its booked
    lines = closing, whatever the lines' dates (a line may fall outside its statement's period).
    The file's statements are checked one by one, in the file's order."""
    currencies = {statement.currency, *(line.currency for line in statement.lines)}
    if currencies != {bank_account.currency}:
        raise StatementRefused(
            message("Het afschrift is in %(currency)s; de bankrekening in %(expected)s."),
            currency=", ".join(sorted(currencies - {bank_account.currency})),
            expected=bank_account.currency,
        )
    if statement.opening is None or statement.closing is None:
        return
    booked = (line.amount for line in statement.lines if not line.is_pending)
    total = sum(booked, Decimal(0))
    if statement.opening.amount + total != statement.closing.amount:
        raise StatementRefused(
            message(
                "Het afschrift van %(date)s klopt niet: beginsaldo %(opening)s plus de regels"
                " (%(total)s) is niet het eindsaldo %(closing)s; is het bestand onvolledig?"
            ),
            date=statement.closing.date,
            opening=Amount(statement.opening.amount, statement.opening.currency),
            total=Amount(total, statement.closing.currency),
            closing=Amount(statement.closing.amount, statement.closing.currency),
        )


def _last_closing(statements: Sequence[Statement]) -> Any:
    closings = [s.closing for s in statements if s.closing is not None]
    return max(closings, key=lambda c: c.date) if closings else None
