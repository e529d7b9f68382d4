"""The case file's typed model, and validation that reports every problem with its place."""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from . import costs, register
from .errors import CaseError, Problem
from .load import LoadedFile, load_yaml


def _to_number(value: Any) -> str:
    # register.find is the one place a reference is read, so check, compose and the
    # `kommune` command agree; the model keeps only the number, and everything after
    # validation looks municipalities up by number.
    try:
        return register.find(value).number
    except register.RegisterError as exc:
        raise PydanticCustomError("municipality", "{message}",
                                  {"message": exc.message, "hint": exc.hint}) from None


# The JSON Schema shows what a user may write (number or name), not the validated form.
MunicipalityRef = Annotated[str, BeforeValidator(_to_number, json_schema_input_type=int | str),
                            Field(
    description="kommunenummer or name, e.g. 5025, '0301', 'Røros' or 'Deatnu - Tana'; "
                "validation turns it into the four-digit kommunenummer")]
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
    "rammeavtale",  # framework agreement; each area gets its own agreement in one of the above
)
Form = Literal[FORMS]  # type: ignore[valid-type]


class _Model(BaseModel):
    # extra="forbid" makes pydantic report unknown keys; validate() turns the reports into
    # warnings with a "did you mean" (a misspelt key would silently drop a clause), and
    # --strict into errors. The docstring under each field is its description in the JSON
    # Schema and the case-file reference.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True,
                              use_attribute_docstrings=True)


class Representative(_Model):
    """The person who signs for a party."""

    name: Text = Field(alias="navn")
    """the person's name"""
    title: Text = Field(alias="tittel", description="e.g. ordfører")


class Party(_Model):
    """A participating municipality, given by its number or its name in the register."""

    municipality: MunicipalityRef = Field(alias="kommune")
    representative: Representative | None = Field(None, alias="representant")
    """who signs for the party"""
    population: Annotated[int, Field(gt=0)] | None = Field(
        None, alias="folketall", description="replaces the register's figure; needs its date")
    population_date: dt.date | None = Field(None, alias="folketall_per")
    """the date the population figure refers to (required with folketall)"""


class Area(_Model):
    """One cooperation area, optionally with its host municipality."""

    name: Text = Field(alias="navn")
    """name of the area, e.g. Felles barnevern"""
    host: MunicipalityRef | None = Field(None, alias="vertskommune")
    """the area's host municipality, if it has one"""
    note: str | None = Field(None, alias="merknad")
    """a short note after the name"""


class AreaGroup(_Model):
    """A group of cooperation areas (existing, new, for some parties only, regional)."""

    heading: Text = Field(alias="gruppe")
    """heading of the group, e.g. Nye samarbeidsområder"""
    parties: list[MunicipalityRef] | None = Field(
        None, alias="parter", description="only these parties take part (default: all)")
    note: str | None = Field(None, alias="merknad")
    """a paragraph under the heading"""
    areas: list[Text | Area] = Field(alias="områder", min_length=1)
    """the areas: a name, or a mapping with navn, vertskommune and merknad"""


class Distribution(_Model):
    """How costs are divided between the parties."""

    key: Literal[costs.KEYS] = Field(alias="nøkkel")  # type: ignore[valid-type]
    """the cost key"""
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
    """how costs are divided between the parties"""
    budget: dict[int, Annotated[int, Field(gt=0)]] | None = Field(
        None, alias="budsjett", description="budget year -> amount in whole kroner")
    principles: list[Text] = Field(default_factory=list, alias="prinsipper")
    """further principles, one per item (e.g. what is not shared)"""
    text: str | None = Field(None, alias="tekst")
    """more text for the clause"""


class Withdrawal(_Model):
    """How a party leaves the cooperation."""

    notice_months: int = Field(alias="oppsigelsestid_måneder", ge=1, le=60)
    """notice period in months"""
    effective: str | None = Field(
        None, alias="virkning", description="when a withdrawal takes effect, e.g. '1. januar'")
    text: str | None = Field(None, alias="tekst")
    """more text for the clause"""


class Body(_Model):
    """A body with members from each participant (representantskap, felles nemnd)."""

    members: int | dict[MunicipalityRef, Annotated[int, Field(ge=1)]] = Field(
        alias="medlemmer", description="members per participant: one number for all, or "
        "a number per kommunenummer")
    text: str | None = Field(None, alias="tekst")
    """more text for the clause"""

    @field_validator("members")
    @classmethod
    def _positive(cls, value):
        if isinstance(value, int) and value < 1:
            raise ValueError("must be at least 1")
        return value


class Board(_Model):
    """The board of an inter-municipal company."""

    members: int = Field(alias="medlemmer", ge=3)  # IKS-loven § 10: at least three members
    """number of board members (at least 3)"""
    text: str | None = Field(None, alias="tekst")
    """more text for the clause"""


class Borrowing(_Model):
    """Whether the cooperation may borrow money, and up to what amount."""

    allowed: bool = Field(alias="tillatt")
    """true if it may borrow, false if not"""
    ceiling: int | None = Field(None, alias="ramme", gt=0, description="kroner")


class ClauseOverride(_Model):
    """Replace or extend a standard clause by its id, or add a new clause."""

    heading: str | None = Field(None, alias="overskrift")
    """replaces the heading (required for a new clause)"""
    text: str | None = Field(None, alias="tekst", description="replaces the standard text")
    addition: str | None = Field(None, alias="tillegg", description="added after the text")
    after: str | None = Field(None, alias="etter", description="new clause: id to place it after")


class Route(_Model):
    """One meeting a case submission goes to (utvalg, møtedato, saksnummer)."""

    committee: Text = Field(alias="utvalg")
    """the committee or council, e.g. Formannskapet, Kommunestyret"""
    date: dt.date = Field(alias="møtedato")
    """meeting date"""
    number: Text | None = Field(None, alias="saksnr")
    """the committee's case number, e.g. 18/26"""

    @field_validator("number", mode="before")
    @classmethod
    def _as_text(cls, value):
        # 18/26 is text, but a bare 12 would arrive as a number
        return str(value) if isinstance(value, int) else value


class CouncilCopy(_Model):
    """One council's copy of a joint case submission: its numbers, officer and route."""

    case_number: Text = Field(alias="arkivsak")
    """archive case number (arkivsak/saksmappe), e.g. 2026/417"""
    archive_code: str | None = Field(None, alias="arkiv")
    """archive code, e.g. 026"""
    officer: Text = Field(alias="saksbehandler")
    """the case officer's name"""
    date: dt.date = Field(alias="dato")
    """date of the submission"""
    route: list[Route] = Field(alias="behandling", min_length=1)
    """the meetings, in order; the last one decides"""


class Submission(_Model):
    """The joint case submission (felles saksframlegg) to every participating council."""

    title: str | None = Field(None, alias="tittel")
    """the case title (default: the agreement's title)"""
    summary: str | None = Field(None, alias="sammendrag")
    """a short summary (at most five lines)"""
    facts: str | None = Field(None, alias="saksopplysninger")
    """facts, background, law and economy"""
    assessment: str | None = Field(None, alias="vurdering")
    """the assessment"""
    conclusion: str | None = Field(None, alias="konklusjon")
    """an optional conclusion"""
    attachments: list[Text] = Field(default_factory=list, alias="vedlegg")
    """further attachments, listed after the agreement"""
    points: list[Text] = Field(default_factory=list, alias="vedtakspunkter")
    """further points for the proposed resolution, after the standard ones"""
    budget_year: int | None = Field(None, alias="budsjettår")
    """the budget year each council's resolution names (default: the first)"""
    councils: dict[MunicipalityRef, CouncilCopy] = Field(default_factory=dict,
                                                         alias="kommuner")
    """each council's copy: kommunenummer -> its numbers, officer and route"""


class Signing(_Model):
    """Where and when the agreement is signed."""

    place: Text = Field(alias="sted")
    """place of signing"""
    date: dt.date | None = Field(None, alias="dato")
    """date of signing"""


class Case(_Model):
    """One case file: a cooperation and the documents to build for it."""

    id: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]*$",
                           description="folder name under build/; default: the file name")
    title: Text = Field(alias="tittel")
    """title of the document (also its Word and PDF title)"""
    subtitle: str | None = Field(None, alias="undertittel")
    """subtitle under the title"""
    language: Literal["nb", "nn"] = Field("nb", alias="språk")
    """language of the document text: nb (bokmål) or nn (nynorsk)"""
    status: Literal["utkast", "endelig"] = "utkast"
    """utkast (a draft, stamped as such) or endelig (final)"""
    draft: int | None = Field(None, alias="utkast", ge=1)
    """draft number, shown while the status is utkast"""
    form: Form = Field(alias="samarbeidsform")
    """the cooperation form; it decides which content the law requires"""
    documents: list[Literal["samarbeidsavtale", "tjenesteavtale", "saksframlegg"]] = Field(
        default_factory=lambda: ["samarbeidsavtale"], alias="dokumenter", min_length=1)
    """the documents to build"""
    parties: list[Party] = Field(alias="parter", min_length=2)
    """the participating municipalities, at least two"""
    background: str | None = Field(None, alias="bakgrunn")
    """background of the cooperation"""
    purpose: str | None = Field(None, alias="formål")
    """purpose of the cooperation"""
    areas: list[AreaGroup] = Field(default_factory=list, alias="samarbeidsområder")
    """cooperation areas, in groups"""
    name: str | None = Field(None, alias="navn", description="the cooperation's or company's name")
    host: MunicipalityRef | None = Field(None, alias="vertskommune",
                                         description="the host municipality (vertskommune)")
    office: MunicipalityRef | None = Field(
        None, alias="kontorkommune", description="office municipality (oppgavefellesskap, råd)")
    head_office: MunicipalityRef | None = Field(
        None, alias="hovedkontor", description="head-office municipality of a company (IKS)")
    host_principle: str | None = Field(None, alias="vertskommuneprinsipp")
    """how host roles are shared between the parties"""
    tasks: list[Text] = Field(default_factory=list, alias="oppgaver",
                              description="tasks and decision authority transferred")
    joint_body: str | None = Field(None, alias="samarbeidsorgan")
    """the joint administrative body"""
    committee: Body | None = Field(None, alias="nemnd",
                                   description="the joint political committee (§ 20-5)")
    assembly: Body | None = Field(None, alias="representantskap")
    """the representantskap and its members per participant"""
    board: Board | None = Field(None, alias="styre")
    """the board of a company"""
    contributions: str | None = Field(None, alias="innskudd",
                                      description="contributions and the duty to contribute")
    ownership: dict[MunicipalityRef, Annotated[float, Field(gt=0, le=100)]] | None = Field(
        None, alias="eierandeler", description="per kommunenummer, percent; adds up to 100")
    liability: dict[MunicipalityRef, Annotated[float, Field(gt=0, le=100)]] | None = Field(
        None, alias="ansvarsandeler", description="per kommunenummer, percent; adds up to 100")
    borrowing: Borrowing | None = Field(None, alias="låneadgang")
    """whether the cooperation may borrow, and the ceiling"""
    dissolution: str | None = Field(None, alias="oppløsning")
    """how the cooperation is dissolved"""
    economy: Economy | None = Field(None, alias="økonomi")
    """the economy clause: cost key, budget and principles"""
    entry: str | None = Field(None, alias="inntreden")
    """how a new participant joins"""
    withdrawal: Withdrawal | None = Field(None, alias="uttreden")
    """how a participant withdraws"""
    commencement: dt.date | None = Field(None, alias="ikrafttredelse")
    """date the agreement takes effect"""
    clauses: dict[str, ClauseOverride] = Field(default_factory=dict, alias="klausuler")
    """replace or extend standard clauses by id, or add new clauses"""
    signing: Signing | None = Field(None, alias="underskrift")
    service: str | None = Field(None, alias="tjeneste")
    """the service a service agreement is about, e.g. barneverntjeneste"""
    reporting: str | None = Field(None, alias="rapportering")
    """how the host reports to the participants (default: a standard text)"""
    employer: str | None = Field(None, alias="arbeidsgiveransvar")
    """who is the employer of the staff (default: a standard text)"""
    submission: Submission | None = Field(None, alias="saksframlegg")
    """the joint case submission to every council"""
    """place and date above the signatures"""


class LoadedCase:
    """A validated case together with the file it came from (for located messages)."""

    def __init__(self, case: Case, source: LoadedFile, path: Path,
                 warnings: list[Problem] | None = None):
        self.case = case
        self.source = source
        self.path = path
        self.warnings = warnings or []

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
    if kind == "municipality":
        return ctx["message"], ctx["hint"]
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
    # Unknown keys are warnings (with a "did you mean"): the rest of the file is validated as
    # if they were not there, and --strict turns them into errors.
    extras = [(loc, message, hint) for loc, message, hint, kind in _errors(data)
              if kind == "extra_forbidden"]
    warnings = [source.problem(loc, message, hint, key=True, severity="warning")
                for loc, message, hint in extras]
    cleaned = _without(data, [loc for loc, _, _ in extras])
    problems: list[Problem] = []
    seen = set()
    for loc, message, hint, _kind in _errors(cleaned):
        if (loc, message) not in seen:  # a union reports one failure per member; say it once
            seen.add((loc, message))
            problems.append(source.problem(loc, message, hint))
    # The register checks read the raw data, so they run (and report) even when other
    # fields are wrong: the user sees every problem in one run.
    reported = {p.field for p in problems}
    checks = (_check_parties(data, source) + _check_economy(data, source)
              + _check_documents(data, source))
    problems += [p for p in checks if p.field not in reported]
    if problems:
        everything = problems + warnings
        raise CaseError(sorted(everything, key=lambda p: (p.line or 0, p.column or 0)))
    return LoadedCase(Case.model_validate(cleaned), source, path, warnings)


def _errors(data: dict[str, Any]) -> list[tuple[tuple, str, str, str]]:
    """(location, message, hint, pydantic error type) for every validation error."""
    try:
        Case.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
    else:
        return []
    deeper = {_loc_path(e["loc"])[:n] for e in errors for n in range(len(_loc_path(e["loc"])))}
    out = []
    for error in errors:
        loc = _loc_path(error["loc"])
        # In a union such as `Text | Area`, a mapping whose host is unknown fails as an Area
        # (the real problem, further down) and also as "expected text": drop the type error
        # of the other member when a deeper error explains the value.
        if error["type"].endswith("_type") and loc in deeper:
            continue
        out.append((loc, *_describe(error), error["type"]))
    return out


def _without(data: Any, paths: list[tuple]) -> Any:
    """A copy of data with the keys at paths removed."""
    data = copy.deepcopy(data)
    for path in paths:
        node = data
        for part in path[:-1]:
            node = node[part]
        node.pop(path[-1], None)
    return data


AGREEMENTS = ("samarbeidsavtale", "tjenesteavtale")


def _check_documents(data: dict[str, Any], source: LoadedFile) -> list[Problem]:
    """A case submission proposes an agreement, so the case must build one to attach."""
    documents = data.get("dokumenter")
    if (isinstance(documents, list) and "saksframlegg" in documents
            and not any(d in documents for d in AGREEMENTS)):
        return [source.problem(("dokumenter",), "a saksframlegg needs the agreement it proposes",
                               "add samarbeidsavtale or tjenesteavtale to 'dokumenter'")]
    return []


def _check_parties(data: dict[str, Any], source: LoadedFile) -> list[Problem]:
    """Parties are distinct, hosts and subsets are parties, and a population figure given
    in the case comes with its date.

    References the register cannot resolve are reported by the model (MunicipalityRef);
    here they are skipped.
    """
    problems: list[Problem] = []
    numbers: list[str] = []
    parties = data.get("parter")
    for i, party in enumerate(parties if isinstance(parties, list) else []):
        if not isinstance(party, dict):
            continue
        problems += _check_population(party, ("parter", i), source)
        if "kommune" not in party:
            continue
        found = register.lookup(party["kommune"])
        if found is None:
            continue
        if found.number in numbers:
            problems.append(source.problem(("parter", i, "kommune"),
                                           f"{found.name} is listed twice as a party",
                                           "remove the duplicate"))
        else:
            numbers.append(found.number)

    def must_be_party(value: Any, where: tuple[str | int, ...], key: bool = False) -> str | None:
        found = register.lookup(value)
        # Unknown or ambiguous references are reported by the model (MunicipalityRef).
        if found is None:
            return None
        if found.number not in numbers:
            problems.append(source.problem(where, f"{found.name} is not a party to this agreement",
                                           "add it under 'parter' or use one of the parties",
                                           key=key))
            return None
        return found.number

    for field in ("vertskommune", "kontorkommune", "hovedkontor"):
        if data.get(field) is not None:
            must_be_party(data[field], (field,))
    # Mappings per participant must name each party once; shares must add up to 100.
    for path, percent in ((("nemnd", "medlemmer"), False), (("representantskap", "medlemmer"),
                          False), (("eierandeler",), True), (("ansvarsandeler",), True),
                          (("saksframlegg", "kommuner"), False)):
        mapping = data
        for part in path:
            mapping = mapping.get(part) if isinstance(mapping, dict) else None
        if not isinstance(mapping, dict):
            continue
        named = [must_be_party(k, (*path, k), key=True) for k in mapping]
        missing = [register.lookup(n).name for n in numbers if n not in named]
        if missing:
            problems.append(source.problem(
                path, f"no value for {', '.join(missing)}",
                "give a value for every party, keyed by kommunenummer"))
        values = [v for v in mapping.values() if isinstance(v, int | float)]
        if percent and len(values) == len(mapping) and abs(sum(values) - 100) > 1e-9:
            problems.append(source.problem(
                path, f"the shares add up to {sum(values):g} %, not 100 %",
                "adjust the percentages so they add up to exactly 100"))

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
