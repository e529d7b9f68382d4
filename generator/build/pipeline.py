"""The build: cases checked, composed, written to Word, converted, then moved into place at once."""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ..base import files, interrupts, reproducible
from ..base.project import shown
from ..compose import drafts
from ..compose.document import Document
from ..compose.enrich import compose
from ..errors import CaseError, OutputError, Problem
from ..model import decisions, rules, starter
from ..model.case import LoadedCase, explain_missing, in_file_order, load_case
from ..model.norsk import LANGUAGE_TAGS
from ..pdf import foresee
from ..word.templatecheck import check_template
from . import leftovers, manifest, state

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

    Warnings (unknown keys, the starter's placeholders in a draft) go to `warn`; with
    strict=True they are errors. A case marked final that still holds a starter placeholder
    fails, and so does a clause text that drops a phrase `samdok verify` requires. `taken`
    holds the ids of cases that are part of the build without being checked again.
    """
    problems: list[Problem] = []
    checked: list[Checked] = []
    for path in paths:
        try:
            loaded = load_case(path, shown(path))
            left = starter.leftovers(loaded.source, final=loaded.case.status == "endelig")
            warnings = loaded.warnings + [p for p in left if p.severity == "warning"]
            unmet = rules.check(loaded) + [p for p in left if p.severity == "error"]
            if unmet or (strict and warnings):
                # The warnings go with the errors, even without --strict: an unknown key
                # is often why a required one is missing.
                problems += in_file_order(explain_missing(unmet + warnings))
                continue
            for warning in warnings:
                warn(str(warning))
            documents = compose(loaded, templates)
            unsaid = foresee.unshown(loaded, documents)
            if unsaid:
                problems += unsaid
                continue
            for document in documents:
                check_template(templates / f"{document.kind}.docx", document)
            checked.append(Checked(loaded, documents, warnings))
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


def build(checked: list[Checked], templates: Path, out: Path, report: Report = print,
          verbose: bool = False, final: bool = False, jobs: int | None = None,
          force: bool = False, progress: Callable[[int], Progress] | None = None,
          recorded: state.BuildState | None = None) -> list[Path]:
    """Write every document to .docx and .pdf under out/<case-id>/; return the files written.

    A case whose inputs are unchanged since it was built (see state.py) is skipped as up to
    date, unless `force`. Everything else is produced in a staging folder inside `out` first,
    and moved into place only when the whole build succeeded, so a failed build leaves
    earlier outputs untouched. `jobs` processes write the Word files and `jobs` LibreOffice
    workers convert (default: one per core).
    Drafts get the draft stamp and watermark; final=True refuses (CaseError, nothing written)
    unless every case is marked final and committed, and then leaves both out.
    """
    # Imported here so `samdok check` and `--help` never load the Word and PDF stacks.
    from ..base.lifeline import Lifeline
    from ..pdf.accept import Asked
    from ..pdf.convert import (
        DiskFull,
        default_jobs,
        disk_full,
        disk_full_error,
        find_soffice,
        to_pdf,
    )
    from ..word.render_pool import write_all

    if final:
        check_final(checked, templates)
    recorded = recorded or state.BuildState(out, templates, final)
    todo = []
    for item in checked:
        if not force and recorded.outputs_current(item.loaded.path, item.loaded.id,
                                                  _made(item)):
            report(state.up_to_date(item.loaded.id, len(item.documents)))
        else:
            todo.append(item)
    if not todo:
        return []
    # Links or strangers in place of the output folder, a case folder, the lock or the state
    # file are refused before anything is rendered.
    files.check_output(out, [item.loaded.id for item in todo], [LOCK_FILE, state.STATE_FILE])
    find_soffice()  # LibreOffice missing: say so before rendering anything
    origins = {item.loaded.id: drafts.provenance(item.loaded.path) for item in todo}
    # What each case is made from, read now, before rendering: the manifest and the state
    # record the same (an edit during the build shows as a change at the next build).
    sources = {item.loaded.id: recorded.sources(item.loaded.path) for item in todo}
    # Held: a signal between making the staging folder and the try below would leave it.
    with interrupts.held():
        try:
            out.mkdir(parents=True, exist_ok=True)
            lock = _lock(out)
            # mkdtemp makes a new folder (mode 0700) and fails on any name taken, a link too.
            staging = Path(tempfile.mkdtemp(prefix=".samdok-", dir=out))
        except OSError as exc:
            raise OutputError(f"{out}: cannot write the output folder ({exc.strerror})",
                              hint="check the path and its permissions, or use -o") from None
        try:
            # The build's temporary folder, and a watchdog that removes it and the staging
            # folder, and kills the converters, if this process is killed.
            lifeline = Lifeline()
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            lock.close()
            raise
        lifeline.remove(staging)
    try:
        staged: list[tuple[Path, Path]] = []  # (staged file, final place)
        names: dict[str, str] = {}  # staged file stem -> case-id/document, for progress
        asked: dict[Path, Asked] = {}  # staged .docx -> what its PDF must say of itself
        steps = (progress or (lambda total: Progress(total, report)))(
            sum(len(item.documents) for item in todo))
        try:
            pdfs: dict[int, Path] = {}  # id() of a document model -> its staged PDF
            work: list[tuple[Document, Path, dt.datetime]] = []
            for item in todo:
                for document in item.documents:
                    # Distinct names in one folder: the LibreOffice workers share it.
                    stem = f"{item.loaded.id}--{document.file_stem}"
                    docx, pdf = staging / f"{stem}.docx", staging / f"{stem}.pdf"
                    origin = origins[item.loaded.id]
                    shaped = (drafts.as_final(document) if final
                              else drafts.as_draft(document, origin))
                    work.append((shaped, docx, origin.when))
                    asked[docx] = Asked(shaped.title, LANGUAGE_TAGS[shaped.language])
                    names[stem] = f"{item.loaded.id}/{document.file_stem}"
                    pdfs[id(document)] = pdf
                    target = out / item.loaded.id / document.file_stem
                    staged += [(docx, target.with_suffix(".docx")),
                               (pdf, target.with_suffix(".pdf"))]
            for index in write_all(work, templates, jobs or default_jobs()):
                steps.step("Word", f"{names[work[index][1].stem]}.docx")
            finisher = _Finisher(_attached(todo, pdfs, origins), names, steps)
            try:
                to_pdf([docx for _, docx, _ in work], staging, verbose=verbose, jobs=jobs,
                       on_done=finisher, asked=asked, lifeline=lifeline)
            finally:
                finisher.close()
        finally:
            steps.close()
        staged += _pin_and_record(todo, origins, staged, staging, templates, final,
                                  pinned=finisher.pinned, sources=sources)
        # What the previous build of a case made and this one does not (a notice the
        # councils' decisions no longer allow, a council taken out) goes with the commit:
        # left in place, it could be sent as if it were current. Read under the build lock.
        dropped = [path for item in todo
                   for path in leftovers.removable(out / item.loaded.id, _made(item))]
        # Held: the outputs are replaced and recorded as one step, not cut short half way.
        with interrupts.held():
            written = _commit(staged, out, dropped)
            _remember(todo, written, out, recorded)
        return written
    except Exception as exc:
        # A full disk shows as ENOSPC from a write here or in a worker, or as a PDF library
        # failing to write; either way it is said as it is.
        if (isinstance(exc, DiskFull) or (isinstance(exc, OSError) and exc.errno == errno.ENOSPC)
                or (isinstance(exc, OSError) or type(exc).__module__.startswith("pikepdf"))
                and disk_full(out)):
            raise disk_full_error(out) from None
        raise
    finally:
        with interrupts.held():
            shutil.rmtree(staging, ignore_errors=True)
            lifeline.close()
            lock.close()


LOCK_FILE = ".samdok.lock"


def _made(item: Checked) -> set[str]:
    """The names of the files a build of the case makes in its folder."""
    return {f"{document.file_stem}{suffix}" for document in item.documents
            for suffix in (".docx", ".pdf")} | {manifest.NAME}


def _lock(out: Path):
    """Hold the output folder for this build: two builds into one folder at once would move
    their files over each other's. The lock goes with the process, even when it is killed."""
    handle = os.fdopen(files.open_regular(  # held until closed; never through a link
        out / LOCK_FILE, os.O_RDWR | os.O_CREAT, "samdok's lock file",
        f"remove {out / LOCK_FILE}; samdok makes it again"), "a+", encoding="utf-8")
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; builds there are not run side by side
        return handle
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise OutputError(f"{out}: another samdok build is writing to this folder", hint="wait "
                          "for it to finish, or build into another folder with -o") from None
    return handle


class _Attached(NamedTuple):
    """The PDFs to append to a document's PDF, and the case's fixed date to pin it to."""

    pdfs: list[Path]
    when: dt.datetime


def _attached(todo: list[Checked], pdfs: dict[int, Path],
              origins: dict[str, drafts.Provenance]) -> dict[Path, _Attached]:
    """The staged PDF of each document with attachments -> what to append to it. An attached
    document is always one of the case's own outputs (compose puts the agreement first), so
    its PDF is converted in the build."""
    return {pdfs[id(document)]: _Attached([pdfs[id(a)] for a in document.attachments],
                                          origins[item.loaded.id].when)
            for item in todo for document in item.documents if document.attachments}


class _Finisher:
    """What happens to each PDF LibreOffice finishes, while the workers go on converting.

    An attachment (the agreement, converted once for the build) has its dates pinned at
    once, as its bytes begin every PDF it is appended to. A PDF with attachments waits until
    they are converted too, then has them appended and its dates pinned. Then the PDF is
    reported done."""

    def __init__(self, attached: dict[Path, _Attached], names: dict[str, str],
                 steps: Progress):
        self.attached = attached
        self.names = names
        self.steps = steps
        self.when = {pdf: entry.when for entry in attached.values() for pdf in entry.pdfs}
        self.opened: dict = {}  # attachment PDF -> pdf.attach.Attachment, pinned, read once
        self.waiting: list[Path] = []
        self.pinned: set[Path] = set()  # PDFs whose dates are pinned already

    def __call__(self, pdf: Path) -> None:
        from ..pdf.attach import Attachment, append

        if pdf in self.when:
            self.opened[pdf] = Attachment(pdf, self.when[pdf])
            self.pinned.add(pdf)
        self.waiting.append(pdf)
        for ready in [p for p in self.waiting if p not in self.attached
                      or all(a in self.opened for a in self.attached[p].pdfs)]:
            self.waiting.remove(ready)
            if ready in self.attached:
                entry = self.attached[ready]
                for number, attachment in enumerate(entry.pdfs, start=1):
                    append(ready, self.opened[attachment], entry.when, number)
                self.pinned.add(ready)
            self.steps.step("PDF", f"{self.names[ready.stem]}.pdf")

    def close(self) -> None:
        for attachment in self.opened.values():
            attachment.close()


def _remember(todo: list[Checked], written: list[Path], out: Path,
              recorded: state.BuildState) -> None:
    """Record what the cases built now were made from; written last, so the state never
    claims an output that is not in place."""
    for item in todo:
        folder = out / item.loaded.id
        names = [path.name for path in written if path.parent == folder]
        recorded.record(item.loaded.path, item.loaded.id, len(item.warnings),
                        len(item.documents), names)
    try:
        recorded.save()
    except OSError as exc:
        raise OutputError(f"{out}: cannot record the build state ({exc.strerror})",
                          hint="check permissions") from None


def check_final(checked: list[Checked], templates: Path) -> None:
    """A final build needs every case marked final, no uncommitted changes to it or to the
    templates, and every council's adoption of the same text where the case records its
    councils; otherwise a CaseError lists every reason, before anything is written."""
    problems = [problem for item in checked
                for problem in drafts.final_problems(item.loaded.path, item.loaded.case.status,
                                                     templates)
                + decisions.final_problems(item.loaded)]
    if problems:
        raise CaseError(problems)


def _pin_and_record(checked: list[Checked], origins: dict[str, drafts.Provenance],
                    staged: list[tuple[Path, Path]], staging: Path, templates: Path,
                    final: bool, pinned: set[Path],
                    sources: dict[str, dict[str, str]]) -> list[tuple[Path, Path]]:
    """The reproducibility hook after conversion: pin every date in the staged PDFs to the
    case's fixed date (except those in `pinned`, pinned as they were converted; the .docx
    files were pinned as they were written), then write each case's manifest.json beside
    them."""
    manifests = []
    for item in checked:
        origin = origins[item.loaded.id]
        folder = None
        outputs = []
        for source, target in staged:
            if target.parent.name != item.loaded.id:
                continue
            folder = target.parent
            if source.suffix == ".pdf" and source not in pinned:
                reproducible.normalise_pdf(source, origin.when)
            outputs.append((target.name, source))
        if folder is None:
            continue
        kinds = [d.kind for d in item.documents]
        path = staging / f"{item.loaded.id}--{manifest.NAME}"
        manifest.write(path, origin, manifest.inputs(item.loaded.path, templates, kinds,
                                                     item.loaded.case.language),
                       outputs, final, sources[item.loaded.id])
        manifests.append((path, folder / manifest.NAME))
    return manifests


def _commit(staged: list[tuple[Path, Path]], out: Path,
            dropped: list[Path] | tuple[()] = ()) -> list[Path]:
    """Move the staged files into place and the `dropped` earlier outputs away, all of it or
    none of it.

    Every target is checked first (a folder where a file goes is never replaced); then each
    earlier output is set aside in a folder of its own inside `out`, and only when all of
    them could be moved (a PDF held open by a viewer on Windows cannot) are the new files
    moved in. A failure puts back what was set aside. os.replace is atomic within one file
    system, and `out` holds the staging folder, the outputs and the set-aside folder.
    """
    for _, target in staged:
        if target.is_dir() and not target.is_symlink():
            raise OutputError(f"{target}: cannot write: a folder is in the way; no output was "
                              "replaced", hint="move the folder away and build again")
    try:
        aside_folder = Path(tempfile.mkdtemp(prefix=".samdok-earlier-", dir=out))
    except OSError as exc:
        raise OutputError(f"{out}: cannot write ({exc.strerror}); no output was replaced",
                          hint="check the free space and permissions of the output folder"
                          ) from None
    made: list[Path] = []  # case folders made here
    aside: list[tuple[Path, Path]] = []  # (target, where its earlier file waits)
    placed: list[Path] = []
    target = out
    try:
        for number, (_, target) in enumerate(staged):
            if not target.parent.is_dir():
                target.parent.mkdir(parents=True)
                made.append(target.parent)
            if os.path.lexists(target):
                kept = aside_folder / str(number)
                os.replace(target, kept)
                aside.append((target, kept))
        for number, target in enumerate(dropped):
            # os.replace moves a name, never what a link points to; the folder holding what
            # was set aside is removed when the new files are in place.
            kept = aside_folder / f"dropped-{number}"
            os.replace(target, kept)
            aside.append((target, kept))
        for source, target in staged:
            os.replace(source, target)
            placed.append(target)
    except OSError as exc:
        if _put_back(placed, aside, made):
            shutil.rmtree(aside_folder, ignore_errors=True)
            raise OutputError(f"{target}: cannot write ({exc.strerror}); no output was "
                              "replaced", hint="close the file if it is open in Word or a PDF "
                              "viewer, and check permissions") from None
        raise OutputError(f"{target}: cannot write ({exc.strerror}); the earlier outputs "
                          f"could not all be put back: they are in {aside_folder}",
                          hint="move them back by hand (the file names are in the error above "
                          "and in manifest.json), then build again") from None
    shutil.rmtree(aside_folder, ignore_errors=True)
    return placed


def _put_back(placed: list[Path], aside: list[tuple[Path, Path]], made: list[Path]) -> bool:
    """Undo a commit that failed half way; True when everything is as it was."""
    whole = True
    for target in placed:
        try:
            target.unlink()
        except OSError:
            whole = False
    for target, kept in reversed(aside):
        try:
            os.replace(kept, target)
        except OSError:
            whole = False
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:
            pass
    return whole
