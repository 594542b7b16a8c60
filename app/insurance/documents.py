"""Policy documents: the uploaded file kept under the instance folder, named by its hash."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import abort, current_app, send_file
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from app.form_input import text
from ledger.errors import ValidationFailed, message
from purchasing.models import PolicyDocument
from purchasing.policies import attach_document

FOLDER = "policy-documents"
# Of the uploaded file's name, kept after its hash: a file system takes 255 bytes a name.
NAME_LONGEST = 120


def store(
    session: Session, policy_id: int, form: Mapping[str, str], files: Mapping[str, FileStorage]
) -> int:
    """Keep the uploaded file and record it on the policy; the same bytes are stored once."""
    title = text(form, "title")
    if not title:
        raise ValidationFailed(message("Geef het document een titel."), field="title")
    upload = files.get("document")
    data = upload.read() if upload is not None else b""
    if upload is None or not data:
        raise ValidationFailed(message("Kies een bestand."), field="document")
    digest = hashlib.sha256(data).hexdigest()
    name = _short(secure_filename(upload.filename or "") or "document")
    reference = f"{FOLDER}/{digest}-{name}"
    path = Path(current_app.instance_path) / reference
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return attach_document(
        session,
        policy_id,
        title,
        reference,
        content_type=upload.mimetype or None,
        sha256=digest,
        uploaded_by_id=current_user.id,
    )


def send(session: Session, policy_id: int, document_id: int) -> Any:
    """The stored file, under the name it was uploaded with."""
    document = session.get(PolicyDocument, document_id)
    if document is None or document.policy_id != policy_id:
        abort(404)
    path = Path(current_app.instance_path) / document.file_ref
    if not document.file_ref.startswith(f"{FOLDER}/") or not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype=document.content_type or "application/octet-stream",
        as_attachment=True,
        download_name=path.name.split("-", 1)[-1],
    )


def _short(name: str) -> str:
    """``name`` cut to ``NAME_LONGEST`` characters, keeping its extension (``.pdf``)."""
    if len(name) <= NAME_LONGEST:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 10:
        return name[:NAME_LONGEST]
    return f"{stem[: NAME_LONGEST - len(extension) - 1]}.{extension}"
