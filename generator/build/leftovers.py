"""Outputs a case's folder holds that its last build did not make: removed by the next build
when samdok made them, reported by `samdok verify` either way."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..base import files
from ..errors import OutputError
from . import manifest

# What a clerk could send: samdok's documents. Anything else in a case folder is left alone.
DOCUMENT_SUFFIXES = (".pdf", ".docx")


def listed(folder: Path) -> dict[str, str] | None:
    """The outputs folder/manifest.json lists, name -> SHA-256; None without a readable
    manifest of samdok's (a link in its place is not read)."""
    try:
        text = files.read_regular(folder / manifest.NAME, "manifest", "build again")
        data = json.loads(text or b"null")
    except (OSError, ValueError, OutputError):
        return None
    if not isinstance(data, dict):
        return None
    found = {}
    for item in data.get("outputs") if isinstance(data.get("outputs"), list) else []:
        if isinstance(item, dict) and isinstance(item.get("path"), str) \
                and isinstance(item.get("sha256"), str) and _plain(item["path"]):
            found[item["path"]] = item["sha256"]
    return found


def _plain(name: str) -> bool:
    """A file name of the case folder itself: the manifest is input too, and a name such as
    ../x or a/b must never lead a removal out of it."""
    return Path(name).name == name and name not in ("", ".", "..")


def _own_bytes(path: Path, digest: str) -> bool:
    """True if path is a regular file (not a link: never followed) holding the bytes the
    manifest records, i.e. the very file samdok wrote there."""
    try:
        handle = files.open_regular(path, os.O_RDONLY, "an earlier output", "")
    except (OSError, OutputError):
        return False
    with os.fdopen(handle, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest() == digest


def removable(folder: Path, names: set[str]) -> list[Path]:
    """The files in folder the previous build made (its manifest lists them, and they hold
    the bytes it recorded) that a build making `names` does not make again."""
    before = listed(folder) or {}
    return [folder / name for name, digest in sorted(before.items())
            if name not in names and _own_bytes(folder / name, digest)]


def unlisted(folder: Path, outputs: dict[str, str]) -> list[str]:
    """The names of documents (.pdf, .docx) in folder that `outputs` (the manifest's) does
    not list, whatever they are, links included: none is opened."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    # A folder is not a document; a link is reported, never followed. Word's and
    # LibreOffice's lock files beside an open document are not documents either.
    return sorted(entry.name for entry in entries
                  if not entry.is_dir(follow_symlinks=False)
                  and entry.name.lower().endswith(DOCUMENT_SUFFIXES)
                  and not entry.name.startswith((".", "~$"))
                  and entry.name not in outputs)
