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
