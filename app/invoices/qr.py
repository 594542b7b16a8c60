"""The EPC QR code a banking app scans to fill in a transfer (segno draws it)."""

from __future__ import annotations

from functools import lru_cache

import segno.helpers

from purchasing.invoices.transfer import TransferInstructions

# Every open invoice of a few hundred organisations, at about 4 KiB each: 4 MiB at most.
# 256 held too few for the load benchmark's 300 open invoices, and each miss costs 15–20 ms.
QR_CODES_KEPT = 1024


@lru_cache(maxsize=QR_CODES_KEPT)
def epc_qr_data_uri(instructions: TransferInstructions) -> str:
    """An SVG data URI of the EPC QR code for ``instructions``, ready for ``<img src>``.

    Drawn once per process for the same transfer (a few KiB each): drawing costs several
    milliseconds, and an open invoice's page is opened again and again.
    """
    code = segno.helpers.make_epc_qr(
        name=instructions.beneficiary[:70],
        iban=instructions.iban,
        amount=instructions.amount,
        reference=instructions.reference,
    )
    return str(code.svg_data_uri(scale=4, border=2))
