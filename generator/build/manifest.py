"""build/<case-id>/manifest.json: the inputs with their hashes, git state, version and outputs."""

from __future__ import annotations

import json
from pathlib import Path

from .. import __version__
from ..base.files import create_exclusive
from ..base.project import PACKAGE
from ..base.reproducible import sha256
from ..compose.drafts import Provenance

NAME = "manifest.json"
SOURCE_NAMES = ("case", "git", "SOURCE_DATE_EPOCH", "templates", "samdok", "converter")
DATA = PACKAGE / "data"


def inputs(case: Path, templates: Path, kinds: list[str], language: str) -> list[Path]:
    """Every file a case's documents are made from, each once: the case, the Word templates,
    the clause libraries (the shared one included), and the register and rules shipped with
    samdok. `kinds` has one entry per document: a submission to 357 councils names
    saksframlegg 357 times, and its template and clauses are still one input each."""
    files = [case]
    for kind in dict.fromkeys(kinds):
        files += [templates / f"{kind}.docx", templates / "klausuler" / f"{kind}.{language}.yaml"]
    files += [templates / "klausuler" / f"felles.{language}.yaml"]
    files += [DATA / "kommuner.csv", DATA / "regler.yaml"]
    return [f for f in dict.fromkeys(files) if f.is_file()]


def write(path: Path, origin: Provenance, files: list[Path], outputs: list[tuple[str, Path]],
          final: bool, sources: dict[str, str] | None = None) -> None:
    """Write the manifest. `outputs` pairs each output's name in build/<case-id>/ with the file
    that holds it now (still in the staging folder); `sources` is everything the documents
    were made from, by name (state.BuildState.sources), for `samdok verify` to compare."""
    data = {
        "samdok": __version__,
        "final": final,
        "date": origin.when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git": {
            "case_commit": origin.commit,
            "uncommitted_changes": origin.dirty,
            "head": origin.head,
        },
        "inputs": [{"path": shown_path(f), "sha256": sha256(f)} for f in files],
        "outputs": [{"path": name, "sha256": sha256(f)} for name, f in outputs],
        "sources": sources or {},
    }
    # A new file in the staging folder; moved into build/<case-id>/ with the documents.
    create_exclusive(path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n")
                           .encode("utf-8"))


def shown_path(path: Path) -> str:
    """How the manifest names an input file."""
    # Relative to the working folder for the project's own files; samdok's shipped data by
    # its place in the package, so the manifest is the same wherever samdok is installed.
    resolved = path.resolve()
    package = PACKAGE
    for base, prefix in ((Path.cwd().resolve(), ""), (package.parent, ""),
                         (package, "generator/")):
        try:
            return prefix + resolved.relative_to(base).as_posix()
        except ValueError:
            continue
    return resolved.as_posix()
