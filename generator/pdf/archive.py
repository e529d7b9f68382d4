"""Archive and accessibility checks of a finished PDF: PDF/A-2b claims, tags, language, fonts."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# Norwegian and Sami letters every embedded font must draw itself (README, Signing and the archive).
LETTERS = "æøåÆØÅáčđŋšŧžÁČĐŊŠŦŽ"
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")

# Info-dictionary entries and the XMP properties PDF/A requires them to agree with
# (ISO 19005-2, 6.6.2.3.1). Dates are left out: their two notations need a parser to compare.
INFO_XMP = {
    "/Title": "dc:title",
    "/Author": "dc:creator",
    "/Subject": "dc:description",
    "/Keywords": "pdf:Keywords",
    "/Creator": "xmp:CreatorTool",
    "/Producer": "pdf:Producer",
}

NOT_PDFA_HINT = ("LibreOffice fell back to a plain PDF; rebuild with 'samdok build' and check "
                 "that the PDF export options in generator/pdf/convert.py are intact")


@dataclass(frozen=True)
class Failure:
    """One archive or accessibility property a PDF lacks."""

    property: str  # "PDF/A", "tags", "language", "title", "metadata", "fonts", "letters", "text"
    message: str

    def __str__(self) -> str:
        return f"{self.property}: {self.message}"


def identification(pdf: Path | BinaryIO) -> str | None:
    """The PDF/A part and conformance the XMP metadata claims ("2B"), or None."""
    import pikepdf

    try:
        with pikepdf.open(pdf) as doc:
            meta = doc.open_metadata(set_pikepdf_as_editor=False)
            part, level = meta.get("pdfaid:part"), meta.get("pdfaid:conformance")
    except pikepdf.PdfError:
        return None
    return f"{part}{level or ''}" if part else None


def archive_claims(pdf: Path | BinaryIO) -> list[Failure]:
    """The PDF/A identification and its agreement with the document info: what an incremental
    update (a signature) could spoil, unlike the content checked by check()."""
    import pikepdf

    try:
        with pikepdf.open(pdf) as doc:
            return identification_failures(doc) + _metadata(doc)
    except pikepdf.PdfError as exc:
        return [Failure("PDF", f"cannot be read ({exc})")]


def check(pdf: Path, language: str, title: str, pages: int | None = None,
          chars: list[list[dict]] | None = None) -> list[Failure]:
    """Every property an archived, accessible agreement needs that `pdf` does not have.

    Checked: the XMP claims PDF/A part 2, conformance B; the document is tagged (/MarkInfo
    /Marked true and a structure tree); /Lang is `language`; title in XMP and document info
    is `title` and viewers show it; document info agrees with XMP; every font used by pages,
    forms, annotations and Type 3 glyphs is embedded (descendant fonts of Type 0 included);
    every Norwegian or Sami letter in the text is drawn by a font that also draws the plain
    letters (LibreOffice draws a letter its font lacks with a fallback font); every character
    has a Unicode mapping. Not checked: the full PDF/A rule set (no validator such as veraPDF
    is run), and whether the glyphs look right.

    `pages`: fonts and letters on the first so many pages only (the rest is an attached PDF
    checked on its own, see verify.py); the whole document's claims are checked all the same.
    `chars`: pdfplumber's characters of those pages, when the caller has read them already.
    """
    import pikepdf

    try:
        doc = pikepdf.open(pdf)
    except (pikepdf.PdfError, OSError) as exc:
        return [Failure("PDF", f"cannot be read ({exc})")]
    with doc:
        failures = identification_failures(doc) + tag_failures(doc) + _language(doc, language)
        failures += _title(doc, title) + _metadata(doc)
        embedded, missing = _font_names(doc, pages)
    failures += [Failure("fonts", f"font '{name}' is not embedded; hint: the template should "
                         "name fonts installed on the build machine (Carlito)")
                 for name in sorted(missing)]
    return failures + _letters(pdf, embedded, pages, chars)


def identification_failures(doc) -> list[Failure]:
    meta = doc.open_metadata(set_pikepdf_as_editor=False)
    part, level = meta.get("pdfaid:part"), meta.get("pdfaid:conformance")
    if not part:
        return [Failure("PDF/A", f"not PDF/A: no pdfaid:part in the XMP metadata; {NOT_PDFA_HINT}")]
    failures = []
    if str(part) != "2":
        failures.append(Failure("PDF/A", f"claims PDF/A part {part}, expected part 2"))
    if str(level).upper() != "B":
        failures.append(Failure("PDF/A", f"claims conformance {level or 'none'}, expected B"))
    return failures


def tag_failures(doc) -> list[Failure]:
    failures = []
    mark = doc.Root.get("/MarkInfo")
    if mark is None or not bool(mark.get("/Marked", False)):
        failures.append(Failure("tags", "not tagged: /MarkInfo /Marked is not true; screen "
                                "readers get no structure"))
    if "/StructTreeRoot" not in doc.Root:
        failures.append(Failure("tags", "no structure tree (/StructTreeRoot)"))
    return failures


def _language(doc, language: str) -> list[Failure]:
    lang = doc.Root.get("/Lang")
    if lang is None:
        return [Failure("language", f"no document language (/Lang); expected {language}")]
    if str(lang).lower() != language.lower():
        return [Failure("language", f"document language is {lang}, expected {language}")]
    return []


def _title(doc, title: str) -> list[Failure]:
    meta = doc.open_metadata(set_pikepdf_as_editor=False)
    failures = []
    for where, value in (("XMP dc:title", meta.get("dc:title")),
                         ("document info /Title", doc.docinfo.get("/Title"))):
        if value is None:
            failures.append(Failure("title", f"no {where}; expected '{title}'"))
        elif str(value) != title:
            failures.append(Failure("title", f"{where} is '{value}', expected '{title}'"))
    prefs = doc.Root.get("/ViewerPreferences")
    if prefs is None or not bool(prefs.get("/DisplayDocTitle", False)):
        failures.append(Failure("title", "viewers show the file name, not the title "
                                "(/ViewerPreferences /DisplayDocTitle is not true)"))
    return failures


def _metadata(doc) -> list[Failure]:
    meta = doc.open_metadata(set_pikepdf_as_editor=False)
    if not meta.get("pdfaid:part"):  # a PDF/A rule: reported once, as "not PDF/A", above
        return []
    failures = []
    for key, prop in INFO_XMP.items():
        if key not in doc.docinfo:
            continue
        info = str(doc.docinfo[key])
        xmp = meta.get(prop)
        if isinstance(xmp, list | set):  # dc:creator is a list of names
            xmp = ", ".join(str(v) for v in xmp)
        if xmp is None:
            failures.append(Failure("metadata", f"document info has {key} '{info}' but the XMP "
                                    f"metadata has no {prop}; PDF/A requires both to agree"))
        elif str(xmp) != info:
            failures.append(Failure("metadata", f"document info {key} '{info}' differs from XMP "
                                    f"{prop} '{xmp}'; PDF/A requires them to agree"))
    return failures


def _font_names(doc, pages: int | None = None) -> tuple[set[str], set[str]]:
    """(embedded, not embedded) font names, without subset prefixes."""
    embedded: set[str] = set()
    missing: set[str] = set()
    for font in _fonts(doc, pages):
        name = str(font.get("/BaseFont", "/(unnamed)"))[1:].split("+", 1)[-1]
        (embedded if _is_embedded(font) else missing).add(name)
    return embedded, missing


def _is_embedded(font) -> bool:
    subtype = font.get("/Subtype")
    if subtype == "/Type3":  # glyphs are content streams inside the PDF
        return True
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts")
        if not descendants:
            return False
        font = descendants[0]
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(key in descriptor for key in FONT_FILES)


def _fonts(doc, pages: int | None = None) -> Iterator:
    """Every font reachable from pages, form XObjects, annotation appearances and Type 3 fonts."""
    seen: set[tuple[int, int]] = set()

    def fresh(obj) -> bool:
        key = obj.objgen
        if key == (0, 0):  # a direct object: cannot repeat through a reference
            return True
        if key in seen:
            return False
        seen.add(key)
        return True

    def walk(resources) -> Iterator:
        if resources is None:
            return
        for font in (resources.get("/Font") or {}).values():
            if fresh(font):
                yield font
                if font.get("/Subtype") == "/Type3":
                    yield from walk(font.get("/Resources"))
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get("/Subtype") == "/Form" and fresh(xobject):
                yield from walk(xobject.get("/Resources"))

    for page in itertools.islice(doc.pages, pages):
        node = page.obj
        while node is not None and "/Resources" not in node:  # resources may be inherited
            node = node.get("/Parent")
        yield from walk(node.get("/Resources") if node is not None else None)
        for annot in page.obj.get("/Annots") or []:
            for appearance in (annot.get("/AP") or {}).values():
                streams = ([appearance] if hasattr(appearance, "read_bytes")
                           else list(appearance.values()))
                for stream in streams:
                    if fresh(stream):
                        yield from walk(stream.get("/Resources"))


def page_chars(pdf: Path, pages: int | None = None) -> list[list[dict]]:
    """pdfplumber's characters of every page (or of the first `pages`)."""
    import pdfplumber

    with pdfplumber.open(str(pdf), pages=range(1, pages + 1) if pages else None) as doc:
        return [page.chars for page in doc.pages]


def _letters(pdf: Path, embedded: set[str], pages: int | None = None,
             chars: list[list[dict]] | None = None) -> list[Failure]:
    """Norwegian and Sami letters drawn by the text's own embedded fonts; no unmapped glyphs."""

    def family(fontname: str) -> str:
        return fontname.split("+", 1)[-1].split("-", 1)[0]

    plain_families: set[str] = set()
    special: dict[tuple[str, str], int] = {}  # (letter, font) -> first page
    unmapped: dict[int, int] = {}  # page -> count
    for number, page in enumerate(page_chars(pdf, pages) if chars is None else chars, start=1):
        for char in page:
            text, font = char["text"], char.get("fontname", "")
            if text.isascii() and text.isalpha():
                plain_families.add(family(font))
            elif text in LETTERS:
                special.setdefault((text, font), number)
            elif text == "\ufffd" or text.startswith("(cid:"):
                unmapped[number] = unmapped.get(number, 0) + 1
    failures = []
    for (letter, font), page in sorted(special.items(), key=lambda item: item[1]):
        if font.split("+", 1)[-1] not in embedded:
            failures.append(Failure("letters", f"'{letter}' on page {page} is drawn with "
                                    f"'{font}', which is not embedded"))
        elif family(font) not in plain_families:
            failures.append(Failure("letters", f"'{letter}' on page {page} is drawn with "
                                    f"'{font}', not with the fonts of the text around it "
                                    f"({', '.join(sorted(plain_families))}): a template font "
                                    "lacks a letter and LibreOffice substituted another; hint: "
                                    "name fonts that cover æøå and áčđŋšŧž, such as Carlito"))
    for page, count in sorted(unmapped.items()):
        failures.append(Failure("text", f"{count} character(s) on page {page} have no Unicode "
                                "mapping: screen readers and search cannot read them"))
    return failures
