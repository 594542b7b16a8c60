"""Bureau forms that were saved, by the token each form shown carried."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from purchasing.models._columns import created_at
from tenants.tables import PublicBase


class FormSubmission(PublicBase):
    """What the first send of one form made (``kind`` and its id), under the form's token.

    The same form sent again (a double click, a browser's retry, a person sending it again
    after the connection broke at the commit) finds this row instead of making a second
    policy, pool or document (``purchasing.submissions``).
    """

    __tablename__ = "form_submissions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    made_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = created_at()
