"""Incremental builds: what each case's outputs were made from, to skip what has not changed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .. import __version__, settings
from ..base import files, gitinfo
from ..base.project import PACKAGE
from ..model import caseid

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
    from ..errors import ConversionError
    from ..pdf.convert import find_soffice  # light: the standard library only

    try:
        real = Path(find_soffice()).resolve()
        info = real.stat()
    except (ConversionError, OSError):
        return "none"  # the build reports it if anything needs converting
    return f"{real} {info.st_size} {info.st_mtime_ns}"


def build_sources(templates: Path) -> dict[str, str]:
    """The inputs every document of a build shares, one hash or identity each, by the name
    `samdok verify` gives when one changed.

    samdok's version and its own files (code, register, rules: in a development checkout
    the code changes while the version does not), the templates folder in use and samdok's
    standard one (labels come from it), and the converter.
    """
    code = hashlib.sha256(f"samdok {__version__}\0".encode())
    _hash_tree(code, PACKAGE)  # in an installed wheel the standard templates are inside
    shapes = hashlib.sha256()
    for folder in (templates, PACKAGE.parent / "templates"):
        if folder.is_dir():
            shapes.update(f"{folder.name}\0".encode())
            _hash_tree(shapes, folder)
    return {"samdok": code.hexdigest(), "templates": shapes.hexdigest(),
            "converter": converter_identity()}


def case_sources(case_file: Path) -> dict[str, str]:
    """What one case's documents are made from besides the build's shared inputs: the case
    file, and what the draft stamp and the pinned dates come from (the case's last commit,
    whether it has changed since, SOURCE_DATE_EPOCH).

    The repository's HEAD, which manifest.json also names, is left out: a commit that does
    not touch the case changes none of its documents.
    """
    found = gitinfo.state(case_file)
    return {"case": hashlib.sha256(case_file.read_bytes()).hexdigest(),
            "git": json.dumps([found.commit, found.commit_time, found.dirty]),
            "SOURCE_DATE_EPOCH": _shown(settings.current().source_date_epoch)}


def _shown(epoch: int | None) -> str:
    """SOURCE_DATE_EPOCH as recorded: its digits, or "" when it is not set."""
    return "" if epoch is None else str(epoch)


def build_fingerprint(templates: Path, final: bool,
                      shared: dict[str, str] | None = None) -> str:
    """The hash of the inputs every document of a build shares, and whether it is final."""
    shared = build_sources(templates) if shared is None else shared
    return hashlib.sha256(json.dumps([shared, final], sort_keys=True).encode()).hexdigest()


def up_to_date(case_id: str, documents: int) -> str:
    return f"up to date  {case_id}/ ({documents} document(s); --force rebuilds)"


class BuildState:
    """The record in one output folder: per case file, its inputs' hash and its outputs."""

    def __init__(self, out: Path, templates: Path, final: bool = False):
        files.check_output(out)  # a link in place of the output folder is refused at once
        self.out = out
        self.shared = build_sources(templates)
        self.fingerprint = build_fingerprint(templates, final, self.shared)
        self._sources: dict[Path, dict[str, str]] = {}
        self._recorded: set[str] = set()
        self.cases = self._read(out)

    @staticmethod
    def _read(out: Path) -> dict[str, dict]:
        # A link or a special file in place of the state file is refused (OutputError), not
        # read: the output folder may come from someone else's repository.
        try:
            text = files.read_regular(out / STATE_FILE, "samdok's build state", f"remove "
                                      f"{out / STATE_FILE}; the next build rebuilds every case")
            data = json.loads(text or b"null")
            cases = data["cases"] if data.get("samdok") == __version__ else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            cases = {}  # missing or unreadable: everything is rebuilt
        return cases if isinstance(cases, dict) else {}

    def sources(self, case_file: Path) -> dict[str, str]:
        """Everything a case's documents are made from, by name (build_sources and
        case_sources): manifest.json records it, and `samdok verify` compares it with now.
        Read once per build, so the manifest and the state record the same."""
        case_file = case_file.resolve()
        if case_file not in self._sources:
            self._sources[case_file] = {**self.shared, **case_sources(case_file)}
        return self._sources[case_file]

    def key(self, case_file: Path) -> str:
        """The hash of everything a case's documents are made from (see sources) and of
        whether the build is final."""
        own = {name: value for name, value in self.sources(case_file).items()
               if name not in self.shared}
        return hashlib.sha256(json.dumps([self.fingerprint, own], sort_keys=True)
                              .encode()).hexdigest()

    def _entry(self, case_file: Path) -> dict | None:
        entry = self.cases.get(str(case_file.resolve()))
        if not isinstance(entry, dict) or entry.get("inputs") != self.key(case_file):
            return None
        recorded = entry.get("id")  # the state file is input too: its ids pass the same check
        if not isinstance(recorded, str) or caseid.problem(recorded):
            return None
        return entry

    def current_case(self, case_file: Path) -> tuple[str, int] | None:
        """(case id, number of documents) if every output of the case is current, else None.

        Such a case need not even be read: its file, the templates and samdok are as they
        were when it was built. A case that had warnings is read again, to show them again.
        """
        try:
            entry = self._entry(case_file)
        except OSError:
            return None  # an unreadable case file is reported by the check
        if entry is None or entry.get("warnings") or not self._untouched(entry):
            return None
        return entry["id"], entry.get("documents", 0)

    def outputs_current(self, case_file: Path, case_id: str,
                        names: set[str] | None = None) -> bool:
        """True if the case's outputs were built from its present inputs, and not touched;
        with `names` (the files a build of the case makes now), only if the last build made
        just those: a case whose documents changed is built again, which removes the rest."""
        entry = self._entry(case_file)
        return (entry is not None and entry.get("id") == case_id and self._untouched(entry)
                and (names is None or set(entry["outputs"]) == names))

    def _untouched(self, entry: dict) -> bool:
        outputs = entry.get("outputs")
        if not isinstance(outputs, dict) or not outputs:
            return False
        for name, recorded in outputs.items():
            try:
                info = (self.out / entry["id"] / name).stat()
            except (OSError, TypeError, KeyError):
                return False
            if recorded != [info.st_size, info.st_mtime_ns]:
                return False
        return True

    def record(self, case_file: Path, case_id: str, warnings: int, documents: int,
               names: list[str]) -> None:
        """Note a case's outputs (names inside out/<case-id>/) as built from its inputs now."""
        outputs = {}
        for name in names:
            info = (self.out / case_id / name).stat()
            outputs[name] = [info.st_size, info.st_mtime_ns]
        self._recorded.add(str(case_file.resolve()))
        self.cases[str(case_file.resolve())] = {
            "id": case_id, "inputs": self.key(case_file), "warnings": warnings,
            "documents": documents, "outputs": outputs}

    def save(self) -> None:
        """Write the state file atomically (a crash leaves the old one or the new one).

        Cases recorded here go on top of the file as it is now, not as it was read: another
        build into this folder may have finished in between (the build lock only keeps two
        from writing at once).
        """
        cases = BuildState._read(self.out)
        cases.update({name: self.cases[name] for name in self._recorded})
        text = json.dumps({"samdok": __version__, "cases": cases}, ensure_ascii=False,
                          indent=1, sort_keys=True)
        files.write_atomic(self.out / STATE_FILE, (text + "\n").encode("utf-8"))
