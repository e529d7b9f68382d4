"""Incremental builds: what each case's outputs were made from, to skip what has not changed."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from . import __version__
from .project import PACKAGE

# One per output folder: build/.samdok.state.json (not .samdok-*, the staging folders' names).
# It only decides what to rebuild, and is kept apart from build/<case-id>/manifest.json,
# which describes the outputs to people.
STATE_FILE = ".samdok.state.json"


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


def converter_identity() -> str:
    """Which LibreOffice would convert: another install or version gives other PDFs."""
    from .convert import find_soffice  # light: the standard library only
    from .errors import ConversionError

    try:
        real = Path(find_soffice()).resolve()
        info = real.stat()
    except (ConversionError, OSError):
        return "none"  # the build reports it if anything needs converting
    return f"{real} {info.st_size} {info.st_mtime_ns}"


def build_fingerprint(templates: Path, options: dict[str, str] | None = None) -> str:
    """The inputs every document of a build shares.

    samdok's version and its own files (code, register, rules: in a development checkout
    the code changes while the version does not), the whole templates folder (Word
    templates and clause libraries), the converter, and any option that changes output.
    """
    digest = hashlib.sha256()
    digest.update(f"samdok {__version__}\0{converter_identity()}\0".encode())
    digest.update(json.dumps(options or {}, sort_keys=True).encode() + b"\0")
    _hash_tree(digest, PACKAGE)
    _hash_tree(digest, templates)
    return digest.hexdigest()


def up_to_date(case_id: str, documents: int) -> str:
    return f"up to date  {case_id}/ ({documents} document(s); --force rebuilds)"


class BuildState:
    """The record in one output folder: per case file, its inputs' hash and its outputs."""

    def __init__(self, out: Path, templates: Path, options: dict[str, str] | None = None):
        self.out = out
        self.fingerprint = build_fingerprint(templates, options)
        self._keys: dict[Path, str] = {}
        try:
            data = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
            cases = data["cases"] if data.get("samdok") == __version__ else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            cases = {}  # missing or unreadable: everything is rebuilt
        self.cases: dict[str, dict] = cases if isinstance(cases, dict) else {}

    def key(self, case_file: Path) -> str:
        """The hash of everything a case's documents are made from."""
        case_file = case_file.resolve()
        if case_file not in self._keys:
            from . import gitinfo  # the standard library only

            digest = hashlib.sha256(self.fingerprint.encode() + b"\0")
            digest.update(case_file.read_bytes())
            # A draft's stamp and every date in the outputs come from the case's git state
            # (last commit, its time, uncommitted changes) or SOURCE_DATE_EPOCH: a commit
            # alone changes the documents.
            git = gitinfo.state(case_file)
            digest.update(f"\0{git.commit} {git.commit_time} {git.dirty} "
                          f"{os.environ.get('SOURCE_DATE_EPOCH', '')}".encode())
            self._keys[case_file] = digest.hexdigest()
        return self._keys[case_file]

    def _entry(self, case_file: Path) -> dict | None:
        entry = self.cases.get(str(case_file.resolve()))
        if not isinstance(entry, dict) or entry.get("inputs") != self.key(case_file):
            return None
        return entry

    def _untouched(self, entry: dict, name: str) -> bool:
        recorded = entry.get("outputs", {}).get(name)
        try:
            info = (self.out / entry["id"] / name).stat()
        except (OSError, TypeError, KeyError):
            return False
        return recorded == [info.st_size, info.st_mtime_ns]

    def current_case(self, case_file: Path) -> tuple[str, int] | None:
        """(case id, number of documents) if every output of the case is current, else None.

        Such a case need not even be read: its file, the templates and samdok are as they
        were when it was built. A case that had warnings is read again, to show them again.
        """
        try:
            entry = self._entry(case_file)
        except OSError:
            return None  # an unreadable case file is reported by the check
        if entry is None or entry.get("warnings") or not entry.get("outputs"):
            return None
        if not all(self._untouched(entry, name) for name in entry["outputs"]):
            return None
        return entry["id"], len(entry["outputs"]) // 2  # a .docx and a .pdf each

    def current_document(self, case_file: Path, case_id: str, names: list[str]) -> bool:
        """True if these outputs of the case were built from its present inputs, untouched."""
        entry = self._entry(case_file)
        return (entry is not None and entry.get("id") == case_id
                and all(self._untouched(entry, name) for name in names))

    def record(self, case_file: Path, case_id: str, warnings: int, names: list[str]) -> None:
        """Note a case's outputs (names inside out/<case-id>/) as built from its inputs now."""
        outputs = {}
        for name in names:
            info = (self.out / case_id / name).stat()
            outputs[name] = [info.st_size, info.st_mtime_ns]
        self.cases[str(case_file.resolve())] = {
            "id": case_id, "inputs": self.key(case_file), "warnings": warnings,
            "outputs": outputs}

    def save(self) -> None:
        """Write the state file atomically (a crash leaves the old one or the new one)."""
        text = json.dumps({"samdok": __version__, "cases": self.cases}, ensure_ascii=False,
                          indent=1, sort_keys=True)
        temporary = self.out / f"{STATE_FILE}.tmp"
        temporary.write_text(text + "\n", encoding="utf-8")
        os.replace(temporary, self.out / STATE_FILE)
