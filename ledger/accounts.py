"""Use cases on the chart of accounts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ledger.chart import DEFAULT_CURRENCY, ChartAccount
from ledger.models import Account


def install_chart(session: Session, chart: Iterable[ChartAccount], opened_on: date) -> int:
    """Open every account of ``chart`` on ``opened_on``; returns how many were opened.

    Runs inside the caller's transaction (provisioning installs the chart with the schema).
    """
    rows = [
        {
            "name": account.name,
            "type": account.type.value,
            "label_nl": account.label_nl,
            "label_en": account.label_en,
            "rgs_code": account.rgs_code,
            "currencies": [DEFAULT_CURRENCY],
            "opened_on": opened_on,
        }
        for account in chart
    ]
    if rows:
        session.execute(insert(Account), rows)
    return len(rows)
