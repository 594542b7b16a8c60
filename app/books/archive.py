"""The books with their receipts: one zip, the ``.beancount`` file beside a ``documents`` folder.

Unpacked, ``bean-check <slug>/<slug>.beancount`` finds every receipt, since each is named by a
``document`` directive with a path relative to the file. Written to a spooled temporary file
(memory up to a few MiB, disk beyond), the books streamed into it as they are read.
"""

from __future__ import annotations

import tempfile
import zipfile
from typing import IO

from sqlalchemy.orm import Session

from app.entry.receipts import stored_file
from ledger.export import document_paths, in_chunks, write_book

IN_MEMORY_UP_TO = 8 * 2**20


def books_with_receipts(session: Session, organisation_id: int, slug: str, name: str) -> IO[bytes]:
    """The zip, rewound, for ``send_file``; receipts whose file is missing stay out of it (their
    entries stay ``custom "document"`` lines, which name the file without requiring it)."""
    files = {
        path: found
        for path in document_paths(session)
        if (found := stored_file(organisation_id, path)) is not None
    }
    located = {path: f"documents/{path}" for path in files}
    spool = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_UP_TO)  # noqa: SIM115
    with zipfile.ZipFile(spool, "w") as archive:
        book = zipfile.ZipInfo(f"{slug}/{slug}.beancount")
        book.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(book, "w") as out:
            for chunk in in_chunks(write_book(session, title=name, documents=located)):
                out.write(chunk)
        for path, file in files.items():  # PDFs and photos are compressed already
            archive.write(file, f"{slug}/{located[path]}", compress_type=zipfile.ZIP_STORED)
    spool.seek(0)
    return spool
