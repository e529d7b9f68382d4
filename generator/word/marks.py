"""Clause ids inside .docx files: hidden bookmarks the Word writer sets and the reader finds."""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from ..compose.document import Document
from .ooxml import paragraph_style, paragraph_text

BOOKMARK_PREFIX = "_samdok_"
END_BOOKMARK = "_samdok"  # where the last clause ends; no clause id gives this name


# The document kind goes in the core properties' keywords. python-docx 1.2 writes and reads
# a second "keywords" element in the wrong namespace and ignores the real one a template
# has, so a tjenesteavtale or saksframlegg read back as a samarbeidsavtale: the real element
# is set and read here.
CORE_PROPERTIES = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"


def set_kind(props, kind: str) -> None:
    """Record the document kind in the core properties (props: python-docx CoreProperties)."""
    element = props._element
    found = element.find(f"{{{CORE_PROPERTIES}}}keywords")
    if found is None:
        found = element.makeelement(f"{{{CORE_PROPERTIES}}}keywords", {})
        element.append(found)
    found.text = kind


def kind_of(props) -> str:
    """The document kind set_kind() recorded, or "" when there is none."""
    found = props._element.find(f"{{{CORE_PROPERTIES}}}keywords")
    return (found.text or "").strip() if found is not None else ""


def bookmark_name(clause_id: str) -> str:
    """The hidden bookmark that carries a clause id: "_samdok_" and the id, spelled with
    letters, digits and "_" only (Word's rule for names): "_" doubled, any other character as
    _xHHHH. "økonomi" -> "_samdok__x00F8konomi". The leading "_" hides it in Word's list."""
    out = []
    for char in clause_id:
        if char.isascii() and char.isalnum():
            out.append(char)
        elif char == "_":
            out.append("__")
        elif ord(char) <= 0xFFFF:
            out.append(f"_x{ord(char):04X}")
        else:
            out.append(f"_y{ord(char):06X}")
    return BOOKMARK_PREFIX + "".join(out)


def clause_id(bookmark: str) -> str | None:
    """The clause id a bookmark_name() carries, or None for any other bookmark."""
    if not bookmark.startswith(BOOKMARK_PREFIX):
        return None
    text, out, i = bookmark[len(BOOKMARK_PREFIX):], [], 0
    while i < len(text):
        if text[i] != "_":
            out.append(text[i])
            i += 1
        elif text[i + 1:i + 2] == "_":
            out.append("_")
            i += 2
        else:
            width = 4 if text[i + 1:i + 2] == "x" else 6
            try:
                out.append(chr(int(text[i + 2:i + 2 + width], 16)))
            except ValueError:
                return None
            i += 2 + width
    return "".join(out)


def mark_clauses(body, document: Document) -> None:
    """Put each clause's id on its heading paragraph as a hidden bookmark, and END_BOOKMARK on
    the next paragraph of the same style after the last clause (the signatures' heading), so
    an edited .docx can be read back clause by clause (word/reader.py)."""
    children = list(body)
    used = [int(b.get(qn("w:id"))) for b in body.iter(qn("w:bookmarkStart"))
            if (b.get(qn("w:id")) or "").isdigit()]
    next_id = max(used, default=0) + 1
    cursor, style = 0, None
    for clause in document.clauses:
        for index in range(cursor, len(children)):
            el = children[index]
            if el.tag == qn("w:p") and paragraph_text(el).strip() == clause.numbered_heading:
                _bookmark(el, bookmark_name(clause.id), next_id)
                next_id += 1
                cursor, style = index + 1, paragraph_style(el)
                break
    if style is None:
        return
    for el in children[cursor:]:
        if el.tag == qn("w:p") and paragraph_style(el) == style:
            _bookmark(el, END_BOOKMARK, next_id)
            return


def _bookmark(p, name: str, number: int) -> None:
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end.set(qn("w:id"), str(number))
    ppr = p.find(qn("w:pPr"))
    (ppr.addnext if ppr is not None else lambda el: p.insert(0, el))(start)
    p.append(end)
