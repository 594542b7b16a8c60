"""Tables of one organisation's books; importing this package registers them all."""

from __future__ import annotations

from ledger.models.accounts import Account

__all__ = ["Account"]
