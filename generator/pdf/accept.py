"""What a PDF from LibreOffice must be before a build takes it: whole, with pages, tagged,
claiming PDF/A, with the title and language samdok asked for."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import archive


@dataclass(frozen=True)
class Asked:
    """What the Word file asked LibreOffice to put in the PDF's document info."""

    title: str
    language: str  # a language tag, "nb-NO"


def refusal(pdf: Path, asked: Asked | None = None) -> str | None:
    """The first check `pdf` fails, as a phrase that names it, or None when it passes.

    A PDF LibreOffice could not finish (a full disk, a crash while writing) has no cross
    reference at its end: qpdf would rebuild one, so it is opened without recovery. A blank
    or plain PDF lacks the tags and the PDF/A claim every export of samdok asks for.
    """
    import pikepdf

    if not pdf.is_file():
        return "no PDF was written"
    try:
        with pikepdf.open(pdf, attempt_recovery=False) as doc:
            if len(doc.pages) == 0:
                return "the PDF has no pages"
            failures = archive.identification_failures(doc) + archive.tag_failures(doc)
            if not failures and asked is not None:
                failures = _asked(doc, asked)
            warnings = doc.get_warnings()
    except pikepdf.PdfError as exc:
        return f"the PDF is damaged or cut short ({exc})"
    except OSError as exc:
        return f"the PDF cannot be read ({exc.strerror})"
    if warnings:
        return f"the PDF is damaged ({warnings[0]})"
    if failures:
        return str(failures[0])
    return None


def _asked(doc, asked: Asked) -> list[archive.Failure]:
    title = doc.docinfo.get("/Title")
    if title is None or str(title) != asked.title:
        return [archive.Failure("title", f"document info /Title is "
                             f"{'missing' if title is None else repr(str(title))}, "
                             f"expected {asked.title!r}")]
    language = doc.Root.get("/Lang")
    if language is None or str(language).lower() != asked.language.lower():
        return [archive.Failure("language", f"/Lang is "
                             f"{'missing' if language is None else str(language)}, "
                             f"expected {asked.language}")]
    return []
