"""Attached documents appended to a PDF: their pages, their tags (PDF/UA) and their bookmarks."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import string
from collections.abc import Iterable, Iterator
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem

from .errors import ConversionError, OutputError
from .reproducible import save_pinned

# What makes a PDF the document it is rather than its attachment: these catalog entries of
# the document replace the attachment's (archive metadata and PDF/A claims, output intent,
# language, viewer settings, the page it opens at).
OWN = ("/Metadata", "/OutputIntents", "/Lang", "/MarkInfo", "/ViewerPreferences", "/OpenAction")

# A font subset's tag: six capital letters and a plus before the font's name (ISO 32000-1,
# 9.6.4). LibreOffice numbers its subsets BAAAAA, CAAAAA, ... in every PDF it writes.
SUBSET = re.compile(r"^/([A-Z]{6})\+")


def append(pdf: Path, attachment: Path, when: dt.datetime, number: int = 1) -> None:
    """Append the pages of the attachment PDF to pdf, rewritten in place with its dates
    pinned to `when` (reproducible.save_pinned); `number` is the attachment's number in the
    document's list of attachments (vedlegg).

    The agreement behind every council's case submission is converted once per build and
    appended here, instead of being converted again inside each council's copy. The result
    is one tagged PDF: the attachment's top structure elements follow the document's, its
    pages' keys into the parent tree come after the document's, its bookmarks come under a
    bookmark "Vedlegg N: <title>", and its pages are labelled "Vedlegg N – 1", ... in
    viewers. The document information, XMP metadata and PDF/A claims are the document's own.
    """
    partial = pdf.with_name(f".{pdf.name}.part")
    try:
        # Built on the attachment, the larger of the two as a rule (a 91-page agreement
        # behind a 2-page submission): only the document's few objects are copied over.
        with pikepdf.open(pdf) as document, pikepdf.open(attachment) as combined:
            _prepend(document, combined, number)
            save_pinned(combined, partial, when)
        os.replace(partial, pdf)
    except OSError as exc:
        raise OutputError(f"{pdf}: cannot write ({exc.strerror}); hint: check the free space "
                          "and the permissions of the output folder") from None
    except (pikepdf.PdfError, pikepdf.OutlineStructureError, ValueError) as exc:
        raise ConversionError(f"{pdf.name}: could not append {attachment.name} ({exc}); "
                              "hint: build again; if it persists, run with -v and convert "
                              "both files by hand with the command shown") from None
    finally:
        partial.unlink(missing_ok=True)


def _prepend(document: pikepdf.Pdf, combined: pikepdf.Pdf, number: int) -> None:
    """Put the document's pages, tags, bookmarks and metadata in front of `combined`."""
    ours, theirs = document.Root.StructTreeRoot, combined.Root.StructTreeRoot
    offset, their_next = _next_key(ours), _next_key(theirs)
    pages = len(document.pages)
    title = str(combined.docinfo.get("/Title", ""))
    language = combined.Root.get("/Lang")
    their_tags = {_tag(font) for font in _fonts(combined.pages)} - {None}

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
    _retag(_fonts(combined.pages[:pages]), their_tags)

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

    # One parent tree, in key order: the document's keys, then the attachment's moved ones.
    kept = theirs.ParentTree.get("/Nums", Array())
    mine = ours.ParentTree.get("/Nums", Array())
    numbers = Array()
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
    # Page labels, so that a viewer's "page 4" is the attachment's first page as its own
    # footer numbers it, rather than the fourth page of the file.
    own_labels = document.Root.get("/PageLabels")
    labels = (_copy(combined, own_labels.Nums) if own_labels is not None and "/Nums" in own_labels
              else Array([0, Dictionary(S=Name.D)]))
    labels.extend([pages, Dictionary(S=Name.D, P=pikepdf.String(f"Vedlegg {number} – "))])
    combined.Root.PageLabels = Dictionary(Nums=labels)

    label = f"Vedlegg {number}" + (f": {title}" if title else "")
    with combined.open_outline() as outline, document.open_outline() as own_outline:
        attached = OutlineItem(label, pages)
        attached.children.extend(outline.root)
        outline.root.clear()
        outline.root.extend(_outline(combined, item) for item in own_outline.root)
        outline.root.append(attached)


def _next_key(tree: Dictionary) -> int:
    """The first parent-tree key not in use (LibreOffice numbers them from 0, flat)."""
    if "/Kids" in tree.ParentTree:  # LibreOffice writes one flat /Nums array
        raise ValueError("a PDF with a nested structure parent tree cannot be appended to")
    if "/ParentTreeNextKey" in tree:
        return int(tree.ParentTreeNextKey)
    numbers = tree.ParentTree.get("/Nums", Array())
    return max((int(numbers[i]) for i in range(0, len(numbers), 2)), default=-1) + 1


def _fonts(pages: Iterable[pikepdf.Page]) -> Iterator[Dictionary]:
    """Every font the pages use, in form XObjects (a watermark) too, each once, in order."""
    seen: set[tuple[int, int]] = set()
    stack = [page.obj.get("/Resources") for page in reversed(list(pages))]
    while stack:
        resources = stack.pop()
        if not isinstance(resources, Dictionary):
            continue
        for font in resources.get("/Font", Dictionary()).values():
            for one in [font, *font.get("/DescendantFonts", [])]:
                if one.objgen not in seen:
                    seen.add(one.objgen)
                    yield one
        for form in reversed(list(resources.get("/XObject", Dictionary()).values())):
            if form.get("/Subtype") == "/Form" and form.objgen not in seen:
                seen.add(form.objgen)
                stack.append(form.get("/Resources"))


def _tag(font: Dictionary) -> str | None:
    match = SUBSET.match(str(font.get("/BaseFont", "")))
    return match.group(1) if match else None


def _retag(fonts: Iterable[Dictionary], taken: set[str]) -> None:
    """Give the document's font subsets tags the attachment's do not use: both come from
    LibreOffice, numbered alike, and two different subsets under one name may be mixed up
    by a printer or a PDF tool (ISO 32000-1 requires distinct tags)."""
    fonts = list(fonts)
    avoid = taken | {_tag(font) for font in fonts}
    fresh = (tag for tag in ("SD" + "".join(letters) for letters in
                             itertools.product(string.ascii_uppercase, repeat=4))
             if tag not in avoid)
    renamed: dict[str, str] = {}
    for font in fonts:
        tag = _tag(font)
        if tag is None or tag not in taken:
            continue
        if tag not in renamed:
            renamed[tag] = next(fresh)
        new = renamed[tag]
        font.BaseFont = Name(str(font.BaseFont).replace(f"/{tag}+", f"/{new}+", 1))
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None and SUBSET.match(str(descriptor.get("/FontName", ""))):
            descriptor.FontName = Name(str(descriptor.FontName).replace(f"/{tag}+",
                                                                        f"/{new}+", 1))


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
