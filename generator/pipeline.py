"""The build: cases checked, composed, written to Word, converted, then moved into place at once."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import drafts, manifest, reproducible, rules, state
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
            documents = compose(loaded, templates)
            for document in documents:
                check_template(templates / f"{document.kind}.docx", document)
            checked.append(Checked(loaded, documents, loaded.warnings))
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
          verbose: bool = False, final: bool = False, jobs: int | None = None,
          force: bool = False, progress: Callable[[int], Progress] | None = None,
          recorded: state.BuildState | None = None) -> list[Path]:
    """Write every document to .docx and .pdf under out/<case-id>/; return the files written.

    A case whose inputs are unchanged since it was built (see state.py) is skipped as up to
    date, unless `force`. Everything else is produced in a staging folder inside `out` first,
    and moved into place only when the whole build succeeded, so a failed build leaves
    earlier outputs untouched. `jobs` LibreOffice workers convert (default: one per core).
    Drafts get the draft stamp and watermark; final=True refuses (CaseError, nothing written)
    unless every case is marked final and committed, and then leaves both out.
    """
    # Imported here so `samdok check` and `--help` never load the Word and PDF stacks.
    from .convert import find_soffice, to_pdf
    from .docx_writer import write_docx

    if final:
        check_final(checked, templates)
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".samdok-", dir=out))
    except OSError as exc:
        raise OutputError(f"{out}: cannot write the output folder ({exc.strerror}); "
                          "hint: check the path and its permissions, or use -o") from None
    try:
        recorded = recorded or state.BuildState(out, templates, {"final": str(final)})
        plan = _plan(checked, staging, recorded, force, report)
        if not plan:
            return []
        find_soffice()  # LibreOffice missing: say so before rendering anything
        origins = {job.item.loaded.id: drafts.provenance(job.item.loaded.path) for job in plan}
        steps = (progress or (lambda total: Progress(total, report)))(len(plan))
        try:
            # An agreement is rendered once, then attached to every council's submission;
            # keyed by the composed document, which a submission's attachment refers to.
            rendered: dict[int, Path] = {}
            for job in plan:
                document = (drafts.as_final(job.document) if final else
                            drafts.as_draft(job.document, origins[job.item.loaded.id]))
                write_docx(document, templates, job.docx, rendered)
                rendered[id(job.document)] = job.docx
                steps.step("Word", f"{job.name}.docx")
            by_pdf = {job.pdf: job for job in plan}
            to_pdf([job.docx for job in plan], staging, verbose=verbose, jobs=jobs,
                   on_done=lambda pdf: steps.step("PDF", f"{by_pdf[pdf].name}.pdf"))
        finally:
            steps.close()
        manifests = _pin_and_record(plan, origins, staging, templates, final)
        return _commit(plan, out, recorded, manifests)
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


def _pin_and_record(plan: list[_Job], origins: dict[str, drafts.Provenance], staging: Path,
                    templates: Path, final: bool) -> list[tuple[Path, Path]]:
    """The reproducibility hook after conversion: pin every date in the staged .docx and PDF
    files to the case's fixed date, then write each case's manifest.json beside them.
    Returns (staged manifest, its place) for each case."""
    manifests = []
    for item in {id(job.item): job.item for job in plan}.values():
        origin = origins[item.loaded.id]
        outputs = []
        for job in (job for job in plan if job.item is item):
            reproducible.normalise_docx(job.docx, origin.when)
            reproducible.normalise_pdf(job.pdf, origin.when)
            outputs += [(f"{job.document.file_stem}.docx", job.docx),
                        (f"{job.document.file_stem}.pdf", job.pdf)]
        kinds = [d.kind for d in item.documents]
        path = staging / f"{item.loaded.id}--{manifest.NAME}"
        manifest.write(path, origin, manifest.inputs(item.loaded.path, templates, kinds,
                                                     item.loaded.case.language),
                       outputs, final)
        manifests.append((path, Path(item.loaded.id) / manifest.NAME))
    return manifests


def _plan(checked: list[Checked], staging: Path, recorded: state.BuildState, force: bool,
          report: Report) -> list[_Job]:
    """The documents that need building; the others are reported as up to date.

    A case is built whole or not at all, so its manifest always lists every output.
    """
    plan: list[_Job] = []
    for item in checked:
        case_id = item.loaded.id
        if not force and all(recorded.current_document(item.loaded.path, case_id,
                                                       _outputs(document))
                             for document in item.documents):
            report(state.up_to_date(case_id, len(item.documents)))
            continue
        for document in item.documents:
            # Distinct names in one folder: LibreOffice workers share it.
            staged = staging / f"{case_id}--{document.file_stem}"
            plan.append(_Job(item, document, staged.with_suffix(".docx"),
                             staged.with_suffix(".pdf")))
    return plan


def _commit(plan: list[_Job], out: Path, recorded: state.BuildState,
            manifests: list[tuple[Path, Path]]) -> list[Path]:
    """Move staged files into place, then record them; os.replace is atomic in one file system.

    The state is written last, so it never claims an output that is not in place.
    """
    written = []
    moves = [pair for job in plan for pair in job.targets(out)]
    moves += [(source, out / target) for source, target in manifests]
    for source, target in moves:
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
