"""Adding a statement's lines in bulk: COPY into a scratch table, keep only the new ones;
a booked line replaces the pending line it was."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from ledger.bank.models import BankAccount
from ledger.bank.statement import Progress, Statement, StatementLine, report

LINE_COLUMNS = (
    "bank_account_id, import_id, identity, date, value_date, amount, currency, description,"
    " counterparty_name, counterparty_iban, bank_reference, end_to_end_id, payment_reference,"
    " return_reason, is_pending"
)
CREATE_INCOMING = text(
    "CREATE TEMPORARY TABLE incoming_bank_lines ON COMMIT DROP AS"
    " SELECT bank_account_id, import_id, identity, date, value_date, amount, currency,"
    " description, counterparty_name, counterparty_iban, bank_reference, end_to_end_id,"
    " payment_reference, return_reason, is_pending FROM bank_lines WITH NO DATA"
)
ADD_NEW_LINES = text(
    "INSERT INTO bank_lines (bank_account_id, import_id, identity, date, value_date, amount,"
    " currency, description, counterparty_name, counterparty_iban, bank_reference,"
    " end_to_end_id, payment_reference, return_reason, is_pending)"
    " SELECT * FROM incoming_bank_lines ON CONFLICT (bank_account_id, identity) DO NOTHING"
)
# A pending line is replaced by the booked line of this import that is the same payment:
# same amount and counterparty, and the same end-to-end id or, lacking one, the same text.
REPLACE_PENDING = text(
    "DELETE FROM bank_lines AS pending"
    " WHERE pending.bank_account_id = :bank_account_id AND pending.is_pending"
    " AND pending.booked_at IS NULL"
    " AND EXISTS (SELECT 1 FROM bank_lines AS booked"
    "  WHERE booked.import_id = :import_id AND NOT booked.is_pending"
    "  AND booked.bank_account_id = pending.bank_account_id"
    "  AND booked.amount = pending.amount AND booked.currency = pending.currency"
    "  AND booked.counterparty_iban = pending.counterparty_iban"
    "  AND (CASE WHEN pending.end_to_end_id <> ''"
    "       THEN booked.end_to_end_id = pending.end_to_end_id"
    "       ELSE booked.description = pending.description END))"
)


def insert_lines(
    session: Session,
    statements: Sequence[Statement],
    bank_account: BankAccount,
    import_id: int,
    on_progress: Progress | None,
) -> int:
    """COPY the lines into a temporary table, then add those not yet known; returns how many.

    COPY is an order of magnitude faster than multi-row INSERTs for a year of lines, and the
    unique (bank account, identity) key decides what is a duplicate, also under concurrency.
    """
    lines = [line for statement in statements for line in statement.lines]
    session.execute(CREATE_INCOMING)
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY incoming_bank_lines ({LINE_COLUMNS}) FROM STDIN") as copy:
        for number, line in enumerate(lines, start=1):
            copy.write_row(_line_row(line, bank_account.id, import_id))
            report(on_progress, "save", number, len(lines))
    inserted = session.execute(ADD_NEW_LINES)
    session.execute(text("DROP TABLE incoming_bank_lines"))
    return int(inserted.rowcount)  # type: ignore[attr-defined]


def _line_row(line: StatementLine, bank_account_id: int, import_id: int) -> tuple[Any, ...]:
    return (
        bank_account_id,
        import_id,
        line.identity,
        line.date,
        line.value_date,
        line.amount,
        line.currency,
        line.description,
        line.counterparty_name,
        line.counterparty_iban[:34],
        line.bank_reference,
        line.end_to_end_id,
        line.payment_reference,
        line.return_reason[:8],
        line.is_pending,
    )


def replace_pending(session: Session, bank_account_id: int, import_id: int) -> int:
    """Remove the pending lines whose booked version this import brought; returns how many."""
    removed = session.execute(
        REPLACE_PENDING, {"bank_account_id": bank_account_id, "import_id": import_id}
    )
    return int(removed.rowcount)  # type: ignore[attr-defined]
