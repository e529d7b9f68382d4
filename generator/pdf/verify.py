"""Round trip: read a built PDF back and prove each required clause is there, with substance."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..base.pool import forked_map
from ..compose.document import Document
from ..model import rules
from .reading import (
    DEFAULT_MARGINS,
    MARGIN_SLACK,
    Reading,
    Unreadable,
    normalise,
    with_pdfium,
    with_pdfplumber,
)

__all__ = ["DEFAULT_MARGINS", "MARGIN_SLACK", "Finding", "normalise", "pdf_text", "read_pdf",
           "required_phrases", "verify_document", "verify_documents"]


@dataclass(frozen=True)
class Finding:
    """One thing the model requires that the PDF does not show."""

    document: Path
    clause: str
    message: str

    def __str__(self) -> str:
        return f"{self.document}: clause '{self.clause}': {self.message}"


@dataclass(frozen=True)
class PropertyFinding(Finding):
    """An archive or accessibility property the PDF lacks (see pdfa.check); `clause` names it."""

    def __str__(self) -> str:
        return f"{self.document}: {self.clause}: {self.message}"


@dataclass(frozen=True)
class FileFinding(Finding):
    """Something about the file as a whole (not built, changed since, not what it holds)."""

    def __str__(self) -> str:
        return f"{self.document}: {self.message}"


def body_margins(docx: Path) -> tuple[float, float]:
    """Top and bottom page margins (points) of the built Word file: the header and footer lie
    outside them, so cropping there leaves only the body text."""
    if not docx.is_file():
        return DEFAULT_MARGINS
    from docx import Document as WordDocument

    section = WordDocument(str(docx)).sections[0]
    return section.top_margin.pt, section.bottom_margin.pt


def pdf_text(pdf: Path, margins: tuple[float, float] = DEFAULT_MARGINS) -> str:
    """The body text of every page, header and footer cropped, whitespace normalised."""
    return with_pdfplumber(pdf, margins).text


def read_pdf(pdf: Path, margins: tuple[float, float] = DEFAULT_MARGINS,
             pages: int | None = None) -> list[Reading]:
    """The readings verify judges the pages by (every page, or the first `pages`), the first
    one's characters for the archive checks; each page is parsed once for both.

    A whole document (read once per build) is read by pdfplumber and by pdfium, and what each
    finds is compared. A document's own pages in front of an attachment (one per council:
    hundreds in a build) are read by pdfium alone, a few milliseconds a page where pdfplumber
    takes 0.1 s; and by pdfplumber as well where they carry /ActualText that pdfium would read
    instead of the glyphs drawn (the one way known here that it sees text pdfplumber does not).
    """
    fast, replaced = with_pdfium(pdf, margins, pages)
    if pages is None or replaced:
        return [with_pdfplumber(pdf, margins, pages), fast]
    return [fast]


def verify_document(document: Document, form: str, pdf: Path, docx: Path,
                    hint: str = "samdok build") -> list[Finding]:
    """Each required clause's heading and evidence, in that clause's part of the PDF; then the
    same for every attached document (the agreement behind a case submission), after it."""
    if not pdf.is_file():
        return [FileFinding(pdf, "-", f"not built yet; hint: {hint}")]
    return _whole(document, form, pdf, body_margins(docx), hint)


def _whole(document: Document, form: str, pdf: Path, margins: tuple[float, float],
           hint: str = "samdok build") -> list[Finding]:
    try:
        readings = read_pdf(pdf, margins)
    except Unreadable as exc:
        return [FileFinding(pdf, "-", f"cannot be read ({exc}); hint: {hint}")]
    return (_judged(document, form, pdf, readings, False)
            + _properties(document, pdf, readings[0].chars))


def _judged(document: Document, form: str, pdf: Path, readings: list[Reading],
            attached: bool) -> list[Finding]:
    """What each reading lacks; where the readings disagree, each thing only one of them lacks
    too, saying so: the PDF's text reads differently in different readers, so verify cannot
    be sure what its pages show."""
    verdicts = [_check(document, form, pdf, r.text, 0, attached=attached) for r in readings]
    findings: list[Finding] = []
    for verdict in verdicts:
        findings += [f for f in verdict if f not in findings]
    if len(readings) < 2:
        return findings
    for index, finding in enumerate(findings):
        missed = [r.reader for r, v in zip(readings, verdicts, strict=True) if finding in v]
        if len(missed) < len(readings):
            read = [r.reader for r in readings if r.reader not in missed]
            findings[index] = Finding(
                finding.document, finding.clause,
                f"{finding.message} by {', '.join(missed)}, though {', '.join(read)} finds "
                "it: the text reads differently in different PDF readers, so verify cannot "
                "be sure what the page shows")
    return findings


def _properties(document: Document, pdf: Path, chars: list[list[dict]],
                pages: int | None = None) -> list[Finding]:
    # Every PDF is for the archive as well: PDF/A-2b, tagged, its language and title, fonts.
    from ..word.writer import LANGUAGE_TAGS
    from . import archive as pdfa

    return [PropertyFinding(pdf, failure.property, failure.message) for failure in
            pdfa.check(pdf, LANGUAGE_TAGS[document.language], document.title, pages, chars)]


def verify_documents(documents: list[Document], form: str, folder: Path,
                     hint: str = "samdok build",
                     jobs: int = 1) -> Iterator[tuple[Path, list[Finding]]]:
    """Each document's PDF in `folder` with what it lacks, in order.

    A document attached to others (the agreement behind every council's case submission) is
    read once, as its own PDF. In a PDF it is attached to, it is recognised instead of read
    again: that PDF must begin with its bytes, and be followed by an update (as the build
    writes it, pdf_attach.py) that leaves its pages as they are; only the document's own
    pages are read, with pdfium (read_pdf), by `jobs` forked processes when there are many.
    Reading the agreement again in each of 357 councils' PDFs took 15 s a council; reading a
    council's own pages with pdfplumber 0.3 s, with pdfium a few hundredths.
    """
    attached = {id(a) for document in documents for a in document.attachments}
    bases: dict[int, _Base] = {}
    margins: dict[str, tuple[float, float]] = {}
    results: dict[int, list[Finding]] = {}
    later: list[tuple[Document, Path, tuple[float, float], list[_Base]]] = []
    for index, document in enumerate(documents):
        pdf = folder / f"{document.file_stem}.pdf"
        if not pdf.is_file():
            results[index] = [FileFinding(pdf, "-", f"not built yet; hint: {hint}")]
            continue
        # Every copy of a kind comes from one template: its margins are read once.
        if document.kind not in margins:
            margins[document.kind] = body_margins(folder / f"{document.file_stem}.docx")
        if document.attachments and all(id(a) in bases for a in document.attachments):
            later.append((document, pdf, margins[document.kind],
                          [bases[id(a)] for a in document.attachments]))
            continue
        results[index] = _whole(document, form, pdf, margins[document.kind], hint)
        if id(document) in attached:
            bases[id(document)] = _Base(pdf, document.title, not results[index])
    # The agreement's characters and pages are freed before the workers fork (base/pool.py).
    done = iter(forked_map(
        lambda item: _verify_attached(item[0], form, *item[1:], hint), later, jobs,
        "a process reading the PDFs was killed (by the system when memory ran out, or by a "
        "kill); hint: verify again"))
    for index, document in enumerate(documents):
        pdf = folder / f"{document.file_stem}.pdf"
        yield pdf, results[index] if index in results else next(done)


# Keys that lead from a page to the rest of the document, not to what the page shows.
BACK_LINKS = frozenset({"/Parent", "/P", "/StructParents", "/StructParent", "/Dest", "/A",
                        "/B", "/Next", "/Prev", "/First", "/Last"})
# An update samdok's build writes holds plain objects and a cross-reference table; object
# and cross-reference streams could redefine objects where the checks below do not look.
STREAM_KINDS = re.compile(rb"/ObjStm|/XRef|/XRefStm")
OBJECT = re.compile(rb"(?<![0-9])(\d+)\s+(\d+)\s+obj\b")


class _Base:
    """An attached document's PDF, read once: its bytes, its pages, and the objects they
    show (their contents, resources, fonts, annotations)."""

    def __init__(self, pdf: Path, title: str, ok: bool):
        import pikepdf

        self.path, self.title, self.ok = pdf, title, ok
        self.data = pdf.read_bytes()
        try:
            with pikepdf.open(io.BytesIO(self.data)) as whole:
                self.pages = [page.obj.objgen for page in whole.pages]
                self.shown = _shown_objects(whole)
        except (pikepdf.PdfError, ValueError, KeyError, TypeError, AttributeError):
            self.pages, self.shown = [], set()


def _shown_objects(pdf) -> set[int]:
    """The numbers of the objects a viewer draws the pages from (pages, contents, resources,
    fonts, forms, images, annotations), not the document's other objects."""
    import pikepdf

    seen: set[int] = set()
    stack = [page.obj for page in pdf.pages]
    while stack:
        obj = stack.pop()
        if obj.is_indirect:
            if obj.objgen[0] in seen:
                continue
            seen.add(obj.objgen[0])
        if isinstance(obj, pikepdf.Stream):
            items = obj.stream_dict.items()
        elif isinstance(obj, pikepdf.Dictionary):
            items = obj.items()
        elif isinstance(obj, pikepdf.Array):
            items = (("", value) for value in obj)
        else:
            continue
        stack += [value for key, value in items if key not in BACK_LINKS
                  and isinstance(value, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream)]
    return seen


def _verify_attached(document: Document, form: str, pdf: Path, margins: tuple[float, float],
                     bases: list[_Base], hint: str) -> list[Finding]:
    """A document with its attachments behind it: the attachments recognised by their bytes
    and pages, the document's own pages read."""
    import pikepdf

    data = pdf.read_bytes()
    findings: list[Finding] = []
    base = bases[0]  # the build appends one attachment; more are checked as written
    if len(bases) != 1 or not base.pages:
        return _whole(document, form, pdf, margins, hint)
    wrong = f"; hint: {hint}"
    if not data.startswith(base.data):
        return [FileFinding(pdf, "-", f"does not begin with {base.path.name} byte for byte, "
                            f"as the build attaches it (changed or made otherwise){wrong}")]
    tail = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes.fromhex(m.group(1).decode()),
                  data[len(base.data):])
    redefined = {int(m.group(1)) for m in OBJECT.finditer(tail)} & base.shown
    try:
        with pikepdf.open(io.BytesIO(data)) as whole:
            pages = [page.obj.objgen for page in whole.pages]
    except (pikepdf.PdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return [FileFinding(pdf, "-", f"cannot be read ({exc}){wrong}")]
    own = len(pages) - len(base.pages)
    if STREAM_KINDS.search(tail) or redefined or own < 1 or pages[own:] != base.pages:
        return [FileFinding(pdf, "-", f"the pages after its own are not those of "
                            f"{base.path.name} as they are there{wrong}")]
    try:
        readings = read_pdf(pdf, margins, own)
    except Unreadable as exc:
        return [FileFinding(pdf, "-", f"cannot be read ({exc}){wrong}")]
    findings = _judged(document, form, pdf, readings, True)
    if not base.ok:
        findings.append(FileFinding(pdf, "-", f"its attachment '{base.title}' is "
                                    f"{base.path.name}, which failed verification (above)"))
    return findings + _properties(document, pdf, readings[0].chars, own)


def _check(document: Document, form: str, pdf: Path, text: str, begin: int,
           attached: bool = False) -> list[Finding]:
    findings: list[Finding] = []
    # Headings in document order give each clause its stretch of text.
    starts: dict[str, int] = {}
    cursor = begin
    for clause in document.clauses:
        at = _find_heading(text, clause.numbered_heading, cursor)
        if at is not None:
            starts[clause.id] = at
            cursor = at + 1
    # An attachment starts with its title, after this document's last heading.
    attached_at = []  # `attached`: the attachments are not in `text`, but checked apart
    for attachment in () if attached else document.attachments:
        at = text.find(normalise(attachment.title), cursor)
        attached_at.append(at)
        if at < 0:
            findings.append(Finding(pdf, "-", f"attachment '{attachment.title}' not found"))
        else:
            cursor = at + 1
    end = next((at for at in attached_at if at >= 0), len(text))

    required = required_phrases(document, form)
    ordered = [c for c in document.clauses if c.id in starts]
    for clause in document.clauses:
        if clause.id not in required:
            continue
        if clause.id not in starts:
            findings.append(Finding(pdf, clause.id,
                                    f"heading '{clause.numbered_heading}' not found"))
            continue
        index = ordered.index(clause)
        stop = starts[ordered[index + 1].id] if index + 1 < len(ordered) else end
        section = text[starts[clause.id]:stop]
        for phrase in required[clause.id]:
            if phrase not in section:
                findings.append(Finding(pdf, clause.id, f"'{phrase}' not found "
                                        f"under '{clause.numbered_heading}'"))
    for clause_id in sorted(set(required) - {c.id for c in document.clauses}):
        findings.append(Finding(pdf, clause_id, "required clause is not in the document model"))
    for attachment, at in zip(() if attached else document.attachments, attached_at,
                              strict=True):
        if at >= 0:
            findings += [Finding(f.document, f"{attachment.kind}: {f.clause}", f.message)
                         for f in _check(attachment, form, pdf, text, at)]
    return findings


# Clauses proven whenever a document has them, besides those the rules require: the
# councils' adoption record in an agreement, and every section of the host's notice to
# statsforvalteren.
PROVEN = ("vedtak_i_kommunestyrene",)
PROVEN_KINDS = ("melding-statsforvalteren",)


def required_phrases(document: Document, form: str) -> dict[str, tuple[str, ...]]:
    """What verify requires of each clause the rules require, by clause id: the phrases
    (normalised) its part of the text must show, under its numbered heading. A required id
    the document has no clause for maps to (). `samdok check` asks the same of the document
    model (foresee.py), so what verify will miss is said before anything is built."""
    required = dict.fromkeys(r.clause for r in rules.applicable(document.kind, form))
    required |= dict.fromkeys(c.id for c in document.clauses
                              if c.id in PROVEN or document.kind in PROVEN_KINDS)
    return {clause_id: tuple(normalise(p) for p in clause.evidence)
            if (clause := document.clause(clause_id)) else () for clause_id in required}


def _find_heading(text: str, heading: str, start: int) -> int | None:
    # A heading stands at the start of a line in the PDF; after normalising, that means it
    # follows a space (or starts the text). This keeps "1. juli" from matching "1. Partene".
    pattern = r"(?:^|(?<=\s))" + re.escape(normalise(heading)) + r"(?=\s|$)"
    match = re.compile(pattern).search(text, start)
    return match.start() if match else None
