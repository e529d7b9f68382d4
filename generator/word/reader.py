"""Word reader: a .docx samdok built (and perhaps a party edited) back into a document model."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from docx.oxml.ns import qn

from ..compose.document import Block, Clause, Document, Item, Paragraph, SubHeading, Table
from ..errors import CaseError, Problem
from ..model.norsk import LANGUAGES
from .guard import checked_package, refuse_active_content
from .marks import END_BOOKMARK, clause_id, kind_of
from .ooxml import paragraph_style, paragraph_text, row_cells

# Paragraph styles (ids) of the standard template's blocks; any other style is running text.
SUBHEADING_STYLES = {"Heading2"}
ITEM_STYLES = {"SamdokPunkt"}
HEADING = re.compile(r"^\s*(\d+)\.?\s+(.*\S)\s*$")


@dataclass
class ReadBack:
    """A document model read from a .docx, with the body elements each clause's heading and
    blocks came from (clause id -> [heading paragraph, one element per block])."""

    document: Document
    elements: dict[str, list] = field(default_factory=dict)
    word: object = None  # the python-docx Document, for writers that annotate it


def read_docx(data: bytes, shown: str) -> ReadBack:
    """Read the clauses of a samdok .docx by their bookmarks; tracked changes count as
    accepted (inserted text is read, deleted text is not)."""
    from docx.opc.constants import CONTENT_TYPE
    from docx.package import Package

    data = checked_package(data, shown)
    try:
        package = Package.open(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises several kinds for bad files
        raise CaseError([Problem(shown, None, None, "", f"not a Word file that can be read "
                                 f"({type(exc).__name__})", "give a .docx built by samdok")]
                        ) from None
    # Before anything else: the redline samdok writes is this package, annotated.
    refuse_active_content(package, shown)
    part = package.main_document_part
    if part.content_type != CONTENT_TYPE.WML_DOCUMENT_MAIN:
        raise CaseError([Problem(shown, None, None, "", f"not a Word document (its main part "
                                 f"is {part.content_type})", "give a .docx built by samdok")])
    word = part.document
    clauses: list[Clause] = []
    elements: dict[str, list] = {}
    current: tuple[str, int, str] | None = None
    blocks: list[Block] = []
    parts: list = []

    def close() -> None:
        if current is not None:
            # A heading without a number (a submission's) is an unnumbered clause.
            clauses.append(Clause(current[0], current[1], current[2], tuple(blocks),
                                  numbered=current[1] > 0))
            elements[current[0]] = list(parts)

    for el in word.element.body:
        marks = [b.get(qn("w:name")) or "" for b in el.iter(qn("w:bookmarkStart"))] \
            if el.tag == qn("w:p") else []
        ids = [found for found in map(clause_id, marks) if found is not None]
        if ids:
            close()
            number, heading = _heading(paragraph_text(el))
            current, blocks, parts = (ids[0], number, heading), [], [el]
            continue
        if END_BOOKMARK in marks:
            close()
            current = None
            continue
        if current is None:
            continue
        block = _block(el)
        if block is not None:
            blocks.append(block)
            parts.append(el)
    close()
    if not clauses:
        raise CaseError([Problem(shown, None, None, "", "no samdok clause bookmarks found",
                                 "samdok reads back only .docx files it built (each clause "
                                 "carries its id as a hidden bookmark); build it again with "
                                 "samdok build")])
    props = word.core_properties
    document = Document(
        kind=kind_of(props) or props.keywords or "samarbeidsavtale",
        case_id=Path(shown).stem,
        title=props.title or "",
        subtitle=props.subject or "",
        language=LANGUAGES.get(props.language or "", "nb"),
        clauses=tuple(clauses),
    )
    return ReadBack(document, elements, word)


def _heading(text: str) -> tuple[int, str]:
    match = HEADING.match(text)
    if match:
        return int(match.group(1)), match.group(2)
    return 0, text.strip()


def _block(el) -> Block | None:
    if el.tag == qn("w:tbl"):
        return _table(el)
    if el.tag != qn("w:p"):
        return None
    text = paragraph_text(el)
    if not text.strip():
        return None
    style = paragraph_style(el) or ""
    if style in ITEM_STYLES and "\t" in text:
        label, rest = text.split("\t", 1)
        return Item(_squash(rest), label.strip())
    if style in SUBHEADING_STYLES:
        return SubHeading(_squash(text))
    return Paragraph(_squash(text))


def _squash(text: str) -> str:
    """Runs of spaces, tabs and line breaks as one space; non-breaking spaces stay, as the
    document model has them ("kr\u00a0800\u00a0000")."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def _table(tbl) -> Table | None:
    rows = []
    bold_last = False
    for tr in tbl.iter(qn("w:tr")):
        if tr.find(f"{qn('w:trPr')}/{qn('w:del')}") is not None:
            continue  # a row deleted as a tracked change is read as accepted: gone
        cells = [_squash(cell) for cell in row_cells(tr)]
        rows.append(tuple(cells))
        runs = list(tr.iter(qn("w:r")))
        bold_last = bool(runs) and all(r.find(f"{qn('w:rPr')}/{qn('w:b')}") is not None
                                       for r in runs if r.find(qn("w:t")) is not None)
    if not rows:
        return None
    # The writer sets the total row in bold, as it does the header.
    total = rows[-1] if bold_last and len(rows) > 1 else None
    body = rows[1:-1] if total is not None else rows[1:]
    return Table(rows[0], tuple(body), total)
