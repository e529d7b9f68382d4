"""Case ids: the one rule every id passes, written in a case, taken from its file name or given
to `samdok new`, because an id names a folder in the output folder."""

from __future__ import annotations

import re
import unicodedata

# Long enough for any real case name, short enough that build/<id>/<document>.pdf and the
# staging names "<id>--<document>.docx" stay far below a file system's 255-byte name limit.
MAX_LENGTH = 64
PATTERN = r"^[a-z0-9][a-z0-9-]*$"  # for the JSON Schema; problem() is what checks
RULE = "lower-case letters a-z, digits and '-', starting with a letter or digit"
# Names Windows gives to devices: a folder build/nul/ cannot be made there, and case
# repositories are built on Windows too.
_DEVICES = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)),
            *(f"lpt{n}" for n in range(1, 10))}


def problem(text: str) -> str | None:
    """Why text is no valid case id ("is empty", ...), or None if it is one."""
    if not text:
        return "is empty"
    if len(text) > MAX_LENGTH:
        return f"is {len(text)} characters long; an id has at most {MAX_LENGTH}"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", text):
        return f"is not allowed here: an id holds only {RULE}"
    if text in _DEVICES:
        return f"is not allowed here: '{text}' names a device on Windows"
    return None


def slug(names: list[str]) -> str:
    """An id from names: Røros, Os, Holtålen -> roros-os-holtalen (may be empty)."""
    text = "-".join(names).lower()
    for letter, plain in (("æ", "ae"), ("ø", "o"), ("å", "a")):
        text = text.replace(letter, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:MAX_LENGTH].rstrip("-")


def suggestion(text: str) -> str:
    """A valid id close to text, for a hint."""
    found = slug([text])
    return found if found and problem(found) is None else "min-sak"
