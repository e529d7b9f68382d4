"""The case file's typed model, and validation that reports every problem with its place."""

from __future__ import annotations

import copy
import datetime as dt
import difflib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.functional_validators import AfterValidator
from pydantic.json_schema import WithJsonSchema
from pydantic_core import PydanticCustomError

from ..errors import CaseError, Problem, shorten
from . import caseid, costs, decisions, hygiene, register
from .commencement import meeting_warnings
from .crosschecks import check_documents, check_economy, check_framework, check_parties
from .outline import MAX_ENTRIES, ClauseId, Entry, GivenText
from .source import LoadedFile, load_yaml
from .withdrawal import check_withdrawal


def _shape(message: str, hint: str) -> PydanticCustomError:
    """A value whose parts do not fit together, reported with its hint (see _describe)."""
    return PydanticCustomError("shape", "{message}", {"message": message, "hint": hint})


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


def _case_id(value: str) -> str:
    # caseid.problem is the one check of every id, so it is not repeated as pydantic
    # constraints; the JSON Schema only shows the rule to editors.
    why = caseid.problem(value)
    if why:
        shown = repr(value if len(value) <= 40 else value[:40] + "…")
        raise PydanticCustomError("case_id", "{message}", {
            "message": f"{shown} {why}",
            "hint": f"write e.g. 'id: {caseid.suggestion(value)}'; the id names the case's "
                    "folder under build/"})
    return value


CaseId = Annotated[str, AfterValidator(_case_id),
                   WithJsonSchema({"type": "string", "pattern": caseid.PATTERN,
                                   "maxLength": caseid.MAX_LENGTH})]
# Percentages as written (20.5 stays exactly 20.5; a float would not add up to 100 exactly).
Percent = Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)]

# Upper bounds for every number in a case, far above any real one, so that an extra digit or
# a hostile file is a located message instead of an absurd document or a traceback (Babel's
# number formatting fails beyond 28 digits). Oslo, the largest municipality, has fewer than
# a million inhabitants and a yearly budget under 10**11 kroner.
MAX_KRONER = 10**12  # budgets, base amounts and borrowing ceilings, in whole kroner
MAX_POPULATION = 10**8
MAX_UNITS = 10**9  # counted usage per party (payslips, cases, calls)
MAX_MEMBERS = 100  # members of a body per participant, or of a board
MAX_DRAFT = 999
FIRST_YEAR, LAST_YEAR = 1900, 2200  # budget years
Kroner = Annotated[int, Field(gt=0, lt=MAX_KRONER)]
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
Members = Annotated[int, Field(ge=1, le=MAX_MEMBERS)]

FORMS = (
    "vertskommune",  # administrativt vertskommunesamarbeid, kommuneloven § 20-2
    "vertskommune_med_nemnd",  # vertskommunesamarbeid med felles folkevalgt nemnd, § 20-3
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
    population: Annotated[int, Field(gt=0, lt=MAX_POPULATION)] | None = Field(
        None, alias="folketall", description="replaces the register's figure; needs its date; "
        "below 10^8")
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
    base_amount: Kroner | None = Field(
        None, alias="grunnbeløp", description="kroner per party per budget year (below "
        "10^12)")
    percentages: dict[MunicipalityRef, Percent] | None = Field(
        None, alias="andeler", description="kommunenummer -> agreed percent (0 to 100)")
    unit: Text | None = Field(None, alias="enhet", description="what is counted, e.g. lønnsslipper")
    units: dict[MunicipalityRef, Annotated[int, Field(ge=0, lt=MAX_UNITS)]] | None = Field(
        None, alias="antall", description="kommunenummer -> count (below 10^9)")


class Economy(_Model):
    """The economy clause: a cost key with an optional budget, or principles alone."""

    distribution: Distribution | None = Field(None, alias="fordeling")
    """how costs are divided between the parties; may be left out when 'prinsipper' or
    'tekst' state the economy without figures (then no cost table, and no share or amount
    in any resolution)"""
    budget: dict[Year, Kroner] | None = Field(
        None, alias="budsjett", description="budget year (1900 to 2200) -> amount in whole "
        "kroner (below 10^12)")
    principles: list[Text] = Field(default_factory=list, alias="prinsipper")
    """further principles, one per item (e.g. what is not shared)"""
    text: str | None = Field(None, alias="tekst")
    """more text for the clause"""

    @model_validator(mode="after")
    def _says_something(self):
        # Principles without figures are a real shape (amounts left to the service
        # agreements); a budget with no key to divide it by is not.
        if self.distribution is None and self.budget:
            raise _shape("a budget needs 'fordeling' (the cost key that divides it)",
                         hint="add 'fordeling: {nøkkel: …}', or remove 'budsjett' and state the "
                         "economy in 'prinsipper' or 'tekst'")
        if self.distribution is None and not self.principles and not self.text:
            raise _shape("the economy clause needs 'fordeling', 'prinsipper' or 'tekst'",
                         hint="give the cost key under 'fordeling', or state the principles "
                         "without amounts under 'prinsipper'")
        return self


class Withdrawal(_Model):
    """How a party leaves the cooperation: a notice period, the law's default, or text."""

    notice_months: int | None = Field(None, alias="oppsigelsestid_måneder", ge=1, le=60)
    """notice period in months (1 to 60)"""
    by_law: bool = Field(False, alias="lov", strict=True)  # «ja», «1» are not a yes here
    """true: the statute's default notice applies, and the clause says so with its citation
    (kommuneloven § 20-8 andre ledd for host cooperation, IKS-loven § 30 første ledd for an
    IKS; the other forms have no default)"""
    effective: str | None = Field(
        None, alias="virkning", description="when a withdrawal takes effect, e.g. '1. januar' "
        "(with a notice period or 'lov')")
    text: str | None = Field(None, alias="tekst")
    """how a participant withdraws, in words (e.g. left to each service agreement), or more
    text after the notice period"""

    @model_validator(mode="after")
    def _one_shape(self):
        if self.notice_months is not None and self.by_law:
            raise _shape("gives both a notice period and 'lov: true'",
                         hint="the law's default applies only where the agreement sets no other "
                         "period: keep one of them")
        if self.notice_months is None and not self.by_law and not self.text:
            raise _shape("says nothing about how a participant withdraws",
                         hint="write 'oppsigelsestid_måneder: N', or 'lov: true' where the law "
                         "sets a default, or say it in 'tekst' (e.g. that each service "
                         "agreement regulates it)")
        if self.effective and self.notice_months is None and not self.by_law:
            raise _shape("'virkning' needs a notice period or 'lov: true'",
                         hint="say when a withdrawal takes effect in 'tekst' instead")
        return self


def _commencement(value: Any) -> Any:
    # The three shapes of the file become one mapping: a date, the word «vedtatt», or
    # {dato, vilkår: vedtatt}.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return {"dato": value}
    if value == ON_ADOPTION:
        return {"vilkår": ON_ADOPTION}
    if isinstance(value, dict):
        return value
    shown = shorten(repr(value), 60)
    near = isinstance(value, str) and difflib.get_close_matches(value, [ON_ADOPTION], cutoff=0.6)
    raise _shape(f"expected a date, got {shown}",
                 hint=(f"did you mean '{ON_ADOPTION}'? " if near else "")
                 + "write dates as YYYY-MM-DD, e.g. 2027-01-01; or 'vedtatt' when it takes effect "
                 "once every council has adopted it; or {dato: 2027-01-01, vilkår: vedtatt} for "
                 "that date, but not before every council has adopted it")


ON_ADOPTION = "vedtatt"


class Commencement(_Model):
    """When the agreement takes effect, as a mapping: a date, but not before every adoption.

    Written alone, a date is a fixed date, and 'vedtatt' means when every council has
    adopted it."""

    date: dt.date | None = Field(None, alias="dato")
    """the date it takes effect"""
    condition: Literal["vedtatt"] | None = Field(None, alias="vilkår")
    """vedtatt: not before every council has adopted it"""

    @property
    def on_adoption(self) -> bool:
        """Whether it waits for every council's adoption (words, not only a date)."""
        return self.condition == ON_ADOPTION

    @model_validator(mode="after")
    def _some(self):
        if self.date is None and self.condition is None:
            raise _shape("needs 'dato', 'vilkår: vedtatt' or both",
                         hint="e.g. {dato: 2027-01-01, vilkår: vedtatt}, or simply 'vedtatt'")
        return self


CommencementInput = Annotated[
    Commencement, BeforeValidator(_commencement,
                                  json_schema_input_type=dt.date | Literal["vedtatt"]
                                  | Commencement)]


class Body(_Model):
    """A body with members from each participant (representantskap, felles nemnd)."""

    members: int | dict[MunicipalityRef, Members] = Field(
        alias="medlemmer", description="members per participant: one number for all, or "
        "a number per kommunenummer (1 to 100)")
    text: str | None = Field(None, alias="tekst")
    """more text for the clause"""

    @field_validator("members")
    @classmethod
    def _positive(cls, value):
        if isinstance(value, int) and value < 1:
            raise ValueError("must be at least 1")
        if isinstance(value, int) and value > MAX_MEMBERS:
            raise PydanticCustomError("bound", "{message}", {
                "message": f"must be less than or equal to {MAX_MEMBERS}",
                "hint": "the limit is far above any real case; check for extra digits"})
        return value


class Committee(Body):
    """The joint political committee (felles folkevalgt nemnd) and its members per participant."""

    @field_validator("members")
    @classmethod
    def _two_or_more(cls, value):
        # kommuneloven § 20-3 tredje ledd: «Hver av deltakerne i samarbeidet skal være
        # representert med to eller flere medlemmer i nemnda.»
        counts = value.values() if isinstance(value, dict) else [value]
        if any(n < 2 for n in counts):
            raise PydanticCustomError("bound", "{message}", {
                "message": "each participant must have two or more members of the committee "
                           "(kommuneloven § 20-3 tredje ledd)",
                "hint": "write 2 or more for every participant"})
        return value


# IKS-loven § 10 første ledd: at least three board members, five when the employees elect
# members under the eighth or ninth paragraph, seven under the tenth.
EMPLOYEE_ELECTED = {"nei": 3, "åttende ledd": 5, "niende ledd": 5, "tiende ledd": 7}


class Board(_Model):
    """The board of an inter-municipal company: its number, or the lowest and highest."""

    members: int | None = Field(None, alias="medlemmer", ge=1, le=MAX_MEMBERS)
    """number of board members (at least 3, or 5 or 7 with employee-elected members)"""
    lowest: int | None = Field(None, alias="laveste", ge=1, le=MAX_MEMBERS)
    """instead of medlemmer: the lowest number; the representantskap sets the number"""
    highest: int | None = Field(None, alias="høyeste", ge=1, le=MAX_MEMBERS)
    """instead of medlemmer: the highest number"""
    employee_elected: Literal[tuple(EMPLOYEE_ELECTED)] = Field(  # type: ignore[valid-type]
        "nei", alias="ansattevalgte")
    """whether the employees elect board members under IKS-loven § 10: nei, 'åttende ledd',
    'niende ledd' or 'tiende ledd'"""
    text: str | None = Field(None, alias="tekst")
    """more text for the clause"""

    @model_validator(mode="after")
    def _number_or_range(self):
        # IKS-loven § 4 tredje ledd nr. 5: «antallet eller laveste og høyeste antall».
        minimum = EMPLOYEE_ELECTED[self.employee_elected]
        law = "IKS-loven § 10 første ledd" + (
            "" if self.employee_elected == "nei"
            else f", with employee-elected members under § 10 {self.employee_elected}")
        ranged = self.lowest is not None or self.highest is not None
        if self.members is not None and ranged:
            raise PydanticCustomError("board", "{message}", {
                "message": "give either 'medlemmer' or 'laveste' and 'høyeste', not both "
                           "(IKS-loven § 4 tredje ledd nr. 5)",
                "hint": "a fixed number: keep 'medlemmer'; a range: keep 'laveste' and "
                        "'høyeste'"})
        if self.members is None and not ranged:
            raise PydanticCustomError("board", "{message}", {
                "message": "missing — IKS-loven § 4 tredje ledd nr. 5: the number of board "
                           "members, or the lowest and highest number",
                "hint": "add 'medlemmer: 3', or 'laveste: 3' and 'høyeste: 5'"})
        if ranged and (self.lowest is None or self.highest is None):
            raise PydanticCustomError("board", "{message}", {
                "message": "a range needs both 'laveste' and 'høyeste' (IKS-loven § 4 tredje "
                           "ledd nr. 5)",
                "hint": "add the missing bound, or give a fixed number as 'medlemmer'"})
        if ranged and self.lowest >= self.highest:
            raise PydanticCustomError("board", "{message}", {
                "message": f"'laveste' ({self.lowest}) must be less than 'høyeste' "
                           f"({self.highest})",
                "hint": "for a fixed number write 'medlemmer' instead"})
        smallest = self.members if self.members is not None else self.lowest
        if smallest < minimum:
            raise PydanticCustomError("board", "{message}", {
                "message": f"the board must have at least {minimum} members ({law})",
                "hint": f"write {minimum} or more"})
        return self


def _yes_no(value: Any) -> Any:
    # The case file says ja or nei, as the agreement does; true/false are YAML's own words.
    if isinstance(value, str) and value.strip().casefold() in ("ja", "nei"):
        return value.strip().casefold() == "ja"
    if isinstance(value, bool):
        return value
    raise PydanticCustomError("yes_no", "{message}", {
        "message": f"expected ja or nei, got {shorten(repr(value), 40)}",
        "hint": "write ja or nei (or true or false)"})


YesNo = Annotated[bool, BeforeValidator(_yes_no),
                  WithJsonSchema({"anyOf": [{"type": "boolean"}, {"enum": ["ja", "nei"]}]})]


def _transfer(value: Any) -> Any:
    # A date, or text such as «når alle kommunestyrene har vedtatt avtalen»: never forced
    # to a date, since the statute asks only when the transfer takes place.
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date) or (isinstance(value, str) and value.strip()):
        return value
    raise PydanticCustomError("transfer", "{message}", {
        "message": f"expected a date or a text, got {shorten(repr(value), 40)}",
        "hint": "write a date (YYYY-MM-DD) or a text completing «Oppgavene og myndigheten "
                "overføres …», e.g. 'når alle kommunestyrene har vedtatt avtalen'"})


Transfer = Annotated[dt.date | str, BeforeValidator(_transfer),
                     WithJsonSchema({"anyOf": [{"type": "string", "format": "date"},
                                               {"type": "string", "minLength": 1}]})]


class Borrowing(_Model):
    """Whether the cooperation may borrow money, and up to what amount."""

    allowed: bool = Field(alias="tillatt")
    """true if it may borrow, false if not"""
    ceiling: int | None = Field(None, alias="ramme", gt=0, lt=MAX_KRONER,
                                description="kroner (below 10^12)")


class ClauseOverride(_Model):
    """Replace or extend a standard clause by its id, or add a new clause."""

    heading: GivenText = Field(None, alias="overskrift")
    """replaces the heading (required for a new clause)"""
    text: GivenText = Field(None, alias="tekst", description="replaces the standard text "
                            "(not empty: to leave a clause out, list it under 'utelat')")
    addition: GivenText = Field(None, alias="tillegg", description="added after the text")
    after: str | None = Field(None, alias="etter", description="new clause: id to place it after")


class Route(_Model):
    """One meeting a case submission goes to (utvalg, møtedato, saksnummer)."""

    committee: Text = Field(alias="utvalg")
    """the committee or council, e.g. Formannskapet, Kommunestyret"""
    date: dt.date = Field(alias="møtedato")
    """meeting date"""
    number: Text | None = Field(None, alias="saksnr")
    """the committee's case number, e.g. 18/26"""
    outcome: decisions.Outcome | None = Field(None, alias="vedtak")
    """the meeting's outcome, once it is held: vedtatt, vedtatt_med_endringer, utsatt or
    avvist (the last meeting decides; earlier ones recommend)"""
    amendment: Text | None = Field(None, alias="endring")
    """what the meeting changed (only with vedtak: vedtatt_med_endringer)"""

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
    members: list[Text] = Field(default_factory=list, alias="medlemmer",
                                max_length=MAX_MEMBERS)
    """names of the members this council elects to the representantskap or the joint
    committee, when known: its resolution then names them (as many as the case gives it)"""
    deputies: list[Text] = Field(default_factory=list, alias="varamedlemmer",
                                 max_length=3 * MAX_MEMBERS)
    """names of the deputies it elects, when known"""


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
    budget_year: Year | None = Field(None, alias="budsjettår")
    """the budget year each council's resolution names (default: the first; 1900 to 2200)"""
    councils: dict[MunicipalityRef, CouncilCopy] = Field(default_factory=dict,
                                                         alias="kommuner")
    """each council's copy: kommunenummer -> its numbers, officer and route"""


class Signing(_Model):
    """Where and when the agreement is signed."""

    place: Text = Field(alias="sted")
    """place of signing"""
    date: dt.date | None = Field(None, alias="dato")
    """date of signing"""


# --- What real agreements hold beyond the statutory minimum: goals, principles, phases and
# project plan, financing, personnel policy, organs, and what a framework agreement calls
# itself and which forms its service agreements take. Each is shown by a standard clause of
# its own that appears only when the case gives it.

NAME_FORMS = ("offisiell", "norsk")
# The forms a framework agreement's service agreements may take: every form but itself.
SERVICE_FORMS = tuple(form for form in FORMS if form != "rammeavtale")


def _year_as_text(value: Any) -> Any:
    # «tid: 2027» is a year, printed as written; YAML reads it as a number
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class Phase(_Model):
    """One phase of the project plan."""

    name: Text = Field(alias="navn")
    """the phase's name, e.g. Fase 1 – utredning"""
    time: Annotated[str, BeforeValidator(_year_as_text, json_schema_input_type=str | int)] \
        | None = Field(None, alias="tid")
    """when, as the parties write it, e.g. 2027 or høsten 2026"""
    content: Text = Field(alias="innhold")
    """what is done in the phase"""


class Phases(_Model):
    """The time horizon and the project plan, phase by phase."""

    horizon: str | None = Field(None, alias="tidshorisont")
    """the cooperation's time horizon, as a text"""
    plan: list[Phase] = Field(alias="plan", min_length=1, max_length=MAX_MEMBERS)
    """the phases in order; each is a numbered sub-point of the clause"""
    text: str | None = Field(None, alias="tekst")
    """more text for the clause"""


class Organ(_Model):
    """A political or administrative body of the cooperation (a steering or project group)."""

    name: Text = Field(alias="navn")
    """the body's name, e.g. Styringsgruppa"""
    kind: Literal["politisk", "administrativt"] = Field(alias="type")
    """politisk (elected members) or administrativt (officers)"""
    members: list[Text] = Field(alias="medlemmer", min_length=1, max_length=MAX_MEMBERS)
    """who sits in it, one item each, e.g. ordførerne i deltakerkommunene"""
    mandate: str | None = Field(None, alias="mandat")
    """what the body does and decides"""
    statutory: bool = Field(False, alias="lovbestemt")
    """true if the law requires the body (default false: the parties' own)"""


class ServiceAgreements(_Model):
    """The agreements a framework agreement's cooperation areas get, and their forms."""

    forms: list[Literal[SERVICE_FORMS]] = Field(  # type: ignore[valid-type]
        alias="former", min_length=1, max_length=len(SERVICE_FORMS))
    """the forms the service agreements take, e.g. [vertskommune, tjenestekjøp]"""
    text: str | None = Field(None, alias="tekst")
    """more text about the service agreements"""

    @field_validator("forms")
    @classmethod
    def _once(cls, value):
        twice = sorted({form for form in value if value.count(form) > 1})
        if twice:
            raise _shape(f"lists {', '.join(repr(f) for f in twice)} more than once",
                         hint="list each form once")
        return value


class Case(_Model):
    """One case file: a cooperation and the documents to build for it."""

    id: CaseId | None = Field(None, description="folder name under build/; default: the file name")
    title: Text = Field(alias="tittel")
    """title of the document (also its Word and PDF title)"""
    subtitle: str | None = Field(None, alias="undertittel")
    """subtitle under the title"""
    language: Literal["nb", "nn"] = Field("nb", alias="språk")
    """language of the document text: nb (bokmål) or nn (nynorsk)"""
    status: Literal["utkast", "endelig"] = "utkast"
    """utkast (a draft, stamped as such) or endelig (final)"""
    draft: int | None = Field(None, alias="utkast", ge=1, le=MAX_DRAFT)
    """draft number, shown while the status is utkast (1 to 999)"""
    form: Form = Field(alias="samarbeidsform")
    """the cooperation form; it decides which content the law requires"""
    documents: list[Literal["samarbeidsavtale", "tjenesteavtale", "saksframlegg",
                            "melding-statsforvalteren"]] = Field(
        default_factory=lambda: ["samarbeidsavtale"], alias="dokumenter", min_length=1)
    """the documents to build; melding-statsforvalteren is the host's notice that a host
    cooperation is established (kommuneloven § 20-4 femte ledd), from the councils' decisions"""
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
    committee: Committee | None = Field(
        None, alias="nemnd", description="the joint political committee (kommuneloven § 20-3): "
        "members per participant, two or more each")
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
    takes_effect: CommencementInput | None = Field(None, alias="ikrafttredelse")
    """when the agreement takes effect: a date (YYYY-MM-DD); 'vedtatt' when every council
    has adopted it; or {dato: YYYY-MM-DD, vilkår: vedtatt} for that date, but not before
    every council has adopted it"""
    clauses: dict[str, ClauseOverride] = Field(default_factory=dict, alias="klausuler")
    """replace or extend standard clauses by id, or add new clauses"""
    outline: list[Entry] | None = Field(
        None, alias="disposisjon", min_length=1, max_length=MAX_ENTRIES)
    """the agreement's clauses in order: a standard clause's id, a mapping with a standard
    id and the case's own overskrift/tekst/tillegg, or the case's own clause (id, overskrift,
    tekst); every standard clause the agreement would have must be listed here or under
    'utelat'; the clauses are numbered in this order. In any text of the case, a paragraph
    starting '+ ' is a sub-point numbered after its clause (N.1, N.2 …; '+ [id] ' gives it
    an id), and [[id]] prints the number of the clause or sub-point with that id"""
    omitted: list[ClauseId] = Field(default_factory=list, alias="utelat",
                                    max_length=MAX_ENTRIES)
    """standard clauses left out of the agreement, by id; not those the law or samdok's
    minimum requires"""
    signing: Signing | None = Field(None, alias="underskrift")
    service: str | None = Field(None, alias="tjeneste")
    """the service a service agreement is about, e.g. barneverntjeneste"""
    reporting: str | None = Field(None, alias="rapportering")
    """what is reported to the participants (an oppgavefellesskap must say it); a service
    agreement has a standard text"""
    employer: str | None = Field(None, alias="arbeidsgiveransvar")
    """who is the employer of the staff (default: a standard text)"""
    submission: Submission | None = Field(None, alias="saksframlegg")
    """the joint case submission to every council"""
    # --- The fields shown by their own standard clauses (see Phase … ServiceAgreements).
    goals: list[Text] = Field(default_factory=list, alias="mål", max_length=MAX_MEMBERS)
    """the cooperation's goals, one per item"""
    principles: list[Text] = Field(default_factory=list, alias="prinsipper",
                                   max_length=MAX_MEMBERS)
    """principles the cooperation is built on, one per item"""
    phases: Phases | None = Field(None, alias="faser")
    """time horizon and project plan"""
    financing: str | None = Field(None, alias="finansiering")
    """how the work is financed (e.g. project funds), apart from the cost key"""
    personnel: str | None = Field(None, alias="personalpolitikk")
    """personnel policy: staff, employer changes, involvement of employee representatives"""
    organs: list[Organ] = Field(default_factory=list, alias="organer", max_length=MAX_MEMBERS)
    """the cooperation's political and administrative bodies (steering group, project group)"""
    agreement_name: Text | None = Field(None, alias="avtalenavn")
    """what a framework agreement calls itself (default rammeavtale), e.g. grunnavtale"""
    service_agreements: ServiceAgreements | None = Field(None, alias="tjenesteavtaler")
    """a framework agreement: the forms its cooperation areas' own agreements take"""
    name_form: Literal[NAME_FORMS] = Field(  # type: ignore[valid-type]
        "offisiell", alias="navneform")
    """offisiell: each municipality in its official form (bilingual where it has one, e.g.
    Deatnu - Tana kommune) in the parties clause, signature page, heads and resolutions;
    norsk: the Norwegian form (Tana kommune) there, except in each council's own head"""
    legal_entity: YesNo | None = Field(None, alias="eget_rettssubjekt")
    """ja or nei: whether the political council or oppgavefellesskap is a legal entity of
    its own (kommuneloven § 18-4 / § 19-4 fjerde ledd bokstav b)"""
    authority: str | None = Field(None, alias="myndighet")
    """the authority given to the cooperation, or that it has none (kommuneloven § 18-4
    fjerde ledd bokstav e, § 19-4 fjerde ledd bokstav d; host forms: with the tasks)"""
    archives: str | None = Field(None, alias="arkivansvar")
    """who keeps the archives after dissolution, e.g. 'Lillehammer kommune' or 'IKA
    Opplandene' (kommuneloven § 18-4 fjerde ledd bokstav h, § 19-4 fjerde ledd bokstav j)"""
    deficit: str | None = Field(None, alias="merforbruk")
    """how the participants cover a deficit, where it differs from their deltakeransvar
    (kommuneloven § 14-12 fjerde ledd; political council and oppgavefellesskap)"""
    transfer: Transfer | None = Field(None, alias="overføring")
    """when tasks and authority pass to the host: a date, or a text completing «Oppgavene og
    myndigheten overføres …» (kommuneloven § 20-4 tredje ledd bokstav d)"""
    notification: str | None = Field(None, alias="underretning")
    """which of the host's decisions the participants are told about, completing «Av
    vertskommunens vedtak skal deltakerkommunene underrettes om …» (kommuneloven § 20-4
    tredje ledd bokstav e)"""

    @property
    def commencement(self) -> dt.date | None:
        """The date the agreement states it takes effect (a fixed date, or the date of one
        conditional on adoption); None when it takes effect on adoption alone."""
        return self.takes_effect.date if self.takes_effect else None


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
        # Both were checked by caseid.problem in validate(), the only maker of a LoadedCase.
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


def _keys_at(path: tuple[str | int, ...]) -> list[str]:
    """The keys the model allows in the mapping at path (indices and map keys skipped)."""
    model: Any = Case
    for part in path:
        if isinstance(part, int) or not (isinstance(model, type)
                                         and issubclass(model, BaseModel)):
            continue
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            return KEYS
        models = [t for t in _types_in(field.annotation)
                  if isinstance(t, type) and issubclass(t, BaseModel)]
        model = models[0] if models else None
    if isinstance(model, type) and issubclass(model, BaseModel):
        return sorted(f.alias or n for n, f in model.model_fields.items())
    return KEYS


def _suggest(word: str, options: list[str]) -> str:
    match = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else ""


def _describe(error: dict[str, Any]) -> tuple[str, str]:
    """Plain message and hint for one pydantic error."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    shown = shorten(repr(value), 60) if not isinstance(value, dict | list) else type(value).__name__
    if kind in ("municipality", "case_id", "bound", "shape", "board", "yes_no", "transfer"):
        return ctx["message"], ctx["hint"]
    if kind == "missing":
        return "required field is missing", "add it; see the case-file format in README.md"
    if kind == "extra_forbidden":
        key = hygiene.visible(str(error["loc"][-1]))  # no invisible control to the terminal
        if ":" in key:  # "inntreden:Nye kommuner" is a missing space, not a new key
            return f"unknown key '{key}'", "write 'key: value' with a space after the colon"
        here = _keys_at(_loc_path(error["loc"])[:-1])
        listed = ", ".join(here) if len(here) <= 8 else "see the case-file reference in README.md"
        return f"unknown key '{key}'", (_suggest(key, here) or
                                        f"remove it or check the spelling; keys here: {listed}")
    if kind == "literal_error":
        allowed = ctx.get("expected", "")
        options = [o.strip().strip("'") for o in allowed.replace(" or ", ", ").split(",")]
        hint = _suggest(str(value), options) if isinstance(value, str) else ""
        return f"{shown} is not one of {allowed}", hint or f"use one of {allowed}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number, got {shown}", "write digits only, with no spaces or words"
    if kind == "finite_number":
        return ("expected a number, got infinity (a number too large to hold, such as 1e400)",
                "write the figure in digits, e.g. 12500000")
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {shown}", "write true or false, without quotes"
    if kind in ("decimal_parsing", "decimal_type"):
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
        return (f"needs at least {ctx.get('min_length')} item(s)",
                "add the missing items, each on its own line starting with '- '")
    if kind == "string_pattern_mismatch":
        return f"{shown} is not allowed here", "use lower-case letters a-z, digits and '-'"
    if kind in ("greater_than", "greater_than_equal", "less_than_equal", "less_than"):
        message = error["msg"].replace("Input should be", "must be")
        bound = next(iter(ctx.values()), None)
        if kind.startswith("less") and isinstance(bound, int) and bound > 100:
            # the upper bounds above 100 are sanity limits (MAX_KRONER and the like)
            shown_bound = f"{bound:,}" if bound >= 10**6 else str(bound)
            return (message.replace(str(bound), shown_bound), "the limit is far above any "
                    "real case; check for extra digits")
        return message, "check the number (amounts are whole kroner, percentages 0 to 100)"
    if kind == "value_error":
        return error["msg"].removeprefix("Value error, "), ""
    return error["msg"], ""


def _loc_path(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    # pydantic adds the union member it tried ("str", "Area", "int") to the location;
    # those are not keys of the file.
    members = {"str", "int", "Area", "OutlineEntry", "constrained-str", "function-after"}
    # A mapping key that fails (a budget year out of range) comes as text before "[key]";
    # as the number it was in the file it names the entry and finds its place.
    loc = tuple(int(p) if isinstance(p, str) and p.isascii() and p.isdigit()
                and str(int(p)) == p and after == "[key]" else p
                for p, after in zip(loc, (*loc[1:], None), strict=True))
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
    # A key that loading refused (a character it may not hold) is not reported again as
    # unknown: it is unknown only because of that character.
    refused = {p.line for p in source.errors if p.message.startswith("the key holds")}
    warnings = source.warnings + [
        warning for loc, message, hint in extras
        if (warning := source.problem(loc, message, hint, key=True, severity="warning")).line
        not in refused]
    cleaned = _without(data, [loc for loc, _, _ in extras])
    # What loading found in single values (an impossible date, a refused tag) comes first;
    # the model's complaint about the same value (now text, or nothing) would only repeat it.
    problems: list[Problem] = list(source.errors)
    taken = {(p.line, p.column) for p in source.errors}
    seen = set()
    for loc, message, hint, _kind in _errors(cleaned):
        if (loc, message) not in seen:  # a union reports one failure per member; say it once
            seen.add((loc, message))
            problem = source.problem(loc, message, hint)
            if (problem.line, problem.column) not in taken:
                problems.append(problem)
    # The register checks read the raw data, so they run (and report) even when other
    # fields are wrong: the user sees every problem in one run.
    reported = {p.field for p in problems}
    checks = (check_parties(data, source) + check_economy(data, source)
              + check_documents(data, source) + check_withdrawal(data, source)
              + check_framework(data, source))
    form, documents = data.get("samarbeidsform"), data.get("dokumenter", ["samarbeidsavtale"])
    readable = (form in FORMS and isinstance(documents, list)
                and all(isinstance(d, str) for d in documents))
    if readable:
        from .rules import check_borrowing, check_form_keys, check_names

        named = (check_names(source, documents, form) + check_form_keys(source, form)
                 + check_borrowing(source))
        checks += [p for p in named if p.severity == "error"]
        warnings += [p for p in named if p.severity != "error"]
    problems += [p for p in checks if p.field not in reported
                 and (p.line, p.column) not in taken]
    if data.get("id") is None:
        problems += _file_name_id(source, path)
    if problems:
        # So do the required contents, when the form and documents are readable: otherwise
        # they would show only once everything else is put right. A required key the model
        # also misses is reported once, with its citation.
        if readable:
            from .rules import check_data

            cited = check_data(source, documents, form)
            fields = {p.field for p in cited}
            problems = [p for p in problems if not (p.field in fields and p.message ==
                                                    "required field is missing")]
            reported = {p.field for p in problems}
            problems += [p for p in cited if p.field not in reported]
        raise CaseError(in_file_order(explain_missing(problems + warnings)))
    case = Case.model_validate(cleaned)
    # The councils' outcomes (against the clock), and the notice that reports them.
    recorded = decisions.check(case, source) + decisions.check_notice(case, source)
    if any(p.severity == "error" for p in recorded):
        raise CaseError(in_file_order(recorded + warnings))
    warnings += recorded
    signed = case.signing.date if case.signing else None
    if signed and case.commencement and case.commencement < signed:
        # Retroactive agreements exist (a cooperation formalised after it started), so
        # this is a warning: --strict makes it an error.
        warnings.append(source.problem(
            ("ikrafttredelse",), f"takes effect on {case.commencement}, before it is signed "
            f"on {signed}", "check that a retroactive agreement is meant", severity="warning"))
    warnings += meeting_warnings(case, source)
    return LoadedCase(case, source, path, warnings)


def in_file_order(problems: list[Problem]) -> list[Problem]:
    """Sorted by place, the error first of two at one place; those without a place (a
    missing key) last."""
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0, p.column or 0,
                                           p.severity != "error"))


def explain_missing(problems: list[Problem]) -> list[Problem]:
    """A missing key written under a misspelt name is reported once, at that name, with the
    rename as its hint: the unknown-key warning is folded into the missing-key error it
    explains (the missing key has no line of its own to stand on)."""
    unknown = {}
    for p in problems:
        if p.severity == "warning" and p.message.startswith("unknown key '"):
            parent, _, key = p.field.rpartition(".")
            unknown.setdefault(parent, []).append((key, p))
    out, folded = [], set()
    for p in problems:
        missing = p.severity == "error" and (p.message == "required field is missing"
                                             or p.message.startswith("missing — "))
        parent, _, key = p.field.rpartition(".")
        candidates = [(k, w) for k, w in unknown.get(parent, []) if id(w) not in folded]
        match = difflib.get_close_matches(key, [k for k, _ in candidates], n=1,
                                          cutoff=0.6) if missing else []
        if match:
            near = next(w for k, w in candidates if k == match[0])
            folded.add(id(near))
            p = Problem(p.file, near.line, near.column, p.field,
                        f"{p.message} (written '{match[0]}' here?)",
                        f"'{match[0]}' is not a key samdok knows, and looks like a "
                        f"misspelling of '{key}': rename it", p.severity)
        out.append(p)
    return [p for p in out if id(p) not in folded]


def _file_name_id(source: LoadedFile, path: Path) -> list[Problem]:
    """A case without 'id' takes its file name as its id: it passes the same check."""
    why = caseid.problem(path.stem)
    if why is None:
        return []
    shown = repr(path.stem if len(path.stem) <= 40 else path.stem[:40] + "…")
    return [Problem(source.file, None, None, "id",
                    f"the case has no 'id', and its file name gives the id {shown}, which {why}",
                    f"add a line 'id: {caseid.suggestion(path.stem)}' to the case (the name "
                    "of its folder under build/), or rename the file")]


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


def load_case(path: Path, shown: str | None = None, data: bytes | None = None) -> LoadedCase:
    """Read and validate one case file; with `data`, those bytes are its contents (a version
    from git), and path only names it (a case without 'id' takes its id from the name)."""
    return validate(load_yaml(path, shown, data, collect=True), path)
