"""Generated statements of any length (for the job test and the benchmark), CAMT and MT940 alike."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

COUNTERPARTIES = (
    ("NL44RABO0123456789", "Stichting Buurthuis De Linde"),
    ("NL02ABNA0123456789", "Gemeente Utrecht"),
    ("NL91ABNA0417164300", "Verzekeraar Collectief NV"),
    ("NL36INGB0007654321", "Servicebureau Samen"),
)


def generated_lines(
    count: int, start: date, seed: int = 5
) -> list[tuple[date, Decimal, str, str, str]]:
    """``count`` lines over a year: date, signed amount, counterparty IBAN, name, description."""
    chance = random.Random(seed)
    per_day = max(1, count // 365 + 1)
    lines = []
    for index in range(count):
        iban, name = COUNTERPARTIES[index % len(COUNTERPARTIES)]
        cents = chance.randint(-25_000, 30_000) or 1
        lines.append(
            (
                start + timedelta(days=index // per_day),
                Decimal(cents) / 100,
                iban,
                name,
                f"Betaling {index} kenmerk {chance.randint(10**6, 10**7)}",
            )
        )
    return lines


def camt_statement(iban: str, count: int, opening: Decimal = Decimal("1000.00")) -> bytes:
    lines = generated_lines(count, date(2024, 1, 1))
    closing = opening + sum((line[1] for line in lines), Decimal(0))
    entries = "".join(
        f'<Ntry><Amt Ccy="EUR">{abs(amount)}</Amt><CdtDbtInd>{"CRDT" if amount > 0 else "DBIT"}'
        f"</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{day}</Dt></BookgDt>"
        f"<AcctSvcrRef>GEN{index:08d}</AcctSvcrRef><NtryDtls><TxDtls><RltdPties>"
        f"<{'Dbtr' if amount > 0 else 'Cdtr'}><Nm>{name}</Nm></{'Dbtr' if amount > 0 else 'Cdtr'}>"
        f"<{'Dbtr' if amount > 0 else 'Cdtr'}Acct><Id><IBAN>{other}</IBAN></Id>"
        f"</{'Dbtr' if amount > 0 else 'Cdtr'}Acct></RltdPties><RmtInf><Ustrd>{text}</Ustrd>"
        f"</RmtInf></TxDtls></NtryDtls></Ntry>\n"
        for index, (day, amount, other, name, text) in enumerate(lines)
    )
    last = lines[-1][0] if lines else date(2024, 1, 1)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>'
        f"<Id>GEN</Id><Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        f"{_camt_balance('OPBD', opening, date(2024, 1, 1))}{_camt_balance('CLBD', closing, last)}"
        f"{entries}</Stmt></BkToCstmrStmt></Document>\n"
    ).encode()


def _camt_balance(code: str, amount: Decimal, day: date) -> str:
    return (
        f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{abs(amount)}</Amt>'
        f"<CdtDbtInd>{'DBIT' if amount < 0 else 'CRDT'}</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>"
    )


def mt940_statement(iban: str, count: int, opening: Decimal = Decimal("1000.00")) -> bytes:
    lines = generated_lines(count, date(2024, 1, 1))
    closing = opening + sum((line[1] for line in lines), Decimal(0))
    body = "".join(
        f":61:{day:%y%m%d}{day:%m%d}{'C' if amount > 0 else 'D'}{_mt_amount(abs(amount))}"
        f"NTRFNONREF//GEN{index:08d}\n"
        f":86:/EREF/E{index}//CNTP/{other}/INGBNL2A/{name}///REMI/USTD//{text}/\n"
        for index, (day, amount, other, name, text) in enumerate(lines)
    )
    last = lines[-1][0] if lines else date(2024, 1, 1)
    return (
        f":20:GEN\n:25:{iban}EUR\n:28C:1\n"
        f":60F:{_mt_balance(opening, date(2023, 12, 31))}\n{body}"
        f":62F:{_mt_balance(closing, last)}\n-\n"
    ).encode()


def _mt_amount(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def _mt_balance(amount: Decimal, day: date) -> str:
    return f"{'D' if amount < 0 else 'C'}{day:%y%m%d}EUR{_mt_amount(abs(amount))}"


def camt_payments(
    iban: str,
    entries: list[dict[str, str]],
    opening: Decimal = Decimal("0.00"),
    statement_id: str = "PAY",
) -> bytes:
    """A CAMT.053 statement of a few payments; each entry names ``day``, ``amount`` (signed),
    and optionally ``name``, ``iban``, ``ref`` (structured), ``text``, ``e2e``, ``reason``."""
    rows = []
    for index, entry in enumerate(entries):
        amount = Decimal(entry["amount"])
        party = "Dbtr" if amount > 0 else "Cdtr"
        reference = entry.get("ref", "")
        remittance = (
            f"<Strd><CdtrRefInf><Ref>{reference}</Ref></CdtrRefInf></Strd>" if reference else ""
        ) + (f"<Ustrd>{entry['text']}</Ustrd>" if entry.get("text") else "")
        returned = (
            f"<RtrInf><Rsn><Cd>{entry['reason']}</Cd></Rsn></RtrInf>" if entry.get("reason") else ""
        )
        rows.append(
            f'<Ntry><Amt Ccy="EUR">{abs(amount)}</Amt>'
            f"<CdtDbtInd>{'CRDT' if amount > 0 else 'DBIT'}</CdtDbtInd><Sts>BOOK</Sts>"
            f"<BookgDt><Dt>{entry['day']}</Dt></BookgDt>"
            f"<AcctSvcrRef>{statement_id}{index:04d}</AcctSvcrRef><NtryDtls><TxDtls>"
            f"<Refs><EndToEndId>{entry.get('e2e') or 'NOTPROVIDED'}</EndToEndId></Refs>"
            f"<RltdPties><{party}><Nm>{entry.get('name', 'Tegenpartij')}</Nm></{party}>"
            f"<{party}Acct><Id><IBAN>{entry.get('iban', 'NL02ABNA0123456789')}</IBAN></Id>"
            f"</{party}Acct></RltdPties><RmtInf>{remittance}</RmtInf>{returned}"
            f"</TxDtls></NtryDtls></Ntry>\n"
        )
    days = sorted(date.fromisoformat(e["day"]) for e in entries)
    closing = opening + sum((Decimal(e["amount"]) for e in entries), Decimal(0))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>'
        f"<Id>{statement_id}</Id><Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        f"{_camt_balance('OPBD', opening, days[0] - timedelta(days=1))}"
        f"{_camt_balance('CLBD', closing, days[-1])}"
        f"{''.join(rows)}</Stmt></BkToCstmrStmt></Document>\n"
    ).encode()
