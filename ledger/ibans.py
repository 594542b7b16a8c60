"""IBANs as people read them: in groups of four, as banks and invoices print them."""

from __future__ import annotations

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException


def printed_iban(iban: str) -> str:
    """``NL91 ABNA 0417 1643 00`` for ``NL91ABNA0417164300``: what a person reads and types.

    One that does not validate (a line of a foreign bank in a statement) is shown as it is.
    """
    try:
        return str(IBAN(iban).formatted)
    except SchwiftyException:
        return iban
