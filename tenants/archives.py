"""The backup archive: one tar file with a manifest, a database dump, data files and stored files.

Plain tar, not compressed: the dump (pg_dump's custom format) is compressed already, and
receipts are PDFs and photos. Written to a ``.part`` file and renamed when complete, so a
backup that failed half-way never looks like a good one. Read with tar's ``data`` filter, so
no member can write outside the folder it is restored into.
"""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ledger.errors import message
from tenants.errors import RestoreRefused

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "files"


def write_archive(
    target: Path,
    manifest: Mapping[str, Any],
    members: Mapping[str, Path | bytes],
) -> None:
    """Write ``manifest`` and ``members`` (archive name to a file on disk or to bytes)."""
    partial = target.with_name(target.name + ".part")
    with tarfile.open(partial, "w") as archive:
        _add_bytes(archive, MANIFEST, json.dumps({**manifest, "format": FORMAT}, indent=2).encode())
        for name, content in members.items():
            if isinstance(content, Path):
                archive.add(content, arcname=name, recursive=False)
            else:
                _add_bytes(archive, name, content)
    partial.replace(target)


def read_manifest(source: Path, kind: str) -> dict[str, Any]:
    """The archive's manifest; refused when the file is no backup of this ``kind``."""
    try:
        with tarfile.open(source, "r") as archive:
            manifest = json.loads(_member_bytes(archive, MANIFEST))
    except (OSError, tarfile.TarError, KeyError, ValueError) as error:
        raise RestoreRefused(
            message("%(file)s is geen back-up van de Servicebureau (%(reason)s)."),
            file=source.name,
            reason=str(error),
        ) from error
    if manifest.get("kind") != kind or manifest.get("format") != FORMAT:
        raise RestoreRefused(
            message("%(file)s is een back-up van een andere soort (%(found)s), niet van %(kind)s."),
            file=source.name,
            found=str(manifest.get("kind")),
            kind=kind,
        )
    return dict(manifest)


def read_member(source: Path, name: str) -> bytes:
    with tarfile.open(source, "r") as archive:
        return _member_bytes(archive, name)


def extract_member(source: Path, name: str, folder: Path) -> Path:
    """Write one member into ``folder`` and return where it landed."""
    with tarfile.open(source, "r") as archive:
        archive.extract(name, folder, filter="data")
    return folder / name


def extract_files(source: Path, folder: Path) -> int:
    """Write every stored file of the archive (under ``files/``) into ``folder``; their count."""
    prefix = FILES + "/"
    count = 0
    with tarfile.open(source, "r") as archive:
        for member in archive:
            if not member.isfile() or not member.name.startswith(prefix):
                continue
            member.name = member.name[len(prefix) :]
            archive.extract(member, folder, filter="data")
            count += 1
    return count


def stored_files(folder: Path, skipped: frozenset[str] = frozenset()) -> Iterator[tuple[str, Path]]:
    """(archive name, path) of every file under ``folder``, but not under the ``skipped`` names
    at its top."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not path.is_symlink() and relative.parts[0] not in skipped:
            yield f"{FILES}/{relative.as_posix()}", path


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(content))


def _member_bytes(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.extractfile(name)
    if member is None:
        raise KeyError(name)
    return member.read()
