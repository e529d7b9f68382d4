"""Attached documents appended to a PDF: their pages, their tags (PDF/UA) and their bookmarks."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import string
from collections.abc import Iterable, Iterator
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

from ..base import files, reproducible
from ..errors import ConversionError, OutputError
from .update import Raw, Ref, Update

# What makes a PDF the document it is rather than its attachment: these catalog entries of
# the document replace the attachment's (archive metadata and PDF/A claims, output intent,
# language, viewer settings, the page it opens at).
OWN = ("/Metadata", "/OutputIntents", "/Lang", "/MarkInfo", "/ViewerPreferences", "/OpenAction")

# A font subset's tag: six capital letters and a plus before the font's name (ISO 32000-1,
# 9.6.4). LibreOffice numbers its subsets BAAAAA, CAAAAA, ... in every PDF it writes.
SUBSET = re.compile(r"^/([A-Z]{6})\+")



class Unfit(ValueError):
    """A PDF whose structure is not what append relies on (LibreOffice's): no tags, a nested
    parent tree, a key that is not a number, a bookmark that is not a dictionary."""


# What a PDF that cannot be combined raises: qpdf's errors, and Unfit from _check. Nothing
# else is caught: a KeyError or AttributeError past _check is samdok's own fault, and is
# reported as one rather than as a damaged file to build again.
FAULTS = (pikepdf.PdfError, Unfit)
HINT = ("build again; if it persists, run with -v and convert both Word files by hand with "
        "the command shown")

# Page attributes a page may take from its parent in the page tree (ISO 32000-1, 7.7.3.4):
# the document's pages get a new parent, the attachment's page tree.
INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


class Attachment:
    """An attached PDF, read once for all the documents it is appended to (the agreement
    behind every council's case submission). Its dates are pinned to `when` first, in
    place: its bytes are the first part of every combined PDF."""

    def __init__(self, path: Path, when: dt.datetime):
        self.path = path
        try:
            reproducible.normalise_pdf(path, when)
            self.data = path.read_bytes()
            self.pdf = pikepdf.open(io.BytesIO(self.data))
        except (OSError, pikepdf.PdfError) as exc:
            raise ConversionError(f"{path.name}: cannot be read to append it ({exc})",
                                  hint=HINT) from None
        try:
            _check(self.pdf)
            tree = self.pdf.Root.StructTreeRoot
            self.next_key = _next_key(tree)
            self.tags = {_tag(font) for font in _fonts(self.pdf.pages)} - {None}
            self.title = str(self.pdf.docinfo.get("/Title", ""))
            # Its keys into its parent tree, the bulk of that tree, in PDF syntax.
            numbers = list(tree.ParentTree.get("/Nums", Array()))
            self.numbers = Update(self.data, self.pdf, self.pdf).serialise(numbers)[1:-1]
        except FAULTS as exc:
            self.pdf.close()
            raise ConversionError(f"{path.name}: cannot be appended ({exc})",
                                  hint=HINT) from None

    def close(self) -> None:
        self.pdf.close()

    def __enter__(self) -> Attachment:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def append(pdf: Path, attachment: Attachment, when: dt.datetime, number: int = 1) -> None:
    """Put the pages of the attachment behind those of pdf, rewritten in place with its dates
    pinned to `when` (reproducible.pin); `number` is the attachment's number in the
    document's list of attachments (vedlegg).

    The agreement behind every council's case submission is converted once per build and
    appended here, instead of being converted again inside each council's copy. The result
    is one tagged PDF: the document's top structure elements come before the attachment's,
    its pages' keys into the parent tree after the attachment's, the attachment's bookmarks
    come under a bookmark "Vedlegg N: <title>", and its pages are labelled "Vedlegg N – 1",
    ... in viewers. The document information, XMP metadata and PDF/A claims are the
    document's own.
    """
    try:
        with pikepdf.open(pdf) as document:
            _check(document)
            combined = _combined(document, attachment, when, number)
        files.write_atomic(pdf, combined)
    except OSError as exc:
        raise OutputError(f"{pdf}: cannot write ({exc.strerror})", hint="check the free space "
                          "and the permissions of the output folder") from None
    except FAULTS as exc:
        raise ConversionError(f"{pdf.name}: could not append {attachment.path.name} ({exc})",
                              hint=HINT) from None


def _combined(document: pikepdf.Pdf, attachment: Attachment, when: dt.datetime,
              number: int) -> bytes:
    """The attachment's bytes unchanged, then an update (ISO 32000-1, 7.5.6) that adds the
    document's objects and replaces the catalog, page tree, structure tree and bookmarks.

    Built this way, combining a 2-page document with a 91-page attachment reads and writes
    the document's few hundred objects, not the attachment's ten thousand."""
    base = attachment.pdf
    root, ours = base.Root, document.Root.StructTreeRoot
    theirs = root.StructTreeRoot
    offset, own_next = attachment.next_key, _next_key(ours)
    reproducible.pin(document, when)
    _retag(_fonts(document.pages), attachment.tags)
    update = Update(attachment.data, base, document)
    update.redirect[document.Root.objgen] = root.objgen[0]
    update.redirect[document.Root.Pages.objgen] = root.Pages.objgen[0]
    update.redirect[ours.objgen] = theirs.objgen[0]

    # The document's pages first, their keys into the parent tree after the attachment's.
    for page in document.pages:
        for key in INHERITED:
            if key not in page.obj and key in document.Root.Pages:
                page.obj[key] = document.Root.Pages[key]
        page.obj.Parent = document.Root.Pages
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annotation in page.obj.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
    pages = len(document.pages)
    update.put(root.Pages.objgen[0], {
        **dict(root.Pages.items()),
        "/Kids": [page.obj for page in document.pages] + list(root.Pages.Kids),
        "/Count": pages + int(root.Pages.Count)})

    # One structure tree: the document's top elements, then the attachment's.
    language, document_language = root.get("/Lang"), document.Root.get("/Lang")
    their_tops = list(_kids(theirs.K))
    for index, element in enumerate(their_tops):
        # The attachment in another language than the document: its elements say which.
        if (language is not None and language != document_language
                and isinstance(element, Dictionary) and "/Lang" not in element):
            with_language = {**dict(element.items()), "/Lang": language}
            if element.is_indirect:
                update.put(element.objgen[0], with_language)
            else:
                their_tops[index] = with_language
    tree = {**dict(theirs.items()), "/K": list(_kids(ours.K)) + their_tops}
    mine = ours.ParentTree.get("/Nums", Array())
    moved = b" ".join(b"%d %s" % (int(mine[i]) + offset, update.serialise(mine[i + 1]))
                      for i in range(0, len(mine), 2))
    parent_tree = {**dict(theirs.ParentTree.items()),
                   "/Nums": Raw(b"[" + attachment.numbers + b" " + moved + b"]")}
    if theirs.ParentTree.is_indirect:
        update.put(theirs.ParentTree.objgen[0], parent_tree)
    else:
        tree["/ParentTree"] = parent_tree
    if "/ParentTreeNextKey" in ours or "/ParentTreeNextKey" in theirs:
        tree["/ParentTreeNextKey"] = offset + own_next
    roles = dict(ours.get("/RoleMap", Dictionary()).items())
    if roles or "/RoleMap" in theirs:
        tree["/RoleMap"] = {**roles, **dict(theirs.get("/RoleMap", Dictionary()).items())}
    update.put(theirs.objgen[0], tree)

    catalog = dict(root.items())
    for key in OWN:
        if key in document.Root:
            catalog[key] = document.Root[key]
        else:
            catalog.pop(key, None)
    # Page labels, so that a viewer's "page 4" is the attachment's first page as its own
    # footer numbers it, rather than the fourth page of the file.
    own_labels = document.Root.get("/PageLabels")
    labels = (list(own_labels.Nums) if own_labels is not None and "/Nums" in own_labels
              else [0, {"/S": Name.D}])
    labels += [pages, {"/S": Name.D, "/P": pikepdf.String(f"Vedlegg {number} – ")}]
    catalog["/PageLabels"] = {"/Nums": labels}
    catalog["/Outlines"] = Ref(_outline(update, document, attachment, pages, number))
    update.put(root.objgen[0], catalog)
    trailer = {"/Root": Ref(root.objgen[0])}
    if "/Info" in document.trailer:
        trailer["/Info"] = document.trailer.Info
    return update.write(trailer)


def _outline(update: Update, document: pikepdf.Pdf, attachment: Attachment, pages: int,
             number: int) -> int:
    """The combined bookmarks, written into update: the document's, then "Vedlegg N: <title>"
    with the attachment's under it. Returns the number of their root."""
    base = attachment.pdf
    theirs, ours = base.Root.get("/Outlines"), document.Root.get("/Outlines")
    outlines = (theirs.objgen[0] if theirs is not None and theirs.is_indirect
                else update.new_number())
    attached = update.new_number()
    their_items, own_items = _siblings(theirs), _siblings(ours)
    if ours is not None and ours.is_indirect:
        update.redirect[ours.objgen] = outlines
    label = f"Vedlegg {number}" + (f": {attachment.title}" if attachment.title else "")
    item = {"/Title": pikepdf.String(label), "/Parent": Ref(outlines),
            "/Dest": [base.pages[0].obj, Name.Fit]}
    shown = _shown(theirs)
    if their_items:
        item.update({"/First": their_items[0], "/Last": their_items[-1], "/Count": shown})
        for element in their_items:
            if not element.is_indirect:
                raise Unfit("a bookmark of the attachment is not an indirect object")
            update.put(element.objgen[0], {**dict(element.items()), "/Parent": Ref(attached)})
    if own_items:
        item["/Prev"] = own_items[-1]
        own_items[-1].Next = update.stand_in(attached)
    update.put(attached, item)
    update.put(outlines, {"/Type": Name.Outlines,
                          "/First": own_items[0] if own_items else Ref(attached),
                          "/Last": Ref(attached), "/Count": _shown(ours) + 1 + shown})
    return outlines


def _shown(outline, depth: int = 0) -> int:
    """How many bookmarks under `outline` a viewer shows: its children, and theirs where
    open (a positive /Count), as ISO 32000-1, 12.3.3 counts them."""
    if depth > 50:  # a loop in a damaged outline
        return 0
    shown = 0
    for item in _siblings(outline):
        shown += 1
        if int(item.get("/Count", 0)) > 0:
            shown += _shown(item, depth + 1)
    return shown


def _siblings(outlines) -> list[Dictionary]:
    """The top-level items of an outline, in order; Unfit if one is not a dictionary."""
    items = []
    item = outlines.get("/First") if outlines is not None else None
    while item is not None and len(items) < 10_000:
        if not isinstance(item, Dictionary):
            raise Unfit("a bookmark is not a dictionary")
        items.append(item)
        item = item.get("/Next")
    return items


def _check(pdf: pikepdf.Pdf) -> None:
    """Unfit unless pdf has what _combined reads, of the types it reads it as: a page tree,
    a structure tree with one flat parent tree and whole-number keys, and bookmarks, page
    labels and a role map that are dictionaries where there are any."""
    root = pdf.Root
    pages = _need(root, "/Pages")
    _need(pages, "/Kids", Array)
    _number(pages, "/Count")
    tree = _need(root, "/StructTreeRoot")
    if "/K" not in tree:
        raise Unfit("its structure tree has no elements")
    parents = _need(tree, "/ParentTree")
    if "/Kids" in parents:  # LibreOffice writes one flat /Nums array
        raise Unfit("a PDF with a nested structure parent tree cannot be appended to")
    numbers = parents.get("/Nums", Array())
    if not isinstance(numbers, Array) or len(numbers) % 2:
        raise Unfit("its structure parent tree is not a list of keys and elements")
    for index in range(0, len(numbers), 2):
        if not _whole(numbers[index]):
            raise Unfit("a key of its structure parent tree is not a whole number")
    for key in ("/ParentTreeNextKey",):
        if key in tree:
            _number(tree, key)
    for name, kind in (("/RoleMap", Dictionary),):
        if name in tree:
            _need(tree, name, kind)
    for page in pdf.pages:
        if "/StructParents" in page.obj:
            _number(page.obj, "/StructParents")
        annotations = page.obj.get("/Annots", Array())
        if not isinstance(annotations, Array):
            raise Unfit("a page's annotations are not a list")
        for annotation in annotations:
            if not isinstance(annotation, Dictionary):
                raise Unfit("a page's annotation is not a dictionary")
            if "/StructParent" in annotation:
                _number(annotation, "/StructParent")
    if "/PageLabels" in root:
        labels = _need(root, "/PageLabels")
        if "/Nums" in labels:
            _need(labels, "/Nums", Array)
    if "/Outlines" in root:
        _check_outline(_need(root, "/Outlines"))


def _check_outline(outline: Dictionary, depth: int = 0) -> None:
    """Unfit unless every bookmark under outline is a dictionary with a whole-number count."""
    if depth > 50:  # a loop in a damaged outline; _shown stops there as well
        return
    for item in _siblings(outline):
        if "/Count" in item:
            _number(item, "/Count")
        _check_outline(item, depth + 1)


def _need(container: Dictionary, key: str, kind: type = Dictionary):
    """container[key] when it is a `kind` (a Dictionary unless said); Unfit otherwise."""
    value = container.get(key)
    if not isinstance(value, kind):
        raise Unfit(f"it has no {key[1:]}" if value is None
                    else f"its {key[1:]} is not a {kind.__name__.lower()}")
    return value


def _number(container: Dictionary, key: str) -> int:
    """container[key] when it is a whole number; Unfit otherwise."""
    value = container.get(key)
    if not _whole(value):
        raise Unfit(f"its {key[1:]} is not a whole number")
    return int(value)


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _next_key(tree: Dictionary) -> int:
    """The first parent-tree key not in use (LibreOffice numbers them from 0, flat)."""
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
        # What is not a dictionary here names no font a subset tag could be read from.
        for font in _values(resources.get("/Font")):
            for one in [font, *_values(font.get("/DescendantFonts"))]:
                if one.objgen not in seen:
                    seen.add(one.objgen)
                    yield one
        for form in reversed(_values(resources.get("/XObject"))):
            if form.get("/Subtype") == "/Form" and form.objgen not in seen:
                seen.add(form.objgen)
                stack.append(form.get("/Resources"))


def _values(container) -> list:
    """The dictionaries and streams (a form's) among the values of a dictionary or the items
    of an array."""
    found = (container.values() if isinstance(container, Dictionary)
             else container if isinstance(container, Array) else ())
    return [value for value in found if isinstance(value, (Dictionary, pikepdf.Stream))]


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
