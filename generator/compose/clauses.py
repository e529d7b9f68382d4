"""The clause library: standard clause texts under templates/klausuler, rendered safely."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .. import errors
from ..model.source import load_yaml
from .document import Block, Item, Paragraph, SubHeading
from .sandbox import PlaceholderError, freeze, render

__all__ = ["Library", "PlaceholderError", "StandardClause", "blocks", "library", "render"]


@dataclass(frozen=True)
class StandardClause:
    """One clause of the library, before rendering."""

    id: str
    heading: str
    text: str
    when: str | None = None
    content: str | None = None
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Library:
    """All standard clauses, fixed labels and phrases for one document kind and language."""

    path: Path
    # Read-only (sandbox.freeze): the library is cached for the whole run, so a change to it
    # would carry over into every later document.
    labels: Mapping[str, str]
    phrases: Mapping[str, Any]
    clauses: tuple[StandardClause, ...]


# A numbered item starts "1. " and a capital letter, so a paragraph that opens with a date
# ("1. januar 2027 …") stays a paragraph.
NUMBERED = re.compile(r"^\d+\.\s+(?=[A-ZÆØÅ«\"])")


# A numbered sub-point: "+ " and its text, or "+ [id] " to give it an id cross-references
# can name. It is numbered after its clause: 3.1, 3.2 … A malformed id ("+ [kval itet] ")
# is taken as an id too, so it is reported (outline.check_anchors), never printed; "+ [[id]]"
# opens with a cross-reference.
SUBPOINT = re.compile(r"^\+\s+(?:\[(?!\[)([^\]]*)\](?:\s+|$))?")


def blocks(text: str, number: int | None = None) -> list[Block]:
    """Rendered text to blocks. Blank lines separate chunks; a chunk whose first line starts
    with "- " is a bulleted list and with "1. " a numbered list (numbered in order, lines
    without a marker continue the item above); "+ " starts a sub-point, numbered N.1, N.2 …
    after the clause's `number` (1., 2. … in a clause without one); "## " starts a
    sub-heading; anything else is one paragraph."""
    out: list[Block] = []
    numbered = 0
    points, clause_number = 0, number  # `number` is reused below for a list's kind
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        if SUBPOINT.match(lines[0]):
            numbered = 0
            for line in lines:
                if (found := SUBPOINT.match(line)):
                    points += 1
                    label = (f"{clause_number}.{points}" if clause_number is not None
                             else f"{points}.")
                    out.append(Item(line[found.end():], label, anchor=found[1] or ""))
                else:
                    out[-1] = dataclasses.replace(out[-1], text=f"{out[-1].text} {line}")
            continue
        if lines[0].startswith("## "):
            out.append(SubHeading(" ".join(lines)[3:].strip()))
            numbered = 0
            continue
        bullet, number = lines[0].startswith("- "), bool(NUMBERED.match(lines[0]))
        if not (bullet or number):
            out.append(Paragraph(" ".join(lines)))
            numbered = 0
            continue
        items: list[str] = []
        for line in lines:
            if bullet and line.startswith("- "):
                items.append(line[2:].strip())
            elif number and NUMBERED.match(line):
                items.append(NUMBERED.sub("", line))
            else:
                items[-1] += " " + line
        for item in items:
            # Numbered items run on across blank lines (as a template's conditions leave
            # them), until a paragraph or heading starts a new list.
            numbered += number
            out.append(Item(item, f"{numbered}." if number else "–"))
    return out


@cache
def library(templates: Path, kind: str, language: str) -> Library:
    """The clause library of one document kind: templates/klausuler/<kind>.<language>.yaml
    on top of the shared felles.<language>.yaml."""
    shared = load_yaml(templates / "klausuler" / f"felles.{language}.yaml")
    own = load_yaml(templates / "klausuler" / f"{kind}.{language}.yaml")
    base, data = shared.data or {}, own.data or {}
    catalogue = dict(base.get("klausuler") or {})
    clauses = []
    for i, entry in enumerate(data.get("klausuler") or []):
        # An id alone takes the shared clause; a mapping defines or replaces one.
        if isinstance(entry, str) and entry in catalogue:
            entry = {"id": entry, **catalogue[entry]}
        try:
            clauses.append(StandardClause(
                id=entry["id"], heading=entry["overskrift"], text=entry.get("tekst", ""),
                when=entry.get("når"), content=entry.get("innhold"),
                evidence=tuple(entry.get("bevis") or ())))
        except (KeyError, TypeError):
            line, _ = own.where(("klausuler", i))
            raise errors.TemplateError(
                f"{own.file}:{line}: a clause needs 'id' and 'overskrift', or the id of a "
                f"clause in {shared.file}") from None
    labels = {**(base.get("etiketter") or {}), **(data.get("etiketter") or {})}
    phrases = {**(base.get("fraser") or {}), **(data.get("fraser") or {})}
    return Library(Path(own.file), freeze(labels), freeze(phrases), tuple(clauses))
