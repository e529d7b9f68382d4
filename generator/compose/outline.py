"""The agreement's outline: which clauses, in which order (the case's `disposisjon` and
`utelat`), and the numbers sub-points and cross-references print once the order is known."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import CaseError, Problem
from ..model import rules
from ..model.case import LoadedCase
from ..model.outline import OutlineEntry, is_id
from ..model.source import FieldPath, texts
from .clauses import Library, StandardClause
from .document import Clause, Item, Paragraph, SubHeading

# A cross-reference: [[økonomi]] prints the number of the clause (or sub-point) with that id.
# It is replaced after every text is rendered, by a plain lookup: the Jinja sandbox gains no
# function, and a number is all a reference can ever print (never text, so nothing recurses).
REFERENCE = re.compile(r"\[\[([^\[\]\s]{1,80})\]\]")
# The brackets a text may hold, as tokens: a whole [[…]] (its inside free of brackets, so a
# scan stays linear however many "[[" a text holds), or a lone "[[" or "]]". Every token must
# be a reference to a well-formed id: anything else would be printed literally.
BRACKETS = re.compile(r"\[\[([^\[\]]*)\]\]|\[\[|\]\]")
# A sub-point line that gives an id: "+ [" (not "+ [[", a reference), the id, "]" and a space
# or the line's end.
POINT_ID = re.compile(r"^[^\S\n]*\+[^\S\n]+\[(?!\[)([^\]\n]*)(\](?:[^\S\n]|$))?", re.M)
REFERENCE_HINT = ("a cross-reference is [[id]]: two brackets round the id of a clause or "
                  "sub-point, lower-case letters, digits and '_' without spaces, e.g. "
                  "[[økonomi]]; to print brackets, write single ones")
POINT_HINT = ("a sub-point with an id starts '+ [id] ' and its text, e.g. '+ [budsjett] "
              "Budsjettet …'; an id is lower-case letters, digits and '_', starting with a "
              "letter, at most 40 characters")
# Problems of this kind reported at once: a hostile file may hold thousands.
MAX_PROBLEMS = 20

@dataclass(frozen=True)
class Slot:
    """One clause of the agreement in its place: the library's clause (or one made for the
    case's own clause), with what the outline entry gives instead of its heading and text."""

    std: StandardClause
    heading: str | None = None
    text: str | None = None
    addition: str | None = None
    path: FieldPath = ()  # the outline entry in the case file; () when the library decides


def arrange(loaded: LoadedCase, lib: Library, kind: str,
            present: Callable[[StandardClause], bool]) -> list[Slot]:
    """The agreement's clauses in order. Without `disposisjon` that is the library's order
    (less what `utelat` leaves out); with it, the outline's. Every problem at once."""
    case, source = loaded.case, loaded.source
    by_id = {std.id: std for std in lib.clauses}
    required = _required(loaded, kind)
    problems: list[Problem] = []

    def why(clause_id: str) -> tuple[str, str]:
        # The clause, and the provisions that need it (the citation, or samdok's minimum).
        return f"'{clause_id}' ", "; ".join(f"{req.citation(case.form, kind)}: "
                                            f"{req.description}" for req in required[clause_id])

    listed = {entry if isinstance(entry, str) else entry.id for entry in case.outline or ()}

    omitted: set[str] = set()
    for i, clause_id in enumerate(case.omitted):
        path = ("utelat", i)
        if clause_id not in by_id:
            problems.append(source.problem(path, f"'{clause_id}' is not a standard clause of "
                                           f"the {kind}", _ids_hint(lib)))
        elif clause_id in required:
            problems.append(source.problem(
                path, "cannot be left out: ".join(why(clause_id)),
                "keep the clause; to change what it says, give it the case's own text"))
        elif clause_id in omitted:
            problems.append(source.problem(path, f"'{clause_id}' is left out twice",
                                           "list it once"))
        elif clause_id in listed:
            problems.append(source.problem(path, f"'{clause_id}' is both in 'disposisjon' "
                                           "and left out", "remove it from one of them"))
        omitted.add(clause_id)

    slots: list[Slot] = []
    if case.outline is None:
        slots = [Slot(std) for std in lib.clauses if std.id not in omitted and present(std)]
    else:
        seen: set[str] = set()
        for i, entry in enumerate(case.outline):
            slot = _slot(loaded, lib, kind, entry, ("disposisjon", i), present, problems)
            if slot is None:
                continue
            if slot.std.id in seen:
                problems.append(source.problem(("disposisjon", i), f"'{slot.std.id}' is in "
                                               "the outline twice", "list each clause once"))
                continue
            seen.add(slot.std.id)
            slots.append(slot)
        for std in lib.clauses:
            if std.id in seen or std.id in omitted or not present(std):
                continue
            if std.id in required:
                problems.append(source.problem(
                    ("disposisjon",), "is missing from the outline: ".join(why(std.id)),
                    f"add '{std.id}' where it belongs"))
            else:
                problems.append(source.problem(
                    ("disposisjon",), f"the standard clause '{std.id}' ({std.heading}) is "
                    "neither in the outline nor left out",
                    f"add '{std.id}' where it belongs, or list it under 'utelat'"))
    problems += _overrides(loaded, lib, slots, omitted)
    if problems:
        raise CaseError(problems)
    return slots


def _slot(loaded: LoadedCase, lib: Library, kind: str, entry: str | OutlineEntry,
          path: FieldPath, present: Callable[[StandardClause], bool],
          problems: list[Problem]) -> Slot | None:
    source = loaded.source
    std = next((s for s in lib.clauses if s.id == (entry if isinstance(entry, str)
                                                  else entry.id)), None)
    if isinstance(entry, str):
        if std is None:
            problems.append(source.problem(path, f"'{entry}' is not a standard clause of the "
                                           f"{kind}", _ids_hint(lib) + "; the case's own "
                                           "clause is a mapping with id, overskrift and tekst"))
            return None
    elif std is None:
        if not (entry.heading and entry.text) or entry.addition:
            problems.append(source.problem(
                path, f"'{entry.id}' is not a standard clause of the {kind}, so it is the "
                "case's own clause and needs 'overskrift' and 'tekst' (and no 'tillegg')",
                _ids_hint(lib)))
            return None
        return Slot(StandardClause(entry.id, entry.heading, entry.text), entry.heading,
                    entry.text, None, path)
    if not present(std):
        problems.append(source.problem(
            path, f"the standard clause '{std.id}' needs '{std.when}' in the case",
            f"add '{std.when.split('.')[0]}:' to the case, or take '{std.id}' out of the "
            "outline"))
        return None
    if isinstance(entry, str):
        return Slot(std, path=path)
    if entry.text and entry.addition:
        problems.append(source.problem(path, "both 'tekst' and 'tillegg'",
                                       "put the addition into the text"))
    return Slot(std, entry.heading, entry.text, entry.addition, path)


def _overrides(loaded: LoadedCase, lib: Library, slots: list[Slot],
               omitted: set[str]) -> list[Problem]:
    """`klausuler` entries that would contradict the outline: a text for a clause left out,
    for the case's own clause, or for a clause whose outline entry already gives one."""
    problems = []
    standard = {std.id for std in lib.clauses}
    by_id = {slot.std.id: slot for slot in slots}
    for clause_id, override in loaded.case.clauses.items():
        path = ("klausuler", clause_id)
        slot = by_id.get(clause_id)
        if clause_id in omitted:
            problems.append(loaded.source.problem(path, f"'{clause_id}' is left out (utelat) "
                                                  "but has a text here", "remove one of them",
                                                  key=True))
        elif slot is not None and clause_id not in standard:
            problems.append(loaded.source.problem(path, f"'{clause_id}' is the case's own "
                                                  "clause in 'disposisjon'", "write its text "
                                                  "there, not under 'klausuler'", key=True))
        elif slot is not None and ((slot.text and (override.text or override.addition))
                                   or (slot.heading and override.heading)
                                   or (slot.addition and (override.text or override.addition))):
            problems.append(loaded.source.problem(path, f"'{clause_id}' is given its text or "
                                                  "heading both here and in 'disposisjon'",
                                                  "write it in one place", key=True))
    return problems


def _required(loaded: LoadedCase, kind: str) -> dict[str, list[rules.Requirement]]:
    """The clauses the rules need in this agreement of this form, with the requirements."""
    out: dict[str, list[rules.Requirement]] = {}
    for req in rules.enforced(kind, loaded.case.form, loaded.source.data):
        if req.clause:
            out.setdefault(req.clause, []).append(req)
    return out


def _ids_hint(lib: Library) -> str:
    return "standard ids: " + ", ".join(std.id for std in lib.clauses)


# --- numbers: sub-points and cross-references --------------------------------------------

def anchors(clauses: list[Clause], outside: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every id a cross-reference may name, with what it prints: a numbered clause's number,
    a sub-point's label (N.M); `outside` adds another document's (the agreement's, for the
    case submission that has it attached)."""
    out = dict(outside or {})
    for clause in clauses:
        if clause.numbered:
            out[clause.id] = str(clause.number)
        for block in clause.blocks:
            if isinstance(block, Item) and block.anchor:
                out[block.anchor] = block.label.rstrip(".")
    return out


def check_anchors(loaded: LoadedCase, clauses: list[Clause],
                  outside: Mapping[str, str] | None = None) -> None:
    """Sub-point ids are well-formed and unique among the document's clause and sub-point
    ids and those of `outside` (the attached agreement's): a cross-reference must name one
    place only."""
    problems = []
    seen = {clause.id for clause in clauses} | set(outside or ())
    for clause in clauses:
        for block in clause.blocks:
            if not (isinstance(block, Item) and block.anchor):
                continue
            needle = f"[{block.anchor}]"
            if not is_id(block.anchor):
                problems.append(_at(loaded, needle, f"sub-point id '{block.anchor}' in clause "
                                    f"'{clause.id}' is not an id", POINT_HINT))
            elif block.anchor in seen:
                problems.append(_at(loaded, needle, f"sub-point id '{block.anchor}' in clause "
                                    f"'{clause.id}' is already the id of a clause or "
                                    "sub-point", "give each sub-point an id of its own"))
            seen.add(block.anchor)
    if problems:
        raise CaseError(problems)


def resolve(loaded: LoadedCase, clause: Clause, numbers: Mapping[str, str]) -> Clause:
    """The clause with every [[id]] in its heading, blocks and evidence replaced by the
    number of that clause or sub-point."""
    def sub(text: str) -> str:
        if "[[" not in text and "]]" not in text:
            return text
        found = bracket_problem(text)
        if found:
            # The case file's texts are checked before rendering (check_brackets): this one
            # was made by a placeholder, so it is located at the file.
            raise CaseError([_at(loaded, "\0", *found)])
        return REFERENCE.sub(lambda m: _number(loaded, m[1], numbers), text)

    blocks = tuple(dataclasses.replace(block, text=sub(block.text))
                   if isinstance(block, Paragraph | Item | SubHeading) else block
                   for block in clause.blocks)
    return dataclasses.replace(clause, heading=sub(clause.heading), blocks=blocks,
                               evidence=tuple(sub(e) for e in clause.evidence))


def _number(loaded: LoadedCase, name: str, numbers: Mapping[str, str]) -> str:
    if name in numbers:
        return numbers[name]
    known = ", ".join(sorted(numbers)) or "none"
    raise CaseError([_at(loaded, f"[[{name}]]", f"cross-reference [[{name}]]: no clause or "
                         f"sub-point has the id '{name}'", f"ids in this document: {known}")])


def check_brackets(loaded: LoadedCase) -> None:
    """Every "[[" and "]]" in the case file belongs to a well-formed cross-reference [[id]],
    and every sub-point line that opens an id ("+ [") gives a well-formed one: a malformed one
    is an error at its text, never printed literally."""
    problems: list[Problem] = []
    for path, text in texts(loaded.source.data):
        found = (bracket_problem(_literal(text)) if ("[[" in text or "]]" in text
                                                     or "[" in text and "+" in text) else None)
        if found:
            problems.append(loaded.source.problem(path, *found))
            if len(problems) >= MAX_PROBLEMS:
                break
    if problems:
        raise CaseError(problems)


def _literal(text: str) -> str:
    """The text as written, without its placeholders and statements: there "[[1]]" is a
    list. A text Jinja cannot read is taken whole (rendering it reports the problem)."""
    from jinja2 import TemplateSyntaxError

    from .sandbox import text_environment

    try:
        return " ".join(value for _, kind, value in text_environment().lex(text)
                        if kind == "data")
    except TemplateSyntaxError:
        return text


def bracket_problem(text: str) -> tuple[str, str] | None:
    """What is wrong with the first malformed reference or unclosed sub-point id in text
    (message, hint), or None."""
    for m in BRACKETS.finditer(text):
        if m[1] is not None and is_id(m[1]):
            continue
        shown = _shown(text[m.start():m.start() + 30])
        if m[1] is not None:
            return f"{_shown(m[0])} is not a cross-reference", REFERENCE_HINT
        if m[0] == "[[":
            return f"'[[' is not closed by ']]' (at {shown})", REFERENCE_HINT
        return f"']]' closes no '[[' (at {_shown(text[max(0, m.start() - 28):m.end()])})", \
            REFERENCE_HINT
    for m in POINT_ID.finditer(text):
        # A closed id is checked with the others, once the sub-points are read
        # (check_anchors), so every problem with them is reported at once.
        if m[2] is None:
            return (f"the sub-point id is not closed by '] ' (at {_shown(m[0].strip())})",
                    POINT_HINT)
        if not m[1].strip():
            return "the sub-point id between '[' and ']' is empty", POINT_HINT
    return None


def _shown(text: str, most: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[:most] + "…"


def check_unreferenced(loaded: LoadedCase, document: Any) -> None:
    """A cross-reference outside the clause texts (the title, a signatory, the header) is an
    error at its text: only clause texts have their references replaced."""
    for value in _strings({name: getattr(document, name) for name in
                           ("title", "subtitle", "signatories", "place_and_date", "header")}):
        if "[[" in value:
            needle = next((m[0] for m in BRACKETS.finditer(value)), "[[")
            path = next(_holding(loaded.source.data, value, ()),
                        next(_holding(loaded.source.data, needle, ()), ()))
            raise CaseError([loaded.source.problem(
                path, f"{_shown(needle)} is a cross-reference where none is replaced (titles, "
                "names, places and dates are printed as written)",
                "cross-references work in clause texts and case-submission texts; write the "
                "clause's name here instead")])


def _strings(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, Mapping):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list | tuple):
        for value in data:
            yield from _strings(value)
    elif dataclasses.is_dataclass(data) and not isinstance(data, type):
        for item in dataclasses.fields(data):
            yield from _strings(getattr(data, item.name))


def _at(loaded: LoadedCase, needle: str, message: str, hint: str) -> Problem:
    """A problem at the first text of the case file that holds `needle`; at the file when
    none does (a placeholder made it)."""
    path = next(_holding(loaded.source.data, needle, ()), ())
    return loaded.source.problem(path, message, hint)


def _holding(data: Any, needle: str, path: FieldPath) -> Iterator[FieldPath]:
    if isinstance(data, str):
        if needle in data:
            yield path
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _holding(value, needle, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _holding(value, needle, (*path, i))


def text_path(loaded: LoadedCase, clause_id: str) -> FieldPath | None:
    """Where the case file gives a clause its own text: its outline entry or its
    `klausuler` entry; None when the library's text stands."""
    for i, entry in enumerate(loaded.case.outline or ()):
        if isinstance(entry, OutlineEntry) and entry.id == clause_id and entry.text:
            return ("disposisjon", i, "tekst")
    override = loaded.case.clauses.get(clause_id)
    if override is not None and override.text:
        return ("klausuler", clause_id, "tekst")
    return None
