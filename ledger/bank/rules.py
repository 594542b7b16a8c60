"""Rules that propose a contra account for a bank line, and the use cases that keep them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from ledger.amounts import is_within_limits
from ledger.audit import record_change
from ledger.bank.models import BankLine, BankRule
from ledger.errors import NotFound, ValidationFailed, message
from ledger.meta import decode_meta
from ledger.models import Account, Posting, Transaction
from ledger.projects import project_name, project_of
from ledger.statements import read
from ledger.suggestions import recent_names
from ledger.turns import take_turns_on

# An account number as a bank line holds it: at most 34 letters and digits (the longest IBAN).
ACCOUNT_NUMBER = re.compile(r"[A-Z0-9]{1,34}")
IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}")
# A condition longer than a bank line's name or description (at most 140 characters in SEPA)
# would never match.
LONGEST_CONDITION = 200


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A rule's conditions (empty ones do not count) and the account it proposes."""

    contra_account: str
    counterparty_iban: str = ""
    counterparty_name: str = ""
    description_contains: str = ""
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    narration: str = ""
    bank_account_id: int | None = None
    id: int | None = None
    project: str = ""  # the project its lines are booked on (``ledger.projects``); "" none

    @property
    def conditions(self) -> int:
        return sum(
            bool(value)
            for value in (self.counterparty_iban, self.counterparty_name, self.description_contains)
        ) + sum(value is not None for value in (self.amount_min, self.amount_max))


def matches(rule: RuleSpec, line: BankLine) -> bool:
    """Every condition the rule sets holds for the line (texts compared without case)."""
    if rule.bank_account_id is not None and rule.bank_account_id != line.bank_account_id:
        return False
    if rule.counterparty_iban and rule.counterparty_iban != line.counterparty_iban:
        return False
    if rule.counterparty_name and (
        rule.counterparty_name.casefold() not in line.counterparty_name.casefold()
    ):
        return False
    if rule.description_contains and (
        rule.description_contains.casefold() not in line.description.casefold()
    ):
        return False
    return _within(line.amount, rule.amount_min, rule.amount_max)


def _within(amount: Decimal, low: Decimal | None, high: Decimal | None) -> bool:
    """``low <= amount <= high`` for the limits that are set; a limit that is no number (a NaN
    saved before limits were checked) matches nothing rather than failing the whole inbox."""
    if any(limit is not None and limit.is_nan() for limit in (low, high)):
        return False
    return (low is None or amount >= low) and (high is None or amount <= high)


def best_rule(rules: Sequence[RuleSpec], line: BankLine) -> RuleSpec | None:
    """The matching rule with the most conditions; the oldest wins a tie."""
    found = [rule for rule in rules if matches(rule, line)]
    return max(found, key=lambda r: (r.conditions, -(r.id or 0))) if found else None


def all_rules(session: Session) -> list[RuleSpec]:
    return [_spec(row) for row in read(session, _ALL_RULES).all()]


def rule_of(session: Session, rule_id: int) -> RuleSpec:
    """One rule, as the form that changes it shows it."""
    row = session.execute(_ALL_RULES.where(BankRule.id == rule_id)).first()
    if row is None:
        raise NotFound(message("Regel %(id)s bestaat niet."), id=rule_id)
    return _spec(row)


def _spec(row: Any) -> RuleSpec:
    return RuleSpec(
        id=row.id,
        contra_account=row.name,
        counterparty_iban=row.counterparty_iban,
        counterparty_name=row.counterparty_name,
        description_contains=row.description_contains,
        amount_min=row.amount_min,
        amount_max=row.amount_max,
        narration=row.narration,
        bank_account_id=row.bank_account_id,
        project=row.project,
    )


# Built once (the inbox reads every rule on every request); the columns a ``RuleSpec`` takes.
_ALL_RULES = (
    select(
        BankRule.id,
        Account.name,
        BankRule.counterparty_iban,
        BankRule.counterparty_name,
        BankRule.description_contains,
        BankRule.amount_min,
        BankRule.amount_max,
        BankRule.narration,
        BankRule.bank_account_id,
        BankRule.project,
    )
    .join(Account, Account.id == BankRule.contra_account_id)
    .order_by(BankRule.id)
)


def names_of_ibans(session: Session, ibans: Sequence[str]) -> dict[str, str]:
    """The name each IBAN last came with on a bank line, so a rule on an IBAN alone reads as
    whose it is ("NL44 RABO 0123 4567 89, Gemeente Amsterdam"); IBANs never seen are left out."""
    wanted = sorted({iban for iban in ibans if iban})
    if not wanted:
        return {}
    rows = session.execute(
        select(BankLine.counterparty_iban, BankLine.counterparty_name)
        .where(BankLine.counterparty_iban.in_(wanted), BankLine.counterparty_name != "")
        .ext(distinct_on(BankLine.counterparty_iban))
        .order_by(BankLine.counterparty_iban, BankLine.date.desc(), BankLine.id.desc())
    )
    return {iban: name for iban, name in rows}


def add_rule(session: Session, spec: RuleSpec, actor_id: int | None) -> int:
    """Save a rule; refuses one without conditions (it would match every line)."""
    spec, account_id = _checked(session, spec)
    _take_turns(session)
    if any(_same_conditions(rule, spec) for rule in all_rules(session)):
        raise RuleExists(
            message(
                "Er is al een regel met deze voorwaarden. Moet die een andere tegenrekening "
                "voorstellen? Wijzig die regel dan."
            )
        )
    rule = BankRule(
        **_conditions(spec),
        bank_account_id=spec.bank_account_id,
        contra_account_id=account_id,
        narration=spec.narration,
        project=spec.project,
        created_by=actor_id,
    )
    session.add(rule)
    session.flush()
    record_change(
        session,
        actor_id,
        "create",
        "bank_rule",
        rule.id,
        after={
            "account": spec.contra_account,
            **({"project": spec.project} if spec.project else {}),
        },
    )
    session.flush()
    return rule.id


def change_rule(session: Session, rule_id: int, spec: RuleSpec, actor_id: int | None) -> None:
    """Give a rule other conditions or another account, refused as a new rule would be.

    The rule keeps the bank account it was made for (a rule made from a booked line holds for
    that line's bank account) and its narration. Lines booked by it stay as they are; open
    lines follow the rule as it is now.
    """
    spec, account_id = _checked(session, spec)
    _take_turns(session)
    before = rule_of(session, rule_id)
    changed = replace(
        spec, id=rule_id, bank_account_id=before.bank_account_id, narration=before.narration
    )
    if any(_same_conditions(kept, changed) for kept in all_rules(session) if kept.id != rule_id):
        raise RuleExists(message("Er is al een andere regel met deze voorwaarden."))
    if changed == before:  # saved as it was (amounts compare as numbers: 100 is 100,00)
        return
    session.execute(
        update(BankRule)
        .where(BankRule.id == rule_id)
        .values(**_conditions(changed), contra_account_id=account_id, project=changed.project)
    )
    record_change(
        session,
        actor_id,
        "edit",
        "bank_rule",
        rule_id,
        before=_audited(before),
        after=_audited(changed),
    )
    session.flush()


def _conditions(rule: RuleSpec) -> dict[str, Any]:
    """The columns of a rule's conditions, as a person sets them."""
    return {
        "counterparty_iban": rule.counterparty_iban,
        "counterparty_name": rule.counterparty_name,
        "description_contains": rule.description_contains,
        "amount_min": rule.amount_min,
        "amount_max": rule.amount_max,
    }


def _audited(rule: RuleSpec) -> dict[str, str]:
    """What the audit trail keeps of a rule: its conditions and account, as text."""
    as_text = {
        name: "" if value is None else f"{value:f}" if isinstance(value, Decimal) else value
        for name, value in _conditions(rule).items()
    }
    project = {"project": rule.project} if rule.project else {}
    return {**as_text, "account": rule.contra_account, **project}


def _checked(session: Session, spec: RuleSpec) -> tuple[RuleSpec, int]:
    """``spec`` with its IBAN written as bank lines hold it and its project as the books
    write it, and the id of the account it proposes; refused unless its conditions could make
    a rule."""
    spec = replace(
        spec,
        counterparty_iban=_account_number(spec.counterparty_iban),
        project=project_name(spec.project, recent_names(session).projects) or "",
    )
    if spec.conditions == 0:
        raise ValidationFailed(message("Een regel heeft minstens één voorwaarde nodig."))
    for field in ("counterparty_name", "description_contains"):
        if len(getattr(spec, field)) > LONGEST_CONDITION:
            raise ValidationFailed(
                message("Een voorwaarde is hoogstens %(longest)s tekens lang."),
                field=field,
                longest=LONGEST_CONDITION,
            )
    for field, limit in (("amount_min", spec.amount_min), ("amount_max", spec.amount_max)):
        if limit is not None and not is_within_limits(limit):
            raise ValidationFailed(
                message("Ongeldig bedrag: %(amount)s."), field=field, amount=str(limit)[:40]
            )
    if (
        spec.amount_min is not None
        and spec.amount_max is not None
        and spec.amount_min > spec.amount_max
    ):
        raise ValidationFailed(
            message("Het minimumbedrag is groter dan het maximumbedrag."), field="amount_min"
        )
    account_id = session.scalar(select(Account.id).where(Account.name == spec.contra_account))
    if account_id is None:
        raise NotFound(message("Rekening %(name)s bestaat niet."), name=spec.contra_account)
    return spec, int(account_id)


def _account_number(typed: str) -> str:
    """A counterparty's account number as bank lines hold it (compact, in capitals): an IBAN
    with valid check digits, or an older account number of letters and digits; a typo in an
    IBAN would make a rule that never matches, so it is refused."""
    compact = typed.replace(" ", "").upper()
    if compact and not ACCOUNT_NUMBER.fullmatch(compact):
        raise ValidationFailed(
            message(
                "%(iban)s is geen rekeningnummer: een IBAN heeft hoogstens 34 letters en cijfers."
            ),
            field="counterparty_iban",
            iban=typed.strip()[:40],
        )
    if IBAN_SHAPE.fullmatch(compact):
        try:
            IBAN(compact)
        except SchwiftyException as error:
            raise ValidationFailed(
                message("%(iban)s is geen geldig IBAN."),
                field="counterparty_iban",
                iban=typed.strip()[:40],
            ) from error
    return compact


def _is_account_number(text: str) -> bool:
    try:
        _account_number(text)
    except ValidationFailed:
        return False
    return True


class RuleExists(ValidationFailed):
    """A rule with the same conditions is kept already: a second would never be chosen."""


def _same_conditions(kept: RuleSpec, new: RuleSpec) -> bool:
    """Whether ``kept`` matches exactly the lines ``new`` would (texts compared as matching
    compares them: without case and surrounding spaces)."""

    def text(value: str) -> str:
        return value.strip().casefold()

    return (
        kept.bank_account_id == new.bank_account_id
        and text(kept.counterparty_iban) == text(new.counterparty_iban)
        and text(kept.counterparty_name) == text(new.counterparty_name)
        and text(kept.description_contains) == text(new.description_contains)
        and kept.amount_min == new.amount_min
        and kept.amount_max == new.amount_max
    )


def _take_turns(session: Session) -> None:
    """Wait for any other change of this book's rules to end, until this transaction ends.

    Two sends of one rule at the same moment would otherwise both find no such rule and both
    add it (a row lock cannot lock a row that does not exist yet); in turns, the second finds
    the first's. Reading the rules (the inbox) does not wait.
    """
    take_turns_on(session, BankRule)


def rule_from_line(session: Session, line_id: int, actor_id: int | None) -> int:
    """A rule that proposes, for this counterparty, the account a booked line went to."""
    line = session.get(BankLine, line_id)
    if line is None or line.transaction_id is None:
        raise NotFound(message("Geboekte bankregel %(id)s bestaat niet."), id=line_id)
    contra = session.scalar(
        select(Account.name)
        .join(Posting, Posting.account_id == Account.id)
        .where(Posting.transaction_id == line.transaction_id, Posting.position == 1)
    )
    assert contra is not None
    meta = session.scalar(select(Transaction.meta).where(Transaction.id == line.transaction_id))
    iban = line.counterparty_iban if _is_account_number(line.counterparty_iban) else ""
    spec = RuleSpec(
        contra_account=contra,
        counterparty_iban=iban,
        counterparty_name="" if iban else line.counterparty_name[:LONGEST_CONDITION],
        description_contains=""
        if iban or line.counterparty_name
        else line.description[:LONGEST_CONDITION],
        bank_account_id=line.bank_account_id,
        project=project_of(decode_meta(meta)),
    )
    return add_rule(session, spec, actor_id)


def delete_rule(session: Session, rule_id: int, actor_id: int | None) -> None:
    """Remove a rule; lines already booked by it stay as they are."""
    if session.execute(delete(BankRule).where(BankRule.id == rule_id)).rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound(message("Regel %(id)s bestaat niet."), id=rule_id)
    record_change(session, actor_id, "delete", "bank_rule", rule_id)
    session.flush()
