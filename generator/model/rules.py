"""The required content of each agreement, read from data/regler.yaml: checked against a case,
and listed for README."""

from __future__ import annotations

import re
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
class NameRule:
    """The words a name must hold: the statute's words, in any case, or its abbreviation, in
    capitals and as a whole word; with `last`, the one it holds must stand last."""

    words: str
    abbreviation: str
    last: bool = False
    warning: bool = False  # a breach is a warning, not an error

    def _patterns(self) -> list[re.Pattern[str]]:
        # Whole words only: «Kongsberg» does not hold «KO», nor «PRIS» «IPR». Any run of
        # white space between the statute's words; inflected forms («det interkommunale
        # politiske rådet») do not hold «the words», so they do not count.
        words = r"\s+".join(map(re.escape, self.words.split()))
        return [re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE),
                re.compile(rf"(?<!\w){re.escape(self.abbreviation)}(?!\w)")]

    def holds(self, name: str) -> bool:
        """Whether the name holds the words (or, with `last`, ends with them)."""
        name = name.strip()
        found = [m for pattern in self._patterns() for m in pattern.finditer(name)]
        if self.last:
            return any(m.end() == len(name) for m in found)
        return bool(found)


@dataclass(frozen=True)
class Requirement:
    """One item: what it asks, its legal basis, and what in the case satisfies it."""

    id: str
    documents: tuple[str, ...]
    forms: tuple[str, ...] | None  # None: every form
    citations: dict[str, str]  # cooperation form -> citation; "alle" for every other form
    description: str
    field: str | None  # None: nothing in a case can show it (a catch-all item)
    clause: str | None
    note: str = ""
    condition: str = ""  # when the item is required, in the statute's terms ("" always)
    condition_field: str | None = None  # the case key that must be true for it to be required
    checked: bool = True  # False: listed, but samdok cannot check it yet
    name_rule: NameRule | None = None  # the words the name must hold (navneord)

    def citation(self, form: str, document: str = "samarbeidsavtale") -> str:
        # A form's statutory list binds the agreement that establishes the cooperation only.
        if form in self.citations and document in forms().get(form, {}).get("etableres_ved", []):
            return self.citations[form]
        return self.citations["alle"]

    def applies(self, document: str, form: str) -> bool:
        return document in self.documents and (self.forms is None or form in self.forms)

    @property
    def enforced(self) -> bool:
        """Reported missing when absent: checkable, and its condition is one samdok can see.
        A name rule asks what the name holds, not that it is there (check_names)."""
        return (self.checked and self.name_rule is None
                and (not self.condition or self.condition_field is not None))


@cache
def _data() -> dict:
    text = (resources.files("generator") / "data" / "regler.yaml").read_text(encoding="utf-8")
    return YAML(typ="safe", pure=True).load(text)


def forms() -> dict[str, dict]:
    """The cooperation forms as the rules file describes them (navn, lov, etableres_ved)."""
    return _data()["former"]


@cache
def requirements() -> tuple[Requirement, ...]:
    """All requirements in the rules file, in file order."""
    out = []
    for entry in _data()["krav"]:
        scope = entry["gjelder"]
        forms_ = scope["samarbeidsform"]
        condition = entry.get("betinget") or {}
        out.append(Requirement(
            id=entry["id"],
            documents=tuple(scope["dokument"]),
            forms=None if forms_ == "alle" else tuple(forms_),
            citations=(dict(entry["hjemmel"]) if isinstance(entry["hjemmel"], dict)
                       else {"alle": entry["hjemmel"]}),
            description=entry["beskrivelse"],
            field=entry["felt"],
            clause=entry["klausul"],
            note=" ".join(str(entry.get("merknad", "")).split()),
            condition=condition.get("tekst", ""),
            condition_field=condition.get("felt"),
            checked=entry.get("kontroll", "ja") != "nei",
            name_rule=_name_rule(entry.get("navneord")),
        ))
    return tuple(out)


def _name_rule(data: dict | None) -> NameRule | None:
    if not data:
        return None
    return NameRule(words=data["ord"], abbreviation=data["forkortelse"],
                    last=data.get("bakerst") is True or data.get("bakerst") == "ja",
                    warning=data.get("alvor") == "advarsel")


def listed(document: str, form: str) -> list[Requirement]:
    """Every item the rules file lists for one document of one form, checked or not."""
    return [r for r in requirements() if r.applies(document, form)]


def applicable(document: str, form: str) -> list[Requirement]:
    """The requirements one document of one form must always meet (no condition): what a
    starter case holds and what `samdok verify` looks for in the PDF."""
    return [r for r in listed(document, form) if r.enforced and r.condition_field is None]


def enforced(document: str, form: str, data: object) -> list[Requirement]:
    """The requirements the case's data must meet: the unconditional ones, and those whose
    condition holds in the data (a borrowing ceiling when borrowing is allowed)."""
    return [r for r in listed(document, form) if r.enforced and (
        r.condition_field is None or _get(data, tuple(r.condition_field.split("."))) is True)]


def check(loaded: LoadedCase) -> list[Problem]:
    """One problem per unmet requirement, each citing its legal basis."""
    return check_data(loaded.source, loaded.case.documents, loaded.case.form)


def check_data(source: LoadedFile, documents: list[str], form: str) -> list[Problem]:
    """The same, from the file's data: for a case whose other fields did not validate."""
    problems: list[Problem] = []
    for document in dict.fromkeys(documents):
        for req in enforced(document, form, source.data):
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
                    f"missing — {req.citation(form, document)}: {req.description}",
                    f"add '{path[-1]}:' to the case file"
                    + (f" under '{'.'.join(parent)}'" if parent else "")))
    return problems


def check_names(source: LoadedFile, documents: list[str], form: str) -> list[Problem]:
    """The name rules (navneord) of the documents' forms: an error when the name lacks the
    statute's words, a warning where the rule data says so (the designation not last)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for document in dict.fromkeys(documents):
        for req in listed(document, form):
            rule, name = req.name_rule, _get(source.data, (req.field or "",))
            if rule is None or not req.checked or req.id in seen or not isinstance(name, str):
                continue
            seen.add(req.id)
            if not name.strip() or rule.holds(name):
                continue  # an empty name is reported missing
            if rule.last and not NameRule(rule.words, rule.abbreviation).holds(name):
                continue  # the words are missing altogether: the word rule says so
            shown = repr(name if len(name) <= 60 else name[:60] + "…")
            if rule.last:
                message = (f"{shown} does not end with «{rule.words}» or «{rule.abbreviation}» "
                           f"— {req.citation(form, document)}: {req.description}")
                hint = (f"move «{rule.abbreviation}» (or «{rule.words}») to the end of the name"
                        "; a name registered before 1 July 2024 may fall under the "
                        "transitional rule")
            else:
                message = (f"{shown} lacks «{rule.words}» and «{rule.abbreviation}» — "
                           f"{req.citation(form, document)}: {req.description}")
                hint = _name_hint(name.strip(), rule)
            problems.append(source.problem((req.field,), message, hint,
                                           severity="warning" if rule.warning else "error"))
    return problems


# Designations of other company forms: a name ending in one gets no example that keeps it.
OTHER_FORMS = {"AS", "ASA", "SA", "KF", "BA", "ANS", "DA", "NUF", "SE", "FKF", "HF"}


def _name_hint(name: str, rule: NameRule) -> str:
    """How to meet a word rule: the abbreviation in capitals where it is written in small
    letters, another company form's designation replaced, else the abbreviation added."""
    words = name.split()
    last = words[-1] if words else ""
    stem = name[:len(name) - len(last)].rstrip()
    if last.lower() == rule.abbreviation.lower():
        return (f"write the abbreviation in capitals: '{stem} {rule.abbreviation}' (it counts "
                f"only in capitals), or write «{rule.words}»")
    if last.upper() in OTHER_FORMS:
        return (f"«{last}» names another company form: replace it with «{rule.abbreviation}» "
                f"or «{rule.words}», e.g. '{stem} {rule.abbreviation}'")
    return (f"add «{rule.abbreviation}» or «{rule.words}» to the name, e.g. "
            f"'{name} {rule.abbreviation}'; the abbreviation counts in capitals and as a word "
            "of its own")


# Keys that state something only one kind of cooperation has: given for another form, the
# documents would not print them, so the case says something the agreement does not.
FORM_KEYS = ("eget_rettssubjekt", "merforbruk", "overføring", "underretning")


def check_form_keys(source: LoadedFile, form: str) -> list[Problem]:
    """A warning for each of FORM_KEYS given for a form no requirement asks it of."""
    problems = []
    for key in FORM_KEYS:
        if not isinstance(source.data, dict) or source.data.get(key) is None:
            continue
        owners = [r for r in requirements() if r.field == key and r.forms]
        forms_ = list(dict.fromkeys(f for r in owners for f in r.forms))
        if form in forms_:
            continue
        cited = "; ".join(dict.fromkeys(r.citation(r.forms[0]) for r in owners))
        problems.append(source.problem(
            (key,), f"'{key}' has no effect for samarbeidsform '{form}': the agreement states "
            f"it only for {', '.join(forms_)} ({cited})",
            "remove it, or check 'samarbeidsform'", key=True, severity="warning"))
    return problems


def check_borrowing(source: LoadedFile) -> list[Problem]:
    """A borrowing ceiling when borrowing is not allowed: the agreement would not print it."""
    borrowing = source.data.get("låneadgang") if isinstance(source.data, dict) else None
    if (isinstance(borrowing, dict) and borrowing.get("tillatt") is False
            and borrowing.get("ramme") is not None):
        return [source.problem(("låneadgang", "ramme"), "a ceiling with 'tillatt: false' has no "
                               "effect: the agreement says it may not borrow",
                               "remove 'ramme', or write 'tillatt: true'", key=True,
                               severity="warning")]
    return []


def _get(data: object, path: tuple[str, ...]) -> object:
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


SAMDOK = "samdoks "  # how a citation of samdok's own requirement begins


def reference_markdown() -> str:
    """README's list of each form's items with their citations, generated from the rules
    file (a test keeps README's copy current)."""
    out = ["samdok's own minimum, for every agreement (`samarbeidsavtale`, `tjenesteavtale`) "
           "of every form; a form that has the same item in its statute cites the statute "
           "instead:", ""]
    out += _table([r for r in listed("samarbeidsavtale", "rammeavtale")],
                  "rammeavtale", "samarbeidsavtale")
    out += ["A `tjenesteavtale` must also name its service:", ""]
    out += _table([r for r in listed("tjenesteavtale", "rammeavtale") if r.id.startswith(
        "tjenesteavtale.")], "rammeavtale", "tjenesteavtale")
    for form, about in forms().items():
        established = about.get("etableres_ved") or []
        out += [f"#### {about['navn']} (`{form}`, {about['lov']})", ""]
        if not established:
            out += ["No statute sets the content of this agreement: samdok's minimum applies.",
                    ""]
            continue
        document = established[0]
        items = sorted((r for r in listed(document, form)
                        if not r.citation(form, document).startswith(SAMDOK)),
                       key=lambda r: _list_position(r.citation(form, document)))
        documents = " or ".join(f"`{d}`" for d in established)
        out += [f"The statute's items, for the {documents} that establishes it:", ""]
        out += _table(items, form, document)
    out += ["#### Joint case submission (`saksframlegg`)", "",
            "No statute sets its content; samdok requires:", ""]
    out += _table(listed("saksframlegg", "rammeavtale"), "rammeavtale", "saksframlegg")
    return "\n".join(out).rstrip() + "\n"


def _list_position(citation: str) -> int:
    """The item's place in its statute's list (bokstav a = 0, nr. 1 = 0); other provisions
    after the list, in file order (sorted() is stable)."""
    if match := re.search(r"bokstav ([a-j])$", citation):
        return ord(match[1]) - ord("a")
    if match := re.search(r"nr\. (\d+)$", citation):
        return int(match[1]) - 1
    return 100


def _table(items: list[Requirement], form: str, document: str) -> list[str]:
    rows = ["| citation | what it asks | key | clause | `check` |", "|---|---|---|---|---|"]
    for r in items:
        asks = r.description + (f" ({r.condition})" if r.condition else "")
        if not r.checked:
            checked = "not yet: " + r.note
        elif r.name_rule and r.name_rule.warning:
            checked = "yes, as a warning"
        elif r.condition_field:
            checked = f"when `{r.condition_field}` is true"
        elif r.condition:
            checked = "never reported missing: samdok cannot tell whether the condition holds"
        else:
            checked = "yes"
        rows.append(f"| {r.citation(form, document)} | {asks} | "
                    f"{f'`{r.field}`' if r.field else '—'} | "
                    f"{f'`{r.clause}`' if r.clause else '—'} | {checked} |".replace("\n", " "))
    return rows + [""]
