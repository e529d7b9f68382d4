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
from .errors import CaseError, OutputError, Problem
from .project import shown

Report = Callable[[str], None]


@dataclass
class Checked:
    """A case that passed validation and the compliance rules, with its document models."""

    loaded: LoadedCase
    documents: list[Document]
    warnings: list[Problem]


def check_cases(paths: list[Path], templates: Path, strict: bool = False,
                warn: Report = print, taken: dict[str, Path] | None = None) -> list[Checked]:
    """Load, validate, apply the rules and compose every case; all problems in one CaseError.

    Warnings (unknown keys) go to `warn`; with strict=True they are errors. `taken` holds the
    ids of cases that are part of the build without being checked again (up to date).
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
    ids: dict[str, Path] = dict(taken or {})
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
    """One document to build: where it is staged and where it goes."""

    item: Checked
    document: Document
    docx: Path  # staged
    pdf: Path  # staged

    @property
    def name(self) -> str:
        return f"{self.item.loaded.id}/{self.document.file_stem}"

    def targets(self, out: Path) -> list[tuple[Path, Path]]:
        final = out / self.item.loaded.id / self.document.file_stem
        return [(self.docx, final.with_suffix(".docx")), (self.pdf, final.with_suffix(".pdf"))]


def _outputs(document: Document) -> list[str]:
    """The files a document becomes, inside its case folder."""
    return [f"{document.file_stem}.docx", f"{document.file_stem}.pdf"]


def build(checked: list[Checked], templates: Path, out: Path, report: Report = print,
          verbose: bool = False, jobs: int | None = None, force: bool = False,
          progress: Callable[[int], Progress] | None = None,
          recorded: state.BuildState | None = None) -> list[Path]:
    """Write every document to .docx and .pdf under out/<case-id>/; return the files written.

    A document whose inputs are unchanged since it was built (see state.py) is skipped as
    up to date, unless `force`. Everything else is produced in a staging folder inside `out`
    first, and moved into place only when the whole build succeeded, so a failed build leaves
    earlier outputs untouched. `jobs` LibreOffice workers convert (default: one per core).
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
        recorded = recorded or state.BuildState(out, templates)
        plan = _plan(checked, staging, recorded, force, report)
        if not plan:
            return []
        find_soffice()  # LibreOffice missing: say so before rendering anything
        steps = (progress or (lambda total: Progress(total, report)))(len(plan))
        try:
            rendered: dict[int, Path] = {}  # an agreement is rendered once, then attached
            for job in plan:
                write_docx(job.document, templates, job.docx, rendered)
                rendered[id(job.document)] = job.docx
                steps.step("Word", f"{job.name}.docx")
            by_pdf = {job.pdf: job for job in plan}
            to_pdf([job.docx for job in plan], staging, verbose=verbose, jobs=jobs,
                   on_done=lambda pdf: steps.step("PDF", f"{by_pdf[pdf].name}.pdf"))
        finally:
            steps.close()
        return _commit(plan, out, recorded)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _plan(checked: list[Checked], staging: Path, recorded: state.BuildState, force: bool,
          report: Report) -> list[_Job]:
    """The documents that need building; the others are reported as up to date."""
    plan: list[_Job] = []
    for item in checked:
        case_id = item.loaded.id
        current = 0
        for document in item.documents:
            if not force and recorded.current_document(item.loaded.path, case_id,
                                                       _outputs(document)):
                current += 1
                continue
            # Distinct names in one folder: LibreOffice workers share it.
            staged = staging / f"{case_id}--{document.file_stem}"
            plan.append(_Job(item, document, staged.with_suffix(".docx"),
                             staged.with_suffix(".pdf")))
        if current:
            report(state.up_to_date(case_id, current))
    return plan


def _commit(plan: list[_Job], out: Path, recorded: state.BuildState) -> list[Path]:
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
    for item in {id(job.item): job.item for job in plan}.values():
        recorded.record(item.loaded.path, item.loaded.id, len(item.warnings),
                        [name for document in item.documents for name in _outputs(document)])
    try:
        recorded.save()
    except OSError as exc:
        raise OutputError(f"{out}: cannot record the build state ({exc.strerror}); "
                          "hint: check permissions") from None
    return written
