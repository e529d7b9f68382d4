"""Round trip: read a built PDF back and prove each required clause is there, with substance."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..compose.document import Document
from ..model import rules

# Points (1/72 inch) kept clear of the crop line, so a body line close to the margin survives.
MARGIN_SLACK = 4.0
DEFAULT_MARGINS = (72.0, 62.0)  # top, bottom in points: used when the .docx is not there


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


def normalise(text: str) -> str:
    """One space between words: line breaks, non-breaking spaces and runs of blanks collapse."""
    text = text.replace("\u00ad", "")  # soft hyphens
    # A line that ends in a hyphenated word ("Lillehammer-" / "regionen") is one word again.
    text = re.sub(r"(?<=\w)-\n(?=\w)", "-", text)
    return " ".join(text.split())


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
    import pdfplumber

    top, bottom = margins
    parts = []
    with pdfplumber.open(str(pdf)) as doc:
        for page in doc.pages:
            box = (0, max(0.0, top - MARGIN_SLACK), page.width,
                   min(page.height, page.height - bottom + MARGIN_SLACK))
            parts.append(page.crop(box).extract_text() or "")
    return normalise("\n".join(parts))


def verify_document(document: Document, form: str, pdf: Path, docx: Path) -> list[Finding]:
    """Each required clause's heading and evidence, in that clause's part of the PDF; then the
    same for every attached document (the agreement behind a case submission), after it."""
    if not pdf.is_file():
        return [Finding(pdf, "-", "not built yet; hint: run 'samdok build' first")]
    findings = _check(document, form, pdf, pdf_text(pdf, body_margins(docx)), 0)
    # Every PDF is for the archive as well: PDF/A-2b, tagged, its language and title, fonts.
    from ..word.writer import LANGUAGE_TAGS
    from . import archive as pdfa

    return findings + [PropertyFinding(pdf, failure.property, failure.message) for failure in
                       pdfa.check(pdf, LANGUAGE_TAGS[document.language], document.title)]


def _check(document: Document, form: str, pdf: Path, text: str, begin: int) -> list[Finding]:
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
    attached_at = []
    for attachment in document.attachments:
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
    for attachment, at in zip(document.attachments, attached_at, strict=True):
        if at >= 0:
            findings += [Finding(f.document, f"{attachment.kind}: {f.clause}", f.message)
                         for f in _check(attachment, form, pdf, text, at)]
    return findings


def required_phrases(document: Document, form: str) -> dict[str, tuple[str, ...]]:
    """What verify requires of each clause the rules require, by clause id: the phrases
    (normalised) its part of the text must show, under its numbered heading. A required id
    the document has no clause for maps to (). `samdok check` asks the same of the document
    model (foresee.py), so what verify will miss is said before anything is built."""
    required = dict.fromkeys(r.clause for r in rules.applicable(document.kind, form))
    return {clause_id: tuple(normalise(p) for p in clause.evidence)
            if (clause := document.clause(clause_id)) else () for clause_id in required}


def _find_heading(text: str, heading: str, start: int) -> int | None:
    # A heading stands at the start of a line in the PDF; after normalising, that means it
    # follows a space (or starts the text). This keeps "1. juli" from matching "1. Partene".
    pattern = r"(?:^|(?<=\s))" + re.escape(normalise(heading)) + r"(?=\s|$)"
    match = re.compile(pattern).search(text, start)
    return match.start() if match else None
