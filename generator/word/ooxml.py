"""Word XML read the same way wherever it is read: a paragraph's text and style, a table row's
cells."""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn


def child(parent, tag: str, first: bool = False):
    """parent's first `tag` element ("w:pPr"); one is made, as its first child or (default)
    its last, when it has none."""
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        if first:
            parent.insert(0, found)
        else:
            parent.append(found)
    return found


def paragraph_text(p) -> str:
    """A paragraph's text as it reads now: inserted text counts, deleted text does not, a tab
    is a tab."""
    parts = []
    for el in p.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:noBreakHyphen")):
        if any(a.tag in (qn("w:del"), qn("w:moveFrom")) for a in el.iterancestors()):
            continue
        if el.tag == qn("w:t"):
            parts.append(el.text or "")
        elif el.tag == qn("w:tab") and el.getparent().tag == qn("w:r"):
            parts.append("\t")
        elif el.tag == qn("w:br"):
            parts.append(" ")
        elif el.tag == qn("w:noBreakHyphen"):
            parts.append("-")
    return "".join(parts)


def paragraph_style(p) -> str | None:
    """The style id of a paragraph (w:pStyle), None when it has the default style."""
    style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return style.get(qn("w:val")) if style is not None else None


def row_cells(tr) -> tuple[str, ...]:
    """A table row's cells, each as the text of its paragraphs joined by spaces."""
    return tuple(" ".join(paragraph_text(p) for p in tc.iter(qn("w:p")))
                 for tc in tr.iter(qn("w:tc")))
