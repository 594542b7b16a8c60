"""Receipts: an uploaded PDF or image, checked, then kept under the instance folder.

Files live in ``instance/documents/<organisation id>/receipts/``, named by the SHA-256 of
their content, so the same receipt uploaded twice is stored once and a name can never point
outside the folder. The type is read from the file's first bytes, not from what the browser claims.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Response, current_app, send_file
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

MAX_BYTES = 10 * 1024 * 1024
FOLDER = "receipts"
_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})
_STORED_NAME = re.compile(r"receipts/([0-9a-f]{64})\.(pdf|png|jpg|webp)")


@dataclass(frozen=True, slots=True)
class Receipt:
    """A checked upload, held in memory until its transaction is posted."""

    content: bytes
    mime_type: str
    extension: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def path(self) -> str:
        """The document path the ledger records, relative to the organisation's folder."""
        return f"{FOLDER}/{self.sha256}.{self.extension}"


def read_receipt(upload: FileStorage | None) -> tuple[Receipt | None, str | None]:
    """The receipt, or None when nothing was uploaded; or a message saying what is wrong."""
    if upload is None or not upload.filename:
        return None, None
    content = upload.stream.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        return None, _("Dit bestand is te groot; het mag hooguit 10 MB zijn.")
    if not content:
        return None, _("Dit bestand is leeg.")
    kind = _kind(content)
    if kind is None:
        return None, _("Upload een PDF of een foto (JPEG, PNG of WebP).")
    return Receipt(content, *kind), None


def store_receipt(organisation_id: int, receipt: Receipt) -> None:
    """Write the file once; a second upload of the same content finds it already there."""
    target = organisation_folder(organisation_id) / receipt.path
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        partial = target.with_suffix(".part")
        partial.write_bytes(receipt.content)
        partial.replace(target)


def stored_file(organisation_id: int, path: str) -> Path | None:
    """The file behind a document path this module wrote, or None for any other path."""
    if not _STORED_NAME.fullmatch(path):
        return None
    target = organisation_folder(organisation_id) / path
    return target if target.is_file() else None


def receipt_response(found: Path) -> Response:
    """A stored receipt as an answer no browser runs: private, never stored, never sniffed.

    Shown in the page only when its first bytes say PDF, PNG or JPEG, types that carry no
    script a browser runs in our origin; anything else is a download.
    """
    with found.open("rb") as file:
        kind = _kind(file.read(16))
    inline = kind is not None and kind[0] in INLINE_TYPES
    response = send_file(
        found,
        mimetype=kind[0] if inline and kind else "application/octet-stream",
        as_attachment=not inline,
        download_name=found.name,
        conditional=False,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def organisation_folder(organisation_id: int) -> Path:
    return Path(current_app.instance_path) / "documents" / str(organisation_id)


def _kind(content: bytes) -> tuple[str, str] | None:
    for signature, mime_type, extension in _SIGNATURES:
        if content.startswith(signature):
            return mime_type, extension
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None
