"""Attached documents appended to a PDF: their pages, their tags (PDF/UA) and their bookmarks."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, OutlineItem

from .errors import ConversionError
from .reproducible import save_pinned

# What makes a PDF the document it is rather than its attachment: these catalog entries of
# the document replace the attachment's (archive metadata and PDF/A claims, output intent,
# language, viewer settings, the page it opens at).
OWN = ("/Metadata", "/OutputIntents", "/Lang", "/MarkInfo", "/ViewerPreferences", "/OpenAction")


def append(pdf: Path, attachment: Path, when: dt.datetime) -> None:
    """Append the pages of the attachment PDF to pdf, rewritten in place with its dates
    pinned to `when` (reproducible.save_pinned).

    The agreement behind every council's case submission is converted once per build and
    appended here, instead of being converted again inside each council's copy. The result
    is one tagged PDF: the attachment's top structure elements follow the document's, its
    pages' keys into the parent tree come after the document's, and
    its bookmarks come under one bookmark with its title. The document information, XMP
    metadata and PDF/A claims are the document's own.
    """
    partial = pdf.with_name(f".{pdf.name}.part")
    try:
        # Built on the attachment, the larger of the two as a rule (a 91-page agreement
        # behind a 2-page submission): only the document's few objects are copied over.
        with pikepdf.open(pdf) as document, pikepdf.open(attachment) as combined:
            _prepend(document, combined)
            save_pinned(combined, partial, when)
        os.replace(partial, pdf)
    except (pikepdf.PdfError, ValueError, AttributeError, KeyError) as exc:
        # LibreOffice's PDFs have what this needs; a PDF without tags or parent tree does not.
        raise ConversionError(f"{pdf.name}: could not append {attachment.name} ({exc}); "
                              "hint: rebuild with --force; if it persists, convert both "
                              "files by hand (samdok build -v shows the command)") from None
    finally:
        partial.unlink(missing_ok=True)


def _prepend(document: pikepdf.Pdf, combined: pikepdf.Pdf) -> None:
    """Put the document's pages, tags, bookmarks and metadata in front of `combined`."""
    ours, theirs = document.Root.StructTreeRoot, combined.Root.StructTreeRoot
    offset, their_next = _next_key(ours), _next_key(theirs)
    pages = len(document.pages)
    title = str(combined.docinfo.get("/Title", "")) or "Vedlegg"
    language = combined.Root.get("/Lang")

    # The attachment's keys into its parent tree move past the document's.
    for page in combined.pages:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annotation in page.obj.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
    # Pages first: structure elements copied after them find their /Pg among the copies,
    # as pikepdf keeps one mapping per source document.
    for i, page in enumerate(document.pages):
        combined.pages.insert(i, page)
    # The document's top elements first, then the attachment's. The document's are cut
    # loose from their root before anything of the tree is copied, so that no copy reaches
    # that root (and with it a second parent tree).
    own_tops = list(_kids(ours.K))
    for element in own_tops:
        if isinstance(element, Dictionary) and "/P" in element:
            del element["/P"]
    kids = Array()
    for element in own_tops:
        copied = combined.copy_foreign(element)
        copied.P = theirs
        kids.append(copied)
    document_language = document.Root.get("/Lang")
    for element in _kids(theirs.K):
        # The attachment in another language than the document: its elements say which.
        if (language is not None and language != document_language
                and "/Lang" not in element):
            element.Lang = language
        kids.append(element)
    theirs.K = kids
    kept = theirs.ParentTree.get("/Nums", Array())
    numbers = Array()
    mine = ours.ParentTree.get("/Nums", Array())
    for i in range(0, len(mine), 2):
        numbers.append(int(mine[i]))
        numbers.append(_copy(combined, mine[i + 1]))
    for i in range(0, len(kept), 2):
        numbers.append(int(kept[i]) + offset)
        numbers.append(kept[i + 1])
    theirs.ParentTree.Nums = numbers
    if "/ParentTreeNextKey" in ours or "/ParentTreeNextKey" in theirs:
        theirs.ParentTreeNextKey = offset + their_next

    roles = ours.get("/RoleMap")
    if roles is not None:
        if "/RoleMap" not in theirs:
            theirs.RoleMap = Dictionary()
        for role, standard in roles.items():
            if role not in theirs.RoleMap:
                theirs.RoleMap[role] = standard

    for key in OWN:
        if key in document.Root:
            combined.Root[key] = _copy(combined, document.Root[key])
        elif key in combined.Root:
            del combined.Root[key]
    combined.docinfo = combined.make_indirect(
        Dictionary({k: _copy(combined, v) for k, v in document.docinfo.items()}))

    with combined.open_outline() as outline, document.open_outline() as own_outline:
        attached = OutlineItem(title, pages)
        attached.children.extend(outline.root)
        outline.root.clear()
        outline.root.extend(_outline(combined, item) for item in own_outline.root)
        outline.root.append(attached)


def _next_key(tree: Dictionary) -> int:
    """The first parent-tree key not in use (LibreOffice numbers them from 0, flat)."""
    if "/ParentTreeNextKey" in tree:
        return int(tree.ParentTreeNextKey)
    if "/Kids" in tree.ParentTree:  # LibreOffice writes one flat /Nums array
        raise ValueError("a PDF with a nested structure parent tree cannot be appended to")
    numbers = tree.ParentTree.get("/Nums", Array())
    return max((int(numbers[i]) for i in range(0, len(numbers), 2)), default=-1) + 1


def _kids(k) -> Array:
    return k if isinstance(k, Array) else Array([k])


def _copy(pdf: pikepdf.Pdf, value):
    """A value of another PDF, for pdf: indirect objects copied (through pikepdf's mapping,
    so each is copied once), direct arrays and dictionaries rebuilt around them."""
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return pdf.copy_foreign(value)
    if isinstance(value, Array):
        return Array([_copy(pdf, v) for v in value])
    if isinstance(value, Dictionary):
        return Dictionary({k: _copy(pdf, v) for k, v in value.items()})
    return value


def _outline(pdf: pikepdf.Pdf, item: OutlineItem) -> OutlineItem:
    destination = _copy(pdf, item.destination) if item.destination is not None else None
    action = _copy(pdf, item.action) if item.action is not None else None
    copied = OutlineItem(item.title, destination, action=action)
    copied.children.extend(_outline(pdf, child) for child in item.children)
    return copied
