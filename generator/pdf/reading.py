"""Reading a PDF's body text and characters back, with pdfplumber or pypdfium2, normalised alike."""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass
from pathlib import Path

# Points (1/72 inch) kept clear of the crop line, so a body line close to the margin survives.
MARGIN_SLACK = 4.0
DEFAULT_MARGINS = (72.0, 62.0)  # top, bottom in points: used when the .docx is not there

PLUMBER, PDFIUM = "pdfplumber", "pdfium"
# pdfium marks a hyphen that ends a line with this character; pdfplumber keeps the "-".
PDFIUM_HYPHEN = "\x02"
FPDF_PAGEOBJ_FORM = 5


def normalise(text: str) -> str:
    """One space between words: line breaks, non-breaking spaces and runs of blanks collapse."""
    text = text.replace("\u00ad", "")  # soft hyphens
    # A line that ends in a hyphenated word ("Lillehammer-" / "regionen") is one word again.
    text = re.sub(r"(?<=\w)-\n(?=\w)", "-", text)
    return " ".join(text.split())


class Unreadable(Exception):
    """A reader could not open or parse the PDF; the message says why."""


@dataclass
class Reading:
    """What one reader made of a PDF's pages: the body text (normalised) and every character
    ({"text", "fontname"}, as pdfplumber names them) of each page, for the archive checks."""

    reader: str
    text: str
    chars: list[list[dict]]


def _box(width: float, height: float, margins: tuple[float, float]) -> tuple[float, float]:
    """The body's top and bottom, measured from the top of the page (header, footer cut off)."""
    top, bottom = margins
    return max(0.0, top - MARGIN_SLACK), min(height, height - bottom + MARGIN_SLACK)


def with_pdfplumber(pdf: Path, margins: tuple[float, float] = DEFAULT_MARGINS,
                    pages: int | None = None) -> Reading:
    """pdfplumber's reading of every page (or the first `pages`): about 0.1 s of CPU a page."""
    parts, chars = plumber_pages(pdf, margins, range(pages) if pages else None)
    return Reading(PLUMBER, normalise("\n".join(parts)), chars)


def plumber_pages(pdf: Path, margins: tuple[float, float],
                  indexes: range | None = None) -> tuple[list[str], list[list[dict]]]:
    """pdfplumber's text (not normalised) and characters of each page, or of the pages with
    these indexes (from 0): a long document can be read in parts by several processes."""
    import pdfplumber
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    parts, chars = [], []
    numbers = [index + 1 for index in indexes] if indexes is not None else None
    try:
        with pdfplumber.open(str(pdf), pages=numbers) as doc:
            for page in doc.pages:
                upper, lower = _box(page.width, page.height, margins)
                parts.append(page.crop((0, upper, page.width, lower)).extract_text() or "")
                chars.append([{"text": c["text"], "fontname": c.get("fontname", "")}
                              for c in page.chars])
                page.close()  # its cached objects (every character's layout) go now
    except (PdfminerException, MalformedPDFException, PSException, ValueError, KeyError,
            TypeError, AttributeError) as exc:
        raise Unreadable(f"pdfplumber: {exc}") from None
    return parts, chars


def with_pdfium(pdf: Path, margins: tuple[float, float] = DEFAULT_MARGINS,
                pages: int | None = None) -> tuple[Reading, bool]:
    """pypdfium2's reading of every page (or the first `pages`): a few milliseconds a page.
    Also says whether those pages carry /ActualText other than blanks: pdfium reads such
    text instead of the glyphs drawn, pdfplumber reads the glyphs (LibreOffice only writes
    one for a non-breaking space)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    parts, chars, replaced = [], [], False
    try:
        doc = pdfium.PdfDocument(str(pdf))
    except pdfium.PdfiumError as exc:
        raise Unreadable(f"pdfium: {exc}") from None
    try:
        for index in range(len(doc) if pages is None else min(pages, len(doc))):
            try:
                page = doc[index]
                textpage = page.get_textpage()
            except pdfium.PdfiumError as exc:
                raise Unreadable(f"pdfium: {exc}") from None
            try:
                width, height = page.get_size()
                upper, lower = _box(width, height, margins)
                # pdfium measures from the bottom of the page.
                text = textpage.get_text_bounded(0, height - lower, width, height - upper)
                parts.append(text.replace("\r\n", "\n").replace(PDFIUM_HYPHEN, "-"))
                chars.append(_pdfium_chars(textpage, raw))
                replaced = replaced or _actual_text(page, raw)
            finally:
                textpage.close()
                page.close()
    finally:
        doc.close()
    return Reading(PDFIUM, normalise("\n".join(parts)), chars), replaced


def _pdfium_chars(textpage, raw) -> list[dict]:
    """Each character pdfium found but blanks (which the archive checks pass over), with its
    font's name where it is a letter; a glyph without a Unicode mapping reads U+FFFD."""
    count = raw.FPDFText_CountChars(textpage)
    # The text in one call: UTF-16, one unit a character unless one lies beyond U+FFFF (then
    # each character is asked for on its own).
    units = (ctypes.c_ushort * (count + 1))()
    written = raw.FPDFText_GetText(textpage, 0, count, units) - 1 if count else 0
    whole = bytes(units)[:2 * max(0, written)].decode("utf-16-le", "replace")
    aligned = written == count and len(whole) == count
    names: dict[int | None, str] = {}
    buffer = ctypes.create_string_buffer(256)
    found = []
    for index in range(count):
        if raw.FPDFText_HasUnicodeMapError(textpage, index):
            found.append({"text": "\ufffd", "fontname": ""})
            continue
        text = whole[index] if aligned else chr(raw.FPDFText_GetUnicode(textpage, index))
        if text.isspace():
            continue
        name = ""
        if text.isalpha():  # the letters check asks letters' fonts only
            obj = raw.FPDFText_GetTextObject(textpage, index)
            key = ctypes.cast(obj, ctypes.c_void_p).value
            if key not in names:  # one font lookup per text object, not per character
                font = raw.FPDFTextObj_GetFont(obj) if key else None
                size = raw.FPDFFont_GetBaseFontName(font, buffer, len(buffer)) if font else 0
                names[key] = buffer.value.decode("utf-8", "replace") if size else ""
            name = names[key]
        found.append({"text": text, "fontname": name})
    return found


def _actual_text(page, raw) -> bool:
    """Whether any object drawn on the page (forms' contents too) is marked with /ActualText
    that is not blank."""
    length = ctypes.c_ulong()

    def marked(obj) -> bool:
        for index in range(max(0, raw.FPDFPageObj_CountMarks(obj))):
            mark = raw.FPDFPageObj_GetMark(obj, index)
            if not raw.FPDFPageObjMark_GetParamStringValue(mark, b"ActualText", None, 0,
                                                            ctypes.byref(length)):
                continue
            value = (ctypes.c_ushort * (length.value // 2 + 1))()  # UTF-16LE, length in bytes
            raw.FPDFPageObjMark_GetParamStringValue(mark, b"ActualText", value,
                                                    ctypes.sizeof(value), ctypes.byref(length))
            text = bytes(value)[:length.value].decode("utf-16-le", "replace")
            if text.strip("\x00").strip():
                return True
        if raw.FPDFPageObj_GetType(obj) == FPDF_PAGEOBJ_FORM:
            return any(marked(raw.FPDFFormObj_GetObject(obj, i))
                       for i in range(raw.FPDFFormObj_CountObjects(obj)))
        return False

    return any(marked(raw.FPDFPage_GetObject(page, i))
               for i in range(raw.FPDFPage_CountObjects(page)))
