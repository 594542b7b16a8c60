"""The demo's bank statements: one CAMT.053 file per member organisation, ready to import.

Each demo member gets its bank account and a few bank rules in its books, and a statement of
what its bank saw after the last booking the demo made: the rent, the bank's costs, a line of
its own, and the transfer that pays the bureau's fee invoice when it is still open. Importing
the file puts these lines in the bank inbox, where the rules and the invoice's payment
reference propose every one of them; the statement's balances agree with the books once they
are booked. Never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from xml.sax.saxutils import escape

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.bank.accounts import add_bank_account
from ledger.bank.models import BankAccount
from ledger.bank.rules import RuleSpec, add_rule
from ledger.models import Account, Posting
from purchasing.invoices.payments import open_amount
from purchasing.models import Invoice, InvoiceKind
from tenants.queries import organisation_by_slug

BANK = "Assets:Bank:Checking"
ZERO = Decimal("0.00")

# By the slugs of ``tenants.demo.ORGANISATIONS``: made-up accounts with valid check digits.
DEMO_IBANS = {
    "groene-schakel": "NL20INGB0001234567",
    "speeltuin-klimboom": "NL86INGB0002345678",
    "bewoners-oosterpark": "NL55INGB0003456789",
}
LANDLORD = ("Woonstichting De Key", "NL81RABO0312345678")
RENT = Decimal("350.00")
BANK_COSTS = Decimal("12.35")


@dataclass(frozen=True)
class DemoLine:
    """One line of a demo statement; ``amount`` is signed as the bank shows it."""

    day: date
    amount: Decimal
    name: str
    iban: str
    text: str
    reference: str = ""


@dataclass(frozen=True)
class OpenFee:
    """A member's open fee invoice, as its transfer to the bureau names it."""

    reference: str
    amount: Decimal
    bureau_name: str
    bureau_iban: str
    issued_on: date


# What sets each member's statement apart, and the rule that books it: (line, rule).
OWN_LINES = {
    "groene-schakel": (
        ("Vrijwilligersvergoeding", Decimal("-180.00"), "Vrijwilligers", "NL38ABNA0517164300"),
        "Expenses:Volunteers:Allowances",
    ),
    "speeltuin-klimboom": (
        ("Contributies leden", Decimal("95.00"), "Leden via incasso", "NL38ABNA0517164300"),
        "Income:Members:Dues",
    ),
    "bewoners-oosterpark": (
        ("Gift buurtbewoner", Decimal("25.00"), "Mevrouw de Vries", "NL38ABNA0517164300"),
        "Income:Donations:Gifts",
    ),
}


def open_fees(session: Session) -> dict[str, OpenFee]:
    """The demo members' open fee invoices, by slug (read in the public schema)."""
    found: dict[str, OpenFee] = {}
    for slug in DEMO_IBANS:
        organisation = organisation_by_slug(session, slug)
        if organisation is None:
            continue
        invoices = session.scalars(
            select(Invoice)
            .where(Invoice.customer_id == organisation.id, Invoice.kind == InvoiceKind.INVOICE)
            .order_by(Invoice.id)
        )
        for invoice in invoices:
            amount = open_amount(session, invoice.id)
            if amount > 0:
                found[slug] = OpenFee(
                    invoice.payment_reference,
                    amount,
                    str(invoice.supplier["name"]),
                    str(invoice.supplier.get("iban") or ""),
                    invoice.issued_on,
                )
                break
    return found


def set_up_demo_bank(books: Session, slug: str) -> None:
    """The member's bank account and the rules its statement's lines are booked by; once."""
    iban = DEMO_IBANS[slug]
    if books.scalar(select(BankAccount.id).where(BankAccount.iban == iban)) is not None:
        return
    add_bank_account(books, iban, None, account=BANK)
    rules = [
        RuleSpec("Expenses:Housing:Rent", counterparty_name=LANDLORD[0], narration="Huur"),
        RuleSpec("Expenses:Bank:Fees", description_contains="Kosten betaalrekening"),
    ]
    (text, _, _, _), account = OWN_LINES[slug]
    rules.append(RuleSpec(account, description_contains=text, narration=text))
    for rule in rules:
        add_rule(books, rule, None)


def demo_statement(books: Session, slug: str, today: date, fee: OpenFee | None) -> bytes | None:
    """The statement from the day after the last bank booking up to ``today``; None if empty."""
    last, opening = _bank_position(books)
    if last is None:
        last = date(today.year, 1, 1) - timedelta(days=1)
    lines = demo_lines(slug, last + timedelta(days=1), today, fee)
    if not lines:
        return None
    return camt053(DEMO_IBANS[slug], opening, last, lines)


def demo_lines(slug: str, start: date, today: date, fee: OpenFee | None) -> list[DemoLine]:
    """Rent on the first, costs on the last day of each month, a line of the member's own
    mid-month, and the overdue fee paid three days ago; all dated ``start`` to ``today``."""
    (text, amount, name, iban), _ = OWN_LINES[slug]
    lines: list[DemoLine] = []
    month = start.replace(day=1)
    while month <= today:
        following = (month + timedelta(days=32)).replace(day=1)
        lines += [
            DemoLine(month, -RENT, LANDLORD[0], LANDLORD[1], f"Huur {month:%m-%Y}"),
            DemoLine(month.replace(day=15), amount, name, iban, f"{text} {month:%m-%Y}"),
            DemoLine(
                following - timedelta(days=1),
                -BANK_COSTS,
                "Bank",
                "",
                f"Kosten betaalrekening {month:%m-%Y}",
            ),
        ]
        month = following
    if fee is not None:
        paid_on = max(fee.issued_on, today - timedelta(days=3))
        lines.append(
            DemoLine(
                paid_on, -fee.amount, fee.bureau_name, fee.bureau_iban, "Contributie", fee.reference
            )
        )
    return sorted((line for line in lines if start <= line.day <= today), key=lambda line: line.day)


def camt053(iban: str, opening: Decimal, opened_on: date, lines: list[DemoLine]) -> bytes:
    """A CAMT.053.001.02 statement of ``lines``, with its opening and closing balances."""
    closing = opening + sum((line.amount for line in lines), ZERO)
    entries = "".join(_entry(index, line) for index, line in enumerate(lines, start=1))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>DEMO-{iban}</MsgId><CreDtTm>{lines[-1].day}T18:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>DEMO-{lines[-1].day:%Y%m%d}</Id>"
        f"<Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>\n"
        f"{_balance('OPBD', opening, opened_on)}{_balance('CLBD', closing, lines[-1].day)}\n"
        f"{entries}</Stmt></BkToCstmrStmt></Document>\n"
    ).encode()


def _bank_position(books: Session) -> tuple[date | None, Decimal]:
    """The date of the last posting on the bank's account and its balance then."""
    row = books.execute(
        select(func.max(Posting.date), func.coalesce(func.sum(Posting.number), 0))
        .join(Account, Account.id == Posting.account_id)
        .where(Account.name == BANK)
    ).one()
    return row[0], Decimal(row[1]).quantize(ZERO)


def _entry(index: int, line: DemoLine) -> str:
    party = "Dbtr" if line.amount > 0 else "Cdtr"
    account = f"<{party}Acct><Id><IBAN>{line.iban}</IBAN></Id></{party}Acct>" if line.iban else ""
    remittance = f"<Ustrd>{escape(line.text)}</Ustrd>"
    if line.reference:
        remittance = f"<Strd><CdtrRefInf><Ref>{line.reference}</Ref></CdtrRefInf></Strd>"
    return (
        f'<Ntry><Amt Ccy="EUR">{abs(line.amount)}</Amt>'
        f"<CdtDbtInd>{'CRDT' if line.amount > 0 else 'DBIT'}</CdtDbtInd><Sts>BOOK</Sts>"
        f"<BookgDt><Dt>{line.day}</Dt></BookgDt><ValDt><Dt>{line.day}</Dt></ValDt>"
        f"<AcctSvcrRef>DEMO{line.day:%Y%m%d}{index:04d}</AcctSvcrRef><NtryDtls><TxDtls>"
        f"<RltdPties><{party}><Nm>{escape(line.name)}</Nm></{party}>{account}</RltdPties>"
        f"<RmtInf>{remittance}</RmtInf></TxDtls></NtryDtls></Ntry>\n"
    )


def _balance(code: str, amount: Decimal, day: date) -> str:
    return (
        f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{abs(amount)}</Amt>'
        f"<CdtDbtInd>{'DBIT' if amount < 0 else 'CRDT'}</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>"
    )
