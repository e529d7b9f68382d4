"""Statutory and minimum requirements, read from data/regler.yaml and checked against a case."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from ruamel.yaml import YAML

from .case import LoadedCase
from .errors import Problem


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
    data = loaded.source.data
    problems = []
    for document in loaded.case.documents:
        for req in applicable(document, loaded.case.form):
            if _empty(data.get(req.field)):
                # A missing key has no line of its own: the message names the file and field.
                problems.append(Problem(
                    loaded.source.file, None, None, req.field,
                    f"missing — {req.citation(loaded.case.form)}: {req.description}",
                    f"add '{req.field}:' to the case file"))
    return problems


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)
