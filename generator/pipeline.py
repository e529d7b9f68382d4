"""The build: cases checked, composed, written to Word, converted, then moved into place at once."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import drafts, manifest, reproducible, rules
from .case import LoadedCase, load_case
from .compose import compose
from .document import Document
from .errors import CaseError, OutputError, Problem
from .project import shown
from .templatecheck import check_template

Report = Callable[[str], None]


@dataclass
class Checked:
    """A case that passed validation and the compliance rules, with its document models."""

    loaded: LoadedCase
    documents: list[Document]
    warnings: list[Problem]


def check_cases(paths: list[Path], templates: Path, strict: bool = False,
                warn: Report = print) -> list[Checked]:
    """Load, validate, apply the rules and compose every case; all problems in one CaseError.

    Warnings (unknown keys) go to `warn`; with strict=True they are errors.
    """
    problems: list[Problem] = []
    checked: list[Checked] = []
    for path in paths:
        try:
            loaded = load_case(path, shown(path))
            unmet = rules.check(loaded) + (loaded.warnings if strict else [])
            if unmet:
                problems += unmet
                continue
            for warning in loaded.warnings:
                warn(str(warning))
            documents = compose(loaded, templates)
            for document in documents:
                check_template(templates / f"{document.kind}.docx", document)
            checked.append(Checked(loaded, documents, loaded.warnings))
        except CaseError as exc:
            problems += exc.problems
    if problems:
        raise CaseError(problems)
    ids: dict[str, Path] = {}
    for item in checked:
        if item.loaded.id in ids:
            raise CaseError([item.loaded.source.problem(
                ("id",), f"id '{item.loaded.id}' is also used by {shown(ids[item.loaded.id])}",
                "each case needs its own id: it names the folder under build/")])
        ids[item.loaded.id] = item.loaded.path
    return checked


def build(checked: list[Checked], templates: Path, out: Path, report: Report = print,
          verbose: bool = False, final: bool = False) -> list[Path]:
    """Write every document to .docx and .pdf under out/<case-id>/; return the files written.

    Everything is produced in a staging folder inside `out` first, and moved into place only
    when the whole build succeeded, so a failed build leaves earlier outputs untouched.
    Drafts get the draft stamp and watermark; final=True refuses (CaseError, nothing written)
    unless every case is marked final and committed, and then leaves both out.
    """
    # Imported here so `samdok check` and `--help` never load the Word and PDF stacks.
    from .convert import to_pdf
    from .docx_writer import write_docx

    if final:
        check_final(checked, templates)
    origins = {item.loaded.id: drafts.provenance(item.loaded.path) for item in checked}
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".samdok-", dir=out))
    except OSError as exc:
        raise OutputError(f"{out}: cannot write the output folder ({exc.strerror}); "
                          "hint: check the path and its permissions, or use -o") from None
    try:
        staged: list[tuple[Path, Path]] = []  # (staged file, final place)
        docx_files: list[Path] = []
        total = sum(len(item.documents) for item in checked)
        for item in checked:
            for document in item.documents:
                # Distinct names in one folder: LibreOffice converts them in one call.
                stem = f"{item.loaded.id}--{document.file_stem}"
                docx = staging / f"{stem}.docx"
                report(f"[{len(docx_files) + 1}/{total}] Word  {item.loaded.id}/"
                       f"{document.file_stem}.docx")
                write_docx(drafts.as_final(document) if final
                           else drafts.as_draft(document, origins[item.loaded.id]),
                           templates, docx)
                docx_files.append(docx)
                target = out / item.loaded.id / document.file_stem
                staged += [(docx, target.with_suffix(".docx")),
                           (staging / f"{stem}.pdf", target.with_suffix(".pdf"))]
        report(f"PDF   converting {len(docx_files)} document(s) with LibreOffice")
        to_pdf(docx_files, staging, verbose=verbose)
        staged += _pin_and_record(checked, origins, staged, staging, templates, final)
        return _commit(staged)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def check_final(checked: list[Checked], templates: Path) -> None:
    """A final build needs every case marked final and no uncommitted changes to it or to the
    templates; otherwise a CaseError lists every reason, before anything is written."""
    problems = [problem for item in checked
                for problem in drafts.final_problems(item.loaded.path, item.loaded.case.status,
                                                     templates)]
    if problems:
        raise CaseError(problems)


def _pin_and_record(checked: list[Checked], origins: dict[str, drafts.Provenance],
                    staged: list[tuple[Path, Path]], staging: Path, templates: Path,
                    final: bool) -> list[tuple[Path, Path]]:
    """The reproducibility hook after conversion: pin every date in the staged .docx and PDF
    files to the case's fixed date, then write each case's manifest.json beside them."""
    manifests = []
    for item in checked:
        origin = origins[item.loaded.id]
        folder = None
        outputs = []
        for source, target in staged:
            if target.parent.name != item.loaded.id:
                continue
            folder = target.parent
            if source.suffix == ".docx":
                reproducible.normalise_docx(source, origin.when)
            elif source.suffix == ".pdf":
                reproducible.normalise_pdf(source, origin.when)
            outputs.append((target.name, source))
        if folder is None:
            continue
        kinds = [d.kind for d in item.documents]
        path = staging / f"{item.loaded.id}--{manifest.NAME}"
        manifest.write(path, origin, manifest.inputs(item.loaded.path, templates, kinds,
                                                     item.loaded.case.language),
                       outputs, final)
        manifests.append((path, folder / manifest.NAME))
    return manifests


def _commit(staged: list[tuple[Path, Path]]) -> list[Path]:
    """Move staged files into place; os.replace is atomic within one file system."""
    written = []
    for source, target in staged:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
        except OSError as exc:
            raise OutputError(f"{target}: cannot write ({exc.strerror}); "
                              "hint: close the file if it is open in Word, and check "
                              "permissions") from None
        written.append(target)
    return written
