"""Incremental builds: each output remembers a hash of everything it was made from."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .project import PACKAGE

# One per case folder: build/<case-id>/.samdok-state.json. Kept apart from manifest.json
# (which describes the outputs to people); this file only decides what to rebuild.
STATE_FILE = ".samdok-state.json"


def _hash_tree(digest, root: Path) -> None:
    """Add every file under root (names and bytes, in a fixed order) to digest."""
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        # Skip caches and the lock and backup files editors leave next to templates.
        if any(part == "__pycache__" or part.startswith((".", "~$")) for part in relative.parts):
            continue
        if path.is_file():
            digest.update(relative.as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")


def converter_identity(soffice: str | None) -> str:
    """Which LibreOffice would convert: a different install gives different PDFs."""
    if soffice is None:
        return "none"
    real = Path(soffice).resolve()
    try:
        info = real.stat()
    except OSError:
        return f"{real} missing"
    return f"{real} {info.st_size} {info.st_mtime_ns}"


def build_fingerprint(templates: Path, converter: str, options: dict[str, str]) -> str:
    """The inputs every document of a build shares.

    samdok's version and its own files (code, register, rules: in a development checkout
    the code changes while the version does not), the whole templates folder (Word
    templates and clause libraries), the converter, and any option that changes output.
    """
    digest = hashlib.sha256()
    digest.update(f"samdok {__version__}\0{converter}\0".encode())
    digest.update(json.dumps(options, sort_keys=True).encode() + b"\0")
    _hash_tree(digest, PACKAGE)
    _hash_tree(digest, templates)
    return digest.hexdigest()


def document_key(fingerprint: str, case_file: Path, kind: str, stem: str) -> str:
    """The hash of one document's inputs: the build's shared inputs plus its case file."""
    digest = hashlib.sha256(f"{fingerprint}\0{kind}\0{stem}\0".encode())
    digest.update(case_file.read_bytes())
    return digest.hexdigest()


@dataclass
class CaseState:
    """What is recorded about the outputs in one case folder."""

    folder: Path
    outputs: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> CaseState:
        try:
            data = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
            outputs = data["outputs"] if data.get("samdok") == __version__ else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            outputs = {}  # missing or unreadable: everything is rebuilt
        return cls(folder, outputs if isinstance(outputs, dict) else {})

    def current(self, name: str, key: str) -> bool:
        """True if folder/name was built from exactly these inputs and not touched since."""
        entry = self.outputs.get(name)
        if not isinstance(entry, dict) or entry.get("inputs") != key:
            return False
        try:
            info = (self.folder / name).stat()
        except OSError:
            return False
        return [entry.get("size"), entry.get("mtime_ns")] == [info.st_size, info.st_mtime_ns]

    def record(self, name: str, key: str) -> None:
        info = (self.folder / name).stat()
        self.outputs[name] = {"inputs": key, "size": info.st_size, "mtime_ns": info.st_mtime_ns}

    def save(self) -> None:
        """Write the state file atomically (a crash leaves the old one or the new one)."""
        text = json.dumps({"samdok": __version__, "outputs": self.outputs}, indent=1,
                          sort_keys=True)
        temporary = self.folder / f"{STATE_FILE}.tmp"
        temporary.write_text(text + "\n", encoding="utf-8")
        os.replace(temporary, self.folder / STATE_FILE)
