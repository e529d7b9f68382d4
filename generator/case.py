"""The case file's typed model, and validation that reports every problem with its place."""

from __future__ import annotations

import datetime as dt
import difflib
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import costs, register
from .errors import CaseError, Problem
from .load import LoadedFile, load_yaml

MunicipalityRef = Annotated[int | str, Field(description="kommunenummer, e.g. 5025 or '0301'")]
Text = Annotated[str, Field(min_length=1)]
# Percentages as written (20.5 stays exactly 20.5; a float would not add up to 100 exactly).
Percent = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]

FORMS = (
    "vertskommune",  # administrativt vertskommunesamarbeid, kommuneloven §§ 20-1 to 20-4
    "vertskommune_med_nemnd",  # vertskommunesamarbeid med felles folkevalgt nemnd, § 20-5
    "oppgavefellesskap",  # kommunalt oppgavefellesskap, kommuneloven kapittel 19
    "politisk_råd",  # interkommunalt politisk råd, kommuneloven kapittel 18
    "iks",  # interkommunalt selskap, IKS-loven
    "tjenestekjøp",  # avtale om kjøp av tjenester
)
Form = Literal[FORMS]  # type: ignore[valid-type]


class _Model(BaseModel):
    # Unknown keys are errors with a "did you mean" hint: a misspelt key would otherwise
    # silently drop a clause from a legal document.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class Representative(_Model):
    """The person who signs for a party."""

    name: Text = Field(alias="navn")
    title: Text = Field(alias="tittel", description="e.g. ordfører")


class Party(_Model):
    """A participating municipality, given by its number in the register."""

    municipality: MunicipalityRef = Field(alias="kommune")
    representative: Representative | None = Field(None, alias="representant")
    population: Annotated[int, Field(gt=0)] | None = Field(
        None, alias="folketall", description="replaces the register's figure; needs its date")
    population_date: dt.date | None = Field(None, alias="folketall_per")


class Area(_Model):
    """One cooperation area, optionally with its host municipality."""

    name: Text = Field(alias="navn")
    host: MunicipalityRef | None = Field(None, alias="vertskommune")
    note: str | None = Field(None, alias="merknad")


class AreaGroup(_Model):
    """A group of cooperation areas (existing, new, for some parties only, regional)."""

    heading: Text = Field(alias="gruppe")
    parties: list[MunicipalityRef] | None = Field(
        None, alias="parter", description="only these parties take part (default: all)")
    note: str | None = Field(None, alias="merknad")
    areas: list[Text | Area] = Field(alias="områder", min_length=1)


class Distribution(_Model):
    """How costs are divided between the parties."""

    key: Literal[costs.KEYS] = Field(alias="nøkkel")  # type: ignore[valid-type]
    population_date: dt.date | None = Field(None, alias="folketall_per")
    base_percent: Annotated[Decimal, Field(gt=0, lt=100, allow_inf_nan=False)] | None = Field(
        None, alias="grunnandel", description="percent of the costs split equally")
    base_amount: Annotated[int, Field(gt=0)] | None = Field(
        None, alias="grunnbeløp", description="kroner per party per budget year")
    percentages: dict[MunicipalityRef, Percent] | None = Field(
        None, alias="andeler", description="kommunenummer -> agreed percent")
    unit: Text | None = Field(None, alias="enhet", description="what is counted, e.g. lønnsslipper")
    units: dict[MunicipalityRef, Annotated[int, Field(ge=0)]] | None = Field(
        None, alias="antall", description="kommunenummer -> count")


class Economy(_Model):
    """The economy clause: cost key, optional budget and principles."""

    distribution: Distribution = Field(alias="fordeling")
    budget: dict[int, Annotated[int, Field(gt=0)]] | None = Field(
        None, alias="budsjett", description="budget year -> amount in whole kroner")
    principles: list[Text] = Field(default_factory=list, alias="prinsipper")
    text: str | None = Field(None, alias="tekst")


class Withdrawal(_Model):
    """How a party leaves the cooperation."""

    notice_months: int = Field(alias="oppsigelsestid_måneder", ge=1, le=60)
    effective: str | None = Field(
        None, alias="virkning", description="when a withdrawal takes effect, e.g. '1. januar'")
    text: str | None = Field(None, alias="tekst")


class ClauseOverride(_Model):
    """Replace or extend a standard clause by its id, or add a new clause."""

    heading: str | None = Field(None, alias="overskrift")
    text: str | None = Field(None, alias="tekst", description="replaces the standard text")
    addition: str | None = Field(None, alias="tillegg", description="added after the text")
    after: str | None = Field(None, alias="etter", description="new clause: id to place it after")


class Signing(_Model):
    """Where and when the agreement is signed."""

    place: Text = Field(alias="sted")
    date: dt.date | None = Field(None, alias="dato")


class Case(_Model):
    """One case file: a cooperation and the documents to build for it."""

    id: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]*$",
                           description="folder name under build/; default: the file name")
    title: Text = Field(alias="tittel")
    subtitle: str | None = Field(None, alias="undertittel")
    language: Literal["nb", "nn"] = Field("nb", alias="språk")
    status: Literal["utkast", "endelig"] = "utkast"
    draft: int | None = Field(None, alias="utkast", ge=1)
    form: Form = Field(alias="samarbeidsform")
    documents: list[Literal["samarbeidsavtale"]] = Field(
        default_factory=lambda: ["samarbeidsavtale"], alias="dokumenter", min_length=1)
    parties: list[Party] = Field(alias="parter", min_length=2)
    background: str | None = Field(None, alias="bakgrunn")
    purpose: str | None = Field(None, alias="formål")
    areas: list[AreaGroup] = Field(default_factory=list, alias="samarbeidsområder")
    host_principle: str | None = Field(None, alias="vertskommune")
    joint_body: str | None = Field(None, alias="samarbeidsorgan")
    economy: Economy | None = Field(None, alias="økonomi")
    entry: str | None = Field(None, alias="inntreden")
    withdrawal: Withdrawal | None = Field(None, alias="uttreden")
    commencement: dt.date | None = Field(None, alias="ikrafttredelse")
    clauses: dict[str, ClauseOverride] = Field(default_factory=dict, alias="klausuler")
    signing: Signing | None = Field(None, alias="underskrift")


class LoadedCase:
    """A validated case together with the file it came from (for located messages)."""

    def __init__(self, case: Case, source: LoadedFile, path: Path):
        self.case = case
        self.source = source
        self.path = path

    @property
    def id(self) -> str:
        return self.case.id or self.path.stem


def _aliases(model: type[BaseModel], seen: set[type] | None = None) -> set[str]:
    """Every key name used anywhere in the case format (for 'did you mean')."""
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(info.alias or name)
        for arg in _types_in(info.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                names |= _aliases(arg, seen)
    return names


def _types_in(annotation: Any) -> list[Any]:
    args = getattr(annotation, "__args__", None)
    if not args:
        return [annotation]
    return [t for a in args for t in _types_in(a)]


KEYS = sorted(_aliases(Case))


def _suggest(word: str, options: list[str]) -> str:
    match = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else ""


def _describe(error: dict[str, Any]) -> tuple[str, str]:
    """Plain message and hint for one pydantic error."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    if kind == "missing":
        return "required field is missing", "add it; see the case-file format in README.md"
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        return f"unknown key '{key}'", _suggest(key, KEYS) or "remove it or check the spelling"
    if kind == "literal_error":
        allowed = ctx.get("expected", "")
        options = [o.strip().strip("'") for o in allowed.replace(" or ", ", ").split(",")]
        hint = _suggest(str(value), options) if isinstance(value, str) else ""
        return f"{shown} is not one of {allowed}", hint or f"use one of {allowed}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number, got {shown}", "write digits only, with no spaces or words"
    if kind in ("decimal_parsing", "decimal_type", "finite_number"):
        return f"expected a number, got {shown}", "write digits with a decimal point, e.g. 20.5"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"expected a date, got {shown}", "write dates as YYYY-MM-DD, e.g. 2016-07-01"
    if kind in ("string_type", "string_too_short"):
        if kind == "string_too_short":
            return "must not be empty", "write the text, or remove the key"
        return f"expected text, got {shown}", "put the text after the colon, quoted if needed"
    if kind == "list_type":
        return f"expected a list, got {shown}", "write each item on its own line starting with '- '"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping (key: value lines), got {shown}", "indent the keys under it"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s)", ""
    if kind == "string_pattern_mismatch":
        return f"{shown} is not allowed here", "use lower-case letters a-z, digits and '-'"
    if kind in ("greater_than", "greater_than_equal", "less_than_equal", "less_than"):
        return error["msg"].replace("Input should be", "must be"), ""
    return error["msg"], ""


def _loc_path(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    # pydantic adds the union member it tried ("str", "Area", "int") to the location;
    # those are not keys of the file.
    members = {"str", "int", "Area", "constrained-str", "function-after"}
    return tuple(p for p in loc if not (isinstance(p, str) and (p in members or "[" in p)))


def validate(source: LoadedFile, path: Path) -> LoadedCase:
    """Typed case from loaded YAML; every problem at once in a CaseError."""
    data = source.data
    if data is None:
        raise CaseError([Problem(source.file, None, None, "", "the file is empty",
                                 "start from an example in cases/")])
    if not isinstance(data, dict):
        raise CaseError([source.problem((), "the top level must be a mapping of keys",
                                        "a case file starts with lines like 'tittel: ...'")])
    problems: list[Problem] = []
    case = None
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        seen = set()
        for error in exc.errors():
            loc = _loc_path(error["loc"])
            message, hint = _describe(error)
            key = (loc, message)
            if key in seen:  # a union reports one failure per member; say it once
                continue
            seen.add(key)
            problems.append(source.problem(loc, message, hint,
                                           key=error["type"] == "extra_forbidden"))
    # The register checks read the raw data, so they run (and report) even when other
    # fields are wrong: the user sees every problem in one run.
    reported = {p.field for p in problems}
    checks = _check_parties(data, source) + _check_economy(data, source)
    problems += [p for p in checks if p.field not in reported]
    if problems or case is None:
        raise CaseError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))
    return LoadedCase(case, source, path)


def _check_parties(data: dict[str, Any], source: LoadedFile) -> list[Problem]:
    """Municipality numbers exist, parties are distinct, hosts and subsets are parties, and a
    population figure given in the case comes with its date."""
    problems: list[Problem] = []
    numbers: list[str] = []
    parties = data.get("parter")
    for i, party in enumerate(parties if isinstance(parties, list) else []):
        if not isinstance(party, dict):
            continue
        problems += _check_population(party, ("parter", i), source)
        if "kommune" not in party:
            continue
        where = ("parter", i, "kommune")
        found = register.lookup(party["kommune"])
        if found is None:
            problems.append(source.problem(
                where, f"no municipality numbered {party['kommune']!r}",
                "use the four-digit kommunenummer, e.g. 5025 for Røros"))
        elif found.number in numbers:
            problems.append(source.problem(where, f"{found.name} is listed twice as a party",
                                           "remove the duplicate"))
        else:
            numbers.append(found.number)

    def must_be_party(value: Any, where: tuple[str | int, ...]) -> None:
        found = register.lookup(value)
        if found is None:
            problems.append(source.problem(where, f"no municipality numbered {value!r}",
                                           "use the four-digit kommunenummer"))
        elif found.number not in numbers:
            problems.append(source.problem(where, f"{found.name} is not a party to this agreement",
                                           "add it under 'parter' or use one of the parties"))

    groups = data.get("samarbeidsområder")
    for g, group in enumerate(groups if isinstance(groups, list) else []):
        if not isinstance(group, dict):
            continue
        subset = group.get("parter")
        for p, value in enumerate(subset if isinstance(subset, list) else []):
            must_be_party(value, ("samarbeidsområder", g, "parter", p))
        areas = group.get("områder")
        for a, area in enumerate(areas if isinstance(areas, list) else []):
            if isinstance(area, dict) and area.get("vertskommune") is not None:
                must_be_party(area["vertskommune"],
                              ("samarbeidsområder", g, "områder", a, "vertskommune"))
    return problems


def _check_population(party: dict[str, Any], where: tuple[str | int, ...],
                      source: LoadedFile) -> list[Problem]:
    # A figure without its date would be printed under the register's date: a false statement
    # in a contract. A date without a figure would relabel the register's figure.
    has_figure = party.get("folketall") is not None
    has_date = party.get("folketall_per") is not None
    if has_figure and not has_date:
        return [source.problem((*where, "folketall"), "a population figure needs its date",
                               "add 'folketall_per: YYYY-MM-DD' under this party, e.g. "
                               "2025-01-01 (SSB counts the population per 1 January)")]
    if has_date and not has_figure:
        return [source.problem((*where, "folketall_per"), "a date without a population figure",
                               "add 'folketall:' with the figure for that date, or remove "
                               "'folketall_per' (the register's figure has its own date)")]
    return []


# The parameters of each cost key. A parameter given with another key is an error: it would
# be silently ignored, and the contract would not say what its authors meant.
KEY_PARAMETERS = {
    "grunnandel_og_folketall": ("grunnandel",),
    "grunnbeløp_og_folketall": ("grunnbeløp",),
    "prosent": ("andeler",),
    "enheter": ("enhet", "antall"),
}
PARAMETER_HINTS = {
    "grunnandel": "add e.g. 'grunnandel: 30': the percent of the costs split equally; "
                  "the rest is split by population",
    "grunnbeløp": "add e.g. 'grunnbeløp: 250000': the kroner each party pays every budget "
                  "year; the rest is split by population",
    "andeler": "add e.g. 'andeler: {5025: 50, 3430: 20.5, 5026: 29.5}': each party's "
               "percent by kommunenummer, adding up to 100",
    "enhet": "add e.g. 'enhet: lønnsslipper': what is counted (shown in the table)",
    "antall": "add e.g. 'antall: {5025: 12000, 3430: 4000, 5026: 5000}': each party's count "
              "by kommunenummer",
}


def _check_economy(data: dict[str, Any], source: LoadedFile) -> list[Problem]:
    """The cost key's parameters: given for their key only, a share or count for exactly the
    parties, percentages adding up to 100, and base amounts within every budget year."""
    economy = data.get("økonomi")
    distribution = economy.get("fordeling") if isinstance(economy, dict) else None
    if not isinstance(distribution, dict) or distribution.get("nøkkel") not in costs.KEYS:
        return []  # the typed model reports a missing or unknown key
    key = distribution["nøkkel"]
    here: tuple[str | int, ...] = ("økonomi", "fordeling")
    problems: list[Problem] = []
    for name, hint in PARAMETER_HINTS.items():
        given = distribution.get(name) is not None
        if not given and name in KEY_PARAMETERS.get(key, ()):
            problems.append(source.problem((*here, name), f"required with nøkkel '{key}'", hint))
        elif given and name not in KEY_PARAMETERS.get(key, ()):
            owner = next(k for k, names in KEY_PARAMETERS.items() if name in names)
            problems.append(source.problem((*here, name), f"not used with nøkkel '{key}'",
                                           f"remove it, or use nøkkel '{owner}'", key=True))
    parties = data.get("parter")
    parties = parties if isinstance(parties, list) else []
    numbers = []
    for party in parties:
        found = register.lookup(party.get("kommune")) if isinstance(party, dict) else None
        if found is not None and found.number not in numbers:
            numbers.append(found.number)

    if key == "prosent":
        andeler = distribution.get("andeler")
        problems += _check_per_party(andeler, (*here, "andeler"), numbers, "share", source)
        values = list(andeler.values()) if isinstance(andeler, dict) else []
        if values and all(_is_number(v) for v in values):
            total = sum(Fraction(str(v)) for v in values)
            if total != 100:
                gap = f"{_plain(100 - total)} short" if total < 100 else \
                    f"{_plain(total - 100)} too much"
                problems.append(source.problem(
                    (*here, "andeler"), f"the shares add up to {_plain(total)} %, not 100 %",
                    f"adjust them so they add up to exactly 100 ({gap})"))
    elif key == "enheter":
        antall = distribution.get("antall")
        problems += _check_per_party(antall, (*here, "antall"), numbers, "count", source)
        values = list(antall.values()) if isinstance(antall, dict) else []
        if values and all(_is_number(v) for v in values) and sum(values) == 0:
            problems.append(source.problem((*here, "antall"), "the counts add up to 0",
                                           "at least one party must have a count above 0"))
    elif key == "grunnbeløp_og_folketall":
        base, budget = distribution.get("grunnbeløp"), economy.get("budsjett")
        if _is_number(base) and base > 0 and isinstance(budget, dict) and parties:
            n = len(parties)
            for year, total in budget.items():
                if _is_number(total) and n * base > total:
                    problems.append(source.problem(
                        ("økonomi", "budsjett", year),
                        f"the budget for {year}, {_kr(total)}, is less than the base amounts: "
                        f"{n} parties × {_kr(base)} = {_kr(n * base)}",
                        f"raise the budget, or lower 'grunnbeløp' to at most {_kr(total // n)}"))
    return problems


def _check_per_party(mapping: Any, path: tuple[str | int, ...], numbers: list[str], what: str,
                     source: LoadedFile) -> list[Problem]:
    """A mapping by kommunenummer names every party once, and nothing else."""
    if not isinstance(mapping, dict):
        return []  # missing (reported above) or not a mapping (reported by the typed model)
    problems: list[Problem] = []
    covered: list[str] = []
    for number in mapping:
        where = (*path, number)
        found = register.lookup(number)
        if found is None:
            problems.append(source.problem(where, f"no municipality numbered {number!r}",
                                           "use the four-digit kommunenummer of a party",
                                           key=True))
        elif found.number not in numbers:
            problems.append(source.problem(where, f"{found.name} is not a party to this agreement",
                                           "remove it, or add the municipality under 'parter'",
                                           key=True))
        elif found.number in covered:
            problems.append(source.problem(where, f"{found.name} is given twice",
                                           "remove the duplicate", key=True))
        else:
            covered.append(found.number)
    for number in numbers:
        if number not in covered:
            name = register.lookup(number).name
            problems.append(source.problem(
                path, f"no {what} for {name} ({number})",
                f"add '{number}: …' under '{path[-1]}'; every party needs a {what}"))
    return problems


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _plain(value: Fraction) -> str:
    """99.5, not 199/2 (sums of decimals written in a case always end)."""
    return format(Decimal(value.numerator) / Decimal(value.denominator), "f")


def _kr(amount: int | float) -> str:
    return "kr " + f"{amount:,}".replace(",", " ")


def load_case(path: Path, shown: str | None = None) -> LoadedCase:
    """Read and validate one case file."""
    return validate(load_yaml(path, shown), path)
