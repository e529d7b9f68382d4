"""Statutory and minimum requirements, read from data/regler.yaml and checked against a case."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from ruamel.yaml import YAML

from ..errors import Problem

if TYPE_CHECKING:  # case.py asks for the rules of a file it could not validate
    from .case import LoadedCase
    from .source import LoadedFile


@dataclass(frozen=True)
class Requirement:
    """One requirement: what it asks, its legal basis, and what in the case satisfies it."""

    id: str
    documents: tuple[str, ...]
    forms: tuple[str, ...] | None  # None: every form
    citations: dict[str, str]  # cooperation form -> citation; "alle" for every other form
    description: str
    field: str
    clause: str
    note: str = ""

    def citation(self, form: str) -> str:
        return self.citations.get(form, self.citations["alle"])

    def applies(self, document: str, form: str) -> bool:
        return document in self.documents and (self.forms is None or form in self.forms)


@cache
def requirements() -> tuple[Requirement, ...]:
    """All requirements in the rules file, in file order."""
    text = (resources.files("generator") / "data" / "regler.yaml").read_text(encoding="utf-8")
    data = YAML(typ="safe", pure=True).load(text)
    out = []
    for entry in data["krav"]:
        scope = entry["gjelder"]
        forms = scope["samarbeidsform"]
        out.append(Requirement(
            id=entry["id"],
            documents=tuple(scope["dokument"]),
            forms=None if forms == "alle" else tuple(forms),
            citations=(dict(entry["hjemmel"]) if isinstance(entry["hjemmel"], dict)
                       else {"alle": entry["hjemmel"]}),
            description=entry["beskrivelse"],
            field=entry["felt"],
            clause=entry["klausul"],
            note=entry.get("merknad", ""),
        ))
    return tuple(out)


def applicable(document: str, form: str) -> list[Requirement]:
    """The requirements one document of one cooperation form must meet."""
    return [r for r in requirements() if r.applies(document, form)]


def check(loaded: LoadedCase) -> list[Problem]:
    """One problem per unmet requirement, each citing its legal basis."""
    return check_data(loaded.source, loaded.case.documents, loaded.case.form)


def check_data(source: LoadedFile, documents: list[str], form: str) -> list[Problem]:
    """The same, from the file's data: for a case whose other fields did not validate."""
    problems: list[Problem] = []
    for document in dict.fromkeys(documents):
        for req in applicable(document, form):
            if any(p.field == req.field for p in problems):
                continue  # required by two documents of the case: say it once
            path = tuple(req.field.split("."))
            if _empty(_get(source.data, path)):
                # A missing key has no line of its own: point at its parent mapping, if any.
                parent = path[:-1]
                line, column = (source.where(parent) if parent and
                                _get(source.data, parent) is not None else (None, None))
                problems.append(Problem(
                    source.file, line, column, req.field,
                    f"missing — {req.citation(form)}: {req.description}",
                    f"add '{path[-1]}:' to the case file"
                    + (f" under '{'.'.join(parent)}'" if parent else "")))
    return problems


def _get(data: object, path: tuple[str, ...]) -> object:
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)
