"""The structured codes Dutch banks put in MT940's :86: field, split into named parts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

CODES = (
    "EREF|MARF|CSID|CNTP|REMI|IBAN|BIC|NAME|TRTP|ORDP|BENM|ULTC|ULTD|ULTB|PURP|RTRN|ISDT|"
    "ADDR|CDTRREFTP|CDTRREF|CREF|BUSP|PREF|SVCL|TRCD|ID"
)
CODE = re.compile(rf"/({CODES})/")
IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
NO_REFERENCE = frozenset({"", "NONREF", "NOTPROVIDED"})
LINE_WIDTH = 65


@dataclass(frozen=True, slots=True)
class Details:
    """What a payment says about itself: counterparty, references, free text."""

    description: str = ""
    name: str = ""
    iban: str = ""
    end_to_end_id: str = ""
    payment_reference: str = ""
    return_reason: str = ""


def split_details(text: str) -> Details:
    """Split ``/CODE/value`` pairs (ING's ``/CNTP/iban/bic/name/``, ABN's ``/IBAN/../NAME/``).

    Text without codes (older unstructured exports) is kept whole as the description.
    """
    flat = unwrapped(text)
    matches = list(CODE.finditer(flat))
    if not matches:
        return Details(description=" ".join(flat.split()))
    fields: dict[str, str] = {}
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(flat)
        fields.setdefault(match.group(1), flat[match.end() : end].strip("/ "))
    iban, name = _counterparty(fields)
    return Details(
        description=_remittance(fields.get("REMI", "")),
        name=name,
        iban=iban,
        end_to_end_id=_reference(fields.get("EREF", "")),
        payment_reference=_payment_reference(fields),
        return_reason=fields.get("RTRN", "").split("/")[0],
    )


# The labels of ING's CSV "Mededelingen" column ("Naam: ... Omschrijving: ... IBAN: ...
# Kenmerk: ..."). Only these split the text: a colon in the payer's own words does not.
ING_LABELS = (
    "Naam",
    "Omschrijving",
    "IBAN",
    "BIC",
    "Kenmerk",
    "Machtiging ID",
    "Incassant ID",
    "Datum/Tijd",
    "Valutadatum",
    "Referentie",
)
ING_LABEL = re.compile(rf"(?:^|\s)({'|'.join(re.escape(label) for label in ING_LABELS)}):\s?")


def split_ing_labels(text: str) -> Details | None:
    """ING's labelled text split into its parts; None when it names no ``Omschrijving``.

    A transfer or direct debit reads ``Naam: Gemeente Amsterdam Omschrijving: Subsidie
    buurtfeest IBAN: NL44RABO0123456789 Kenmerk: 2024-0815``: its description is the
    ``Omschrijving``, its payment reference the ``Kenmerk``. A card payment (``Pasvolgnr: 001
    03-09-2024 14:22 Transactie: ...``) has no such parts and is kept whole by the caller.
    """
    matches = list(ING_LABEL.finditer(text))
    if not matches:
        return None
    fields: dict[str, str] = {}
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(text)
        fields.setdefault(match.group(1), " ".join(text[match.end() : end].split()))
    if "Omschrijving" not in fields:
        return None
    iban = fields.get("IBAN", "").replace(" ", "").upper()
    return Details(
        description=fields["Omschrijving"],
        name=fields.get("Naam", ""),
        iban=iban if IBAN.fullmatch(iban) else "",
        payment_reference=_reference(fields.get("Kenmerk", "")),
    )


def unwrapped(text: str) -> str:
    """The :86: field as one line: its lines are at most 65 characters (SWIFT's 6*65x).

    A full line was wrapped by the bank wherever the 65th character fell, often mid-word or
    mid-IBAN, so the next line continues it directly. A shorter line ended where the text
    had a break or a space (which exports trim), so a space joins it to the next.
    """
    lines = text.splitlines()
    if not lines:
        return ""
    parts = [lines[0]]
    for previous, line in pairwise(lines):
        parts.append(("" if len(previous) >= LINE_WIDTH else " ") + line)
    return "".join(parts)


def _counterparty(fields: dict[str, str]) -> tuple[str, str]:
    if "CNTP" in fields:
        parts = [*fields["CNTP"].split("/"), "", "", ""]
        return parts[0].replace(" ", "").upper(), parts[2].strip()
    iban = (fields.get("IBAN") or fields.get("ID", "")).replace(" ", "").upper()
    return (iban if IBAN.fullmatch(iban) else ""), fields.get("NAME", "").strip()


def _remittance(remi: str) -> str:
    """ING's ``USTD//text`` and ``STRD/CUR/ref`` forms; other banks' plain text."""
    if remi.startswith("USTD"):
        remi = remi[4:]
    elif remi.startswith("STRD"):
        return ""
    return " ".join(remi.strip("/").split())


def _payment_reference(fields: dict[str, str]) -> str:
    if "CDTRREF" in fields:
        return fields["CDTRREF"].split("/")[0].strip()
    remi = fields.get("REMI", "")
    if remi.startswith("STRD"):
        parts = [part for part in remi.split("/") if part]
        return parts[-1].strip() if len(parts) > 1 else ""
    return ""


def _reference(value: str) -> str:
    return "" if value.strip().upper() in NO_REFERENCE else value.strip()
