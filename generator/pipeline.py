"""The build: cases checked, composed, written to Word, converted, then moved into place at once."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import rules, state
from .case import LoadedCase, load_case
from .compose import compose
from .document import Document
from .errors import CaseError, ConversionError, OutputError, Problem
from .project import shown

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
            checked.append(Checked(loaded, compose(loaded, templates), loaded.warnings))
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


class Progress:
    """Progress of a build, one line per document: "[3/9] Word  case/document.docx"."""

    def __init__(self, total: int, report: Report = print):
        self.total = total
        self.report = report
        self.counts = {"Word": 0, "PDF": 0}

    def step(self, phase: str, name: str) -> None:
        """A document finished a phase: "Word" (rendered) or "PDF" (converted)."""
        self.counts[phase] += 1
        self.report(f"[{self.counts[phase]}/{self.total}] {phase:<5} {name}")

    def close(self) -> None:
        pass


@dataclass
class _Job:
    """One document to build: where it is staged, where it goes, and its inputs' hash."""

    case_id: str
    document: Document
    key: str
    docx: Path  # staged
    pdf: Path  # staged

    @property
    def name(self) -> str:
        return f"{self.case_id}/{self.document.file_stem}"

    def targets(self, out: Path) -> list[tuple[Path, Path]]:
        final = out / self.case_id / self.document.file_stem
        return [(self.docx, final.with_suffix(".docx")), (self.pdf, final.with_suffix(".pdf"))]


def build(checked: list[Checked], templates: Path, out: Path, report: Report = print,
          verbose: bool = False, jobs: int | None = None, force: bool = False,
          progress: Callable[[int], Progress] | None = None) -> list[Path]:
    """Write every document to .docx and .pdf under out/<case-id>/; return the files written.

    A document whose inputs are unchanged since it was built is skipped ("up to date")
    unless `force`. Everything else is produced in a staging folder inside `out` first, and
    moved into place only when the whole build succeeded, so a failed build leaves earlier
    outputs untouched. `jobs` LibreOffice workers convert (default: one per core).
    """
    # Imported here so `samdok check` and `--help` never load the Word and PDF stacks.
    from .convert import find_soffice, to_pdf
    from .docx_writer import write_docx

    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".samdok-", dir=out))
    except OSError as exc:
        raise OutputError(f"{out}: cannot write the output folder ({exc.strerror}); "
                          "hint: check the path and its permissions, or use -o") from None
    try:
        soffice: str | None = None
        missing: ConversionError | None = None
        try:
            soffice = find_soffice()
        except ConversionError as exc:
            missing = exc  # only an error when something needs converting
        fingerprint = state.build_fingerprint(templates, state.converter_identity(soffice), {})
        plan, states = _plan(checked, out, staging, fingerprint, force, report)
        if not plan:
            return []
        if missing:
            raise missing
        steps = (progress or (lambda total: Progress(total, report)))(len(plan))
        try:
            for job in plan:
                write_docx(job.document, templates, job.docx)
                steps.step("Word", f"{job.name}.docx")
            by_pdf = {job.pdf: job for job in plan}
            to_pdf([job.docx for job in plan], staging, verbose=verbose, jobs=jobs,
                   on_done=lambda pdf: steps.step("PDF", f"{by_pdf[pdf].name}.pdf"))
        finally:
            steps.close()
        return _commit(plan, out, states)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _plan(checked: list[Checked], out: Path, staging: Path, fingerprint: str, force: bool,
          report: Report) -> tuple[list[_Job], dict[str, state.CaseState]]:
    """The documents that need building, and the state of every case folder involved."""
    plan: list[_Job] = []
    states: dict[str, state.CaseState] = {}
    for item in checked:
        case_id = item.loaded.id
        states[case_id] = recorded = state.CaseState.load(out / case_id)
        current = 0
        for document in item.documents:
            key = state.document_key(fingerprint, item.loaded.path, document.kind,
                                     document.file_stem)
            stem = document.file_stem
            if not force and all(recorded.current(f"{stem}{suffix}", key)
                                 for suffix in (".docx", ".pdf")):
                current += 1
                continue
            # Distinct names in one folder: LibreOffice workers share it.
            staged = staging / f"{case_id}--{stem}"
            plan.append(_Job(case_id, document, key, staged.with_suffix(".docx"),
                             staged.with_suffix(".pdf")))
        if current:
            report(f"up to date  {case_id}/ ({current} of {len(item.documents)} "
                   "document(s); --force rebuilds)")
    return plan, states


def _commit(plan: list[_Job], out: Path, states: dict[str, state.CaseState]) -> list[Path]:
    """Move staged files into place, then record them; os.replace is atomic in one file system.

    The state is written last, so it never claims an output that is not in place.
    """
    written = []
    for job in plan:
        for source, target in job.targets(out):
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, target)
            except OSError as exc:
                raise OutputError(f"{target}: cannot write ({exc.strerror}); "
                                  "hint: close the file if it is open in Word, and check "
                                  "permissions") from None
            written.append(target)
            states[job.case_id].record(target.name, job.key)
    for case_id in dict.fromkeys(job.case_id for job in plan):
        try:
            states[case_id].save()
        except OSError as exc:
            raise OutputError(f"{out / case_id}: cannot record the build state "
                              f"({exc.strerror}); hint: check permissions") from None
    return written
