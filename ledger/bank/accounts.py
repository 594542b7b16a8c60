"""Use cases on bank accounts: link an IBAN to a ledger account, save its CSV column mapping."""

from __future__ import annotations

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledger.audit import record_change
from ledger.bank.csvmapping import CsvMapping, check_mapping
from ledger.bank.models import BankAccount
from ledger.errors import NotFound, ValidationFailed, message
from ledger.models import Account

DEFAULT_LEDGER_ACCOUNT = "Assets:Bank:Checking"
# A bank account is booked on a balance account: money held, or the debt of a credit card.
BANK_ACCOUNT_TYPES = ("Assets", "Liabilities")


def normalised_iban(text: str) -> str:
    """The IBAN in its compact form, refused unless its check digits and bank code are valid."""
    try:
        return str(IBAN(text).compact)
    except SchwiftyException as error:
        raise ValidationFailed(
            message("%(iban)s is geen geldig IBAN."), field="iban", iban=text.strip()[:40]
        ) from error


def add_bank_account(
    session: Session,
    iban: str,
    actor_id: int | None,
    *,
    account: str = DEFAULT_LEDGER_ACCOUNT,
    csv_mapping: CsvMapping | None = None,
) -> int:
    """Link ``iban`` to the ledger ``account`` its statements are booked on; returns its id."""
    compact = normalised_iban(iban)
    if csv_mapping is not None:
        check_mapping(csv_mapping)
    ledger_account = session.scalar(select(Account).where(Account.name == account))
    if ledger_account is None:
        raise NotFound(message("Rekening %(name)s bestaat niet."), name=account)
    if ledger_account.type not in BANK_ACCOUNT_TYPES:
        raise ValidationFailed(
            message("Een bankrekening hoort bij een balansrekening, niet bij %(name)s."),
            field="account",
            name=account,
        )
    if session.scalar(select(BankAccount.id).where(BankAccount.iban == compact)):
        raise ValidationFailed(
            message("Bankrekening %(iban)s bestaat al."), field="iban", iban=compact
        )
    bank_account = BankAccount(
        iban=compact,
        account_id=ledger_account.id,
        currency=(ledger_account.currencies or ["EUR"])[0],
        csv_mapping=csv_mapping.to_json() if csv_mapping else None,
    )
    session.add(bank_account)
    session.flush()
    record_change(
        session, actor_id, "open", "bank_account", bank_account.id, after={"iban": compact}
    )
    session.flush()
    return bank_account.id


def set_csv_mapping(
    session: Session, bank_account_id: int, mapping: CsvMapping, actor_id: int | None
) -> None:
    """Save how this bank's CSV exports are to be read; refuses a mapping that cannot work."""
    check_mapping(mapping)
    found = session.execute(
        update(BankAccount)
        .where(BankAccount.id == bank_account_id)
        .values(csv_mapping=mapping.to_json())
        .returning(BankAccount.id)
    ).scalar()
    if found is None:
        raise NotFound(message("Bankrekening %(id)s bestaat niet."), id=bank_account_id)
    record_change(
        session, actor_id, "edit", "bank_account", bank_account_id, after=mapping.to_json()
    )
    session.flush()


def csv_mapping_of(session: Session, bank_account_id: int) -> tuple[str, CsvMapping | None]:
    """The bank account's IBAN and its saved CSV column mapping, if it has one."""
    bank_account = session.get(BankAccount, bank_account_id)
    if bank_account is None:
        raise NotFound(message("Bankrekening %(id)s bestaat niet."), id=bank_account_id)
    mapping = bank_account.csv_mapping
    return bank_account.iban, CsvMapping.from_json(mapping) if mapping else None
