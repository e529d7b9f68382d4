"""Text hygiene: the characters a case file's text may not hold, found once, at load."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from ruamel.yaml.reader import Reader

# Bidirectional controls reorder what a reader sees without changing what the file says:
# "\u202e000 001" is shown as «100 000». samdok's documents are Norwegian and Sámi, written
# left to right, so no text needs them.
BIDI = frozenset({0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)})

# Invisible characters that have a real, harmless use: they join, hyphenate or hold words
# together but never reorder or hide text. They pass with a warning (--strict refuses them),
# so a writer who meant them keeps them and nobody else is surprised by them.
WARNED = {
    0x0009: ("a tab, which the document shows as a gap of varying width",
             "use a space (or a list, for aligned items)"),
    0x00AD: ("an invisible hyphenation point, shown only where a line breaks there",
             "keep it if the break point is meant; otherwise delete it"),
    0x200C: ("an invisible character that keeps neighbouring letters from joining",
             "keep it only where the script needs it; Norwegian and Sámi text does not"),
    0x200D: ("an invisible character that joins neighbouring letters or symbols",
             "keep it only where the script needs it; Norwegian and Sámi text does not"),
    0x2060: ("an invisible character that keeps the words around it on one line",
             "use a no-break space (U+00A0) instead, or delete it"),
}

_INVISIBLE_HINT = ("delete it: most editors do not show it, so delete the text around the "
                   "place named and type it again")


@dataclass(frozen=True)
class Finding:
    """One unwanted character in a text: where in the text, which, and what to say."""

    index: int  # position in the text, in characters
    char: str
    count: int  # how often the same character occurs in the text
    severity: str  # "error" or "warning"
    message: str
    hint: str


def describe(char: str) -> str:
    """U+202E RIGHT-TO-LEFT OVERRIDE; characters without a name get their Unicode label."""
    code = ord(char)
    name = unicodedata.name(char, "")
    if not name:
        category = unicodedata.category(char)
        name = {"Cc": "<control>", "Cs": "<surrogate>"}.get(category, "<unassigned>")
        if _noncharacter(code):
            name = "<noncharacter>"
    return f"U+{code:04X} {name}"


def _noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def judge(char: str) -> tuple[str, str, str] | None:
    """(severity, what is wrong, hint) for a character a text may not hold silently, or None.

    Only characters that str.isprintable() rejects get here: controls (Cc), format characters
    (Cf), surrogates (Cs), separators other than the space (Zs, Zl, Zp), private-use (Co) and
    unassigned (Cn) code points.
    """
    code = ord(char)
    category = unicodedata.category(char)
    if code in WARNED:
        return ("warning", *WARNED[code])
    if code in BIDI:
        return ("error", "an invisible control that can make the document show the text "
                "around it in another order than the file has it",
                _INVISIBLE_HINT + "; samdok's documents are written left to right and need "
                "no direction marks")
    if code == 0xFEFF:
        return ("error", "a byte order mark inside the text (invisible)", _INVISIBLE_HINT)
    if category == "Cf":
        return ("error", "an invisible formatting character, so the document would hold text "
                "its readers cannot see", _INVISIBLE_HINT)
    if category == "Cs":
        return ("error", "half of a character (a lone surrogate), which no document can hold",
                "write the character itself; in a double-quoted text, a character beyond "
                "U+FFFF is written as one escape such as \\U0001F600, not as two \\u escapes")
    if category == "Cc" and 0x80 <= code <= 0x9F:
        meant = _windows_1252(code)
        return ("error", "a control character (C1), which a document cannot show",
                (f"it is probably '{meant}' from text saved as Windows-1252: write '{meant}' "
                 "instead" if meant else "delete it"))
    if category == "Cc":
        return ("error", "a control character, which a document cannot show and a Word "
                "file cannot hold",
                "delete it; in a double-quoted text, remove the escape (such as \\x07 or \\a) "
                "that wrote it; a line break is written as a new line in a '|' block")
    if category in ("Zl", "Zp"):
        return ("error", "a line or paragraph separator, which YAML, Word and PDF readers "
                "each treat differently", "use an ordinary line break (write the text as a "
                "'|' block)")
    if _noncharacter(code):
        return ("error", "not a character (a Unicode noncharacter)", "delete it")
    return None  # no-break and other spaces, private-use and unassigned code points are shown


def _windows_1252(code: int) -> str:
    """The character a C1 code stands for when Windows-1252 text was read as Latin-1."""
    try:
        return bytes([code]).decode("cp1252")
    except UnicodeDecodeError:
        return ""


# Characters YAML handles before samdok sees a value: the ones its reader refuses outright
# (raw controls other than tab and line breaks, DEL, C1 other than NEL, surrogates, U+FFFE,
# U+FFFF; ruamel's own list) and the line breaks it folds into a space or reads as the end of
# a line (NEL, U+2028, U+2029) where an editor shows none.
RAW = re.compile(f"{Reader.NON_PRINTABLE.pattern}|[\x85\u2028\u2029]")


def raw_findings(text: str) -> list[tuple[int, str]]:
    """(index, character) of every character in a file's raw text that YAML would refuse or
    silently turn into something else."""
    return [(m.start(), m.group()) for m in RAW.finditer(text)]


def visible(text: str) -> str:
    """text with every character findings() would name written as <U+XXXX>."""
    if text.isprintable():
        return text
    return "".join(f"<U+{ord(c):04X}>" if not c.isprintable() and judge(c) else c
                   for c in text)


def findings(text: str) -> list[Finding]:
    """Every unwanted character in text, the first occurrence of each, in order."""
    if text.isprintable() or all(part.isprintable() for part in text.split("\n")):
        return []  # the common case, decided in C: nothing but printable characters and "\n"
    first: dict[str, int] = {}
    counts: dict[str, int] = {}
    for index, char in enumerate(text):
        if char != "\n" and not char.isprintable():
            counts[char] = counts.get(char, 0) + 1
            first.setdefault(char, index)
    out = []
    for char, index in first.items():
        judged = judge(char)
        if judged:
            out.append(Finding(index, char, counts[char], *judged))
    return out


# In a double-quoted YAML scalar a character may come from an escape rather than stand in
# the file itself; these are the escapes YAML 1.2 knows.
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.S)
_NAMED = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v",
          "f": "\f", "r": "\r", "e": "\x1b", "N": "\x85", "_": "\xa0", "L": "\u2028",
          "P": "\u2029"}


def source_offsets(source: str, char: str, escapes: bool) -> Iterator[int]:
    """Offsets in the source of a scalar where char is written, literally or (escapes=True,
    a double-quoted scalar) as an escape."""
    if not escapes:
        yield from (m.start() for m in re.finditer(re.escape(char), source))
        return
    pos = 0
    for match in _ESCAPE.finditer(source):
        yield from (pos + m.start() for m in re.finditer(re.escape(char),
                                                          source[pos:match.start()]))
        body = match.group(1)
        decoded = chr(int(body[1:], 16)) if len(body) > 1 else _NAMED.get(body, body)
        if decoded == char:
            yield match.start()
        pos = match.end()
    yield from (pos + m.start() for m in re.finditer(re.escape(char), source[pos:]))
