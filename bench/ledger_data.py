"""Generated books of a Dutch foundation, written as Beancount and as a ledger/hledger journal.

The same transactions go into both files, so our application, Fava, hledger and ledger are
measured on identical data. Deterministic for a given size and seed.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ledger.chart import DEFAULT_CHART

CURRENCY = "EUR"
LAST_DAY = date(2025, 12, 31)
CENT = Decimal("0.01")
PROJECT_BANK = ("Assets:Bank:Project", "Projectrekening", "Project account", "BLimBanRba")
ASSERTED = ("Assets:Bank:Checking", "Assets:Bank:Savings", PROJECT_BANK[0])
OPENING = {
    "Assets:Bank:Checking": Decimal("25000.00"),
    "Assets:Bank:Savings": Decimal("50000.00"),
    PROJECT_BANK[0]: Decimal("5000.00"),
    "Assets:Cash": Decimal("500.00"),
}
PEOPLE = ("J. de Vries", "M. Öztürk", "A. van den Berg", "S. Bakker", "F. El Amrani", "R. Jansen")
PROJECTS = ("buurthuis", "taalcafe", "moestuin", "jongerenwerk")


@dataclass(frozen=True, slots=True)
class Leg:
    account: str
    number: Decimal


@dataclass(frozen=True, slots=True)
class Entry:
    date: date
    payee: str
    narration: str
    legs: tuple[Leg, ...]
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Assertion:
    """Beancount's ``balance``: the account's balance at the start of ``date``."""

    date: date
    account: str
    number: Decimal


@dataclass(frozen=True, slots=True)
class Dataset:
    size: int
    start: date
    entries: tuple[Entry, ...]
    assertions: tuple[Assertion, ...]

    @property
    def last_day(self) -> date:
        return LAST_DAY

    @property
    def title(self) -> str:
        return f"Stichting Bench {self.size}"


def years_for(size: int) -> int:
    """History length: 2 years up to 20,000 transactions, then longer, at most 10 years."""
    return min(10, max(2, size // 10_000))


def generate(size: int, seed: int = 2026) -> Dataset:
    """``size`` transactions (the opening balances included) over ``years_for(size)`` years."""
    rng = random.Random(seed + size)
    start = date(LAST_DAY.year - years_for(size) + 1, 1, 1)
    span = (LAST_DAY - start).days
    days = sorted(start + timedelta(days=rng.randint(1, span)) for _ in range(size - 1))
    kinds, weights = zip(*_KINDS, strict=True)
    entries = [_opening(start)]
    entries += [rng.choices(kinds, weights)[0](rng, day) for day in days]
    return Dataset(size, start, tuple(entries), tuple(_assertions(entries, start)))


def _assertions(entries: list[Entry], start: date) -> Iterator[Assertion]:
    """The bank accounts' balances at the start of every month after the first."""
    running: dict[str, Decimal] = defaultdict(Decimal)
    month = _next_month(start)
    for entry in [*entries, Entry(_next_month(LAST_DAY), "", "", ())]:
        while entry.date >= month and month <= LAST_DAY:
            yield from (Assertion(month, name, running[name]) for name in ASSERTED)
            month = _next_month(month)
        for leg in entry.legs:
            running[leg.account] += leg.number


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _pair(debit: str, credit: str, amount: Decimal) -> tuple[Leg, ...]:
    return (Leg(debit, amount), Leg(credit, -amount))


def _opening(start: date) -> Entry:
    legs = [Leg(name, number) for name, number in OPENING.items()]
    legs.append(Leg("Equity:Opening-Balances", -sum(OPENING.values(), Decimal(0))))
    return Entry(start, "", "Openingsbalans", tuple(legs))


def _dues(rng: random.Random, day: date) -> Entry:
    legs = _pair("Assets:Bank:Checking", "Income:Members:Dues", _money(rng, 25, 120))
    return Entry(day, f"Lid {rng.randint(1, 900):04d}", f"Contributie {day.year}", legs)


def _donation(rng: random.Random, day: date) -> Entry:
    legs = _pair("Assets:Bank:Checking", "Income:Donations:Gifts", _money(rng, 10, 500))
    return Entry(day, rng.choice(PEOPLE), "Gift", legs)


def _subsidy(rng: random.Random, day: date) -> Entry:
    project = rng.choice(PROJECTS)
    legs = _pair("Assets:Bank:Checking", "Income:Subsidies:Municipal", _money(rng, 5000, 40000))
    return Entry(day, "Gemeente Utrecht", f"Subsidie {project} {day.year}", legs, (project,))


def _salary(rng: random.Random, day: date) -> Entry:
    gross = _money(rng, 1800, 3800)
    social = (gross * Decimal("0.20")).quantize(CENT)
    pension = (gross * Decimal("0.08")).quantize(CENT)
    withheld = (gross * Decimal("0.25")).quantize(CENT)
    legs = (
        Leg("Expenses:Staff:Salaries", gross),
        Leg("Expenses:Staff:Social-Charges", social),
        Leg("Expenses:Staff:Pension", pension),
        Leg("Liabilities:Taxes:Payroll", -withheld),
        Leg("Assets:Bank:Checking", withheld - gross - social - pension),
    )
    return Entry(day, rng.choice(PEOPLE), f"Salaris {day:%m-%Y}", legs)


def _payroll_tax(rng: random.Random, day: date) -> Entry:
    legs = _pair("Liabilities:Taxes:Payroll", "Assets:Bank:Checking", _money(rng, 800, 2000))
    return Entry(day, "Belastingdienst", "Loonheffingen", legs)


def _paid(account: str, payee: str, narration: str, low: int, high: int) -> Callable[..., Entry]:
    def make(rng: random.Random, day: date) -> Entry:
        legs = _pair(account, "Assets:Bank:Checking", _money(rng, low, high))
        return Entry(day, payee, narration, legs)

    return make


def _activity(rng: random.Random, day: date) -> Entry:
    project = rng.choice(PROJECTS)
    parts = [
        Leg("Expenses:Activities:Materials", _money(rng, 20, 400)),
        Leg("Expenses:Activities:Other", _money(rng, 5, 150)),
        Leg("Expenses:General:Travel", _money(rng, 3, 60)),
    ]
    paid = Leg(PROJECT_BANK[0], -sum((leg.number for leg in parts), Decimal(0)))
    return Entry(day, "Bouwmarkt", f"Inkoop {project}", (*parts, paid), (project,))


def _allowance(rng: random.Random, day: date) -> Entry:
    legs = _pair("Expenses:Volunteers:Allowances", "Assets:Cash", _money(rng, 5, 170))
    return Entry(day, rng.choice(PEOPLE), "Vrijwilligersvergoeding", legs)


def _transfer(account: str, narration: str, low: int, high: int) -> Callable[..., Entry]:
    def make(rng: random.Random, day: date) -> Entry:
        legs = _pair(account, "Assets:Bank:Checking", _money(rng, low, high))
        return Entry(day, "", narration, legs)

    return make


_KINDS: tuple[tuple[Callable[[random.Random, date], Entry], int], ...] = (
    (_dues, 30),
    (_donation, 12),
    (_subsidy, 2),
    (_salary, 6),
    (_payroll_tax, 3),
    (_paid("Expenses:Housing:Rent", "Woonstichting De Key", "Huur", 800, 1500), 4),
    (_paid("Expenses:Housing:Energy", "Eneco", "Energie", 80, 500), 3),
    (_activity, 14),
    (_allowance, 10),
    (_transfer("Assets:Cash", "Kas aanvullen", 200, 500), 3),
    (_paid("Expenses:Bank:Fees", "Triodos Bank", "Bankkosten", 1, 25), 5),
    (_paid("Expenses:Office:Supplies", "Bol.com", "Kantoorartikelen", 10, 300), 5),
    (_paid("Expenses:ICT:Software", "Microsoft", "Licenties", 20, 200), 3),
    (_paid("Expenses:Insurance:Liability", "Centraal Beheer", "AVB-premie", 150, 600), 2),
    (_transfer("Assets:Bank:Savings", "Naar spaarrekening", 500, 3000), 1),
    (_transfer(PROJECT_BANK[0], "Naar projectrekening", 1000, 3000), 3),
)


def beancount_text(data: Dataset) -> str:
    """The books as a Beancount file: chart with labels, transactions, monthly assertions."""
    lines = [
        f'option "title" "{data.title}"',
        f'option "operating_currency" "{CURRENCY}"',
        "",
    ]
    chart = [(a.name, a.label_nl, a.label_en, a.rgs_code) for a in DEFAULT_CHART]
    for name, label_nl, label_en, rgs in [*chart, PROJECT_BANK]:
        lines.append(f"{data.start} open {name} {CURRENCY}")
        lines.append(f'  label_nl: "{label_nl}"')
        lines.append(f'  label_en: "{label_en}"')
        if rgs:
            lines.append(f'  rgs: "{rgs}"')
    lines.append("")
    for entry in data.entries:
        tags = "".join(f" #{tag}" for tag in entry.tags)
        lines.append(f'{entry.date} * "{entry.payee}" "{entry.narration}"{tags}')
        lines += [f"  {leg.account}  {leg.number} {CURRENCY}" for leg in entry.legs]
    lines += [f"{a.date} balance {a.account}  {a.number} {CURRENCY}" for a in data.assertions]
    return "\n".join(lines) + "\n"


def journal_text(data: Dataset) -> str:
    """The same books in the syntax hledger and ledger both read (assertions as postings)."""
    lines: list[str] = []
    assertions = list(reversed(data.assertions))
    for entry in [*data.entries, None]:
        while assertions and (entry is None or assertions[-1].date <= entry.date):
            check = assertions.pop()
            lines += [
                f"{check.date} Saldocontrole",
                f"    {check.account}  0 {CURRENCY} = {check.number} {CURRENCY}",
                "",
            ]
        if entry is None:
            break
        description = f"{entry.payee} | {entry.narration}" if entry.payee else entry.narration
        tags = f"  ; project:{entry.tags[0]}" if entry.tags else ""
        lines.append(f"{entry.date} * {description}{tags}")
        lines += [f"    {leg.account}  {leg.number} {CURRENCY}" for leg in entry.legs]
        lines.append("")
    return "\n".join(lines)
