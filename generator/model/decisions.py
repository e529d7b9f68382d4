"""Each council's decision on the joint case submission: the outcome per meeting, its checks,
and where every council and the whole case stand (what `samdok status` reports)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..errors import Problem
from . import register

if TYPE_CHECKING:  # case.py imports this module for the outcome type
    from .case import Case, CouncilCopy, LoadedCase
    from .source import LoadedFile

OUTCOMES = ("vedtatt", "vedtatt_med_endringer", "utsatt", "avvist")
Outcome = Literal[OUTCOMES]  # type: ignore[valid-type]

# A council's state, as `samdok status --json` writes it (stable keys).
# EARLIER: the council adopted a text that a later amendment replaced (see standing()).
PENDING, ADOPTED, AMENDED, POSTPONED, REJECTED, EARLIER = (
    "pending", "adopted", "adopted_with_amendments", "postponed", "rejected",
    "adopted_earlier_text")
STATES = {None: PENDING, "vedtatt": ADOPTED, "vedtatt_med_endringer": AMENDED,
          "utsatt": POSTPONED, "avvist": REJECTED}
SHOWN = {PENDING: "pending", ADOPTED: "adopted", AMENDED: "adopted with amendments",
         POSTPONED: "postponed", REJECTED: "rejected", EARLIER: "adopted an earlier text"}

# The one clock every "has this meeting been held?" question asks, so tests replace it and
# never depend on the day they run: decisions.clock = lambda: dt.date(2026, 12, 1).
clock: Callable[[], dt.date] = dt.date.today


def today() -> dt.date:
    """Today's date, from the one injectable clock."""
    return clock()


@dataclass(frozen=True)
class Council:
    """One council's standing: its state and the meeting that gave it (the last one)."""

    number: str
    name: str  # "Gausdal kommune"
    state: str  # PENDING, ADOPTED, AMENDED, POSTPONED, REJECTED or EARLIER
    body: str  # the deciding meeting's body (utvalg), e.g. Kommunestyret
    date: dt.date | None  # the deciding meeting's date (for pending: the meeting planned)
    case_number: str  # the deciding meeting's saksnr ("" when not given)
    archive_case: str  # the council's arkivsak
    amendment: str = ""  # the text of an amendment (AMENDED)
    # EARLIER: the amendment that replaced the text it adopted ("Stange kommune,
    # Kommunestyret 2026-10-20")
    replaced_by: str = ""

    @property
    def outcome_missing(self) -> bool:
        """A pending council whose meeting has been held: its outcome is not recorded."""
        return self.state == PENDING and self.date is not None and self.date < today()


@dataclass(frozen=True)
class Standing:
    """Where a case stands: each council, whether the agreement is in force, what is left."""

    councils: tuple[Council, ...]
    known: bool  # False: the case records no councils (no saksframlegg.kommuner)
    effective: dt.date | None = None  # when the agreement takes effect (all adopted)
    in_force: bool | None = None  # None: samdok cannot tell
    left: tuple[str, ...] = field(default_factory=tuple)

    @property
    def all_adopted(self) -> bool:
        return self.known and all(c.state == ADOPTED for c in self.councils)

    @property
    def last_adoption(self) -> dt.date | None:
        dates = [c.date for c in self.councils if c.state == ADOPTED and c.date]
        return max(dates) if self.all_adopted and dates else None


def council(number: str, copy: CouncilCopy,
            amended: tuple[dt.date, str] | None = None) -> Council:
    """A council's standing from its route: the last meeting decides, earlier ones recommend.
    `amended` is the latest amendment (its date, and who made it): an adoption on or before
    that date adopted a text the amendment replaced, so it no longer counts."""
    last = copy.route[-1]
    state, replaced_by = STATES[last.outcome], ""
    if state == ADOPTED and amended is not None and last.date <= amended[0]:
        state, replaced_by = EARLIER, amended[1]
    return Council(number, f"{register.lookup(number).name} kommune", state,
                   last.committee, last.date, last.number or "", copy.case_number,
                   last.amendment or "", replaced_by)


def latest_amendment(copies: dict[str, CouncilCopy]) -> tuple[dt.date, str] | None:
    """The latest meeting that adopted the agreement with amendments, as (date, who and
    where), or None. An amendment makes a new text: only adoptions after it adopted that."""
    found = [(m.date, f"{register.lookup(number).name} kommune, {m.committee} "
                      f"{m.date.isoformat()}")
             for number, copy in copies.items() for m in copy.route
             if m.outcome == "vedtatt_med_endringer"]
    return max(found) if found else None


def recorded(case: Case) -> bool:
    """Whether the case records any meeting's outcome."""
    councils = case.submission.councils if case.submission else {}
    return any(m.outcome for copy in councils.values() for m in copy.route)


# --- commencement ------------------------------------------------------------------------
# The seam to the commencement rule: effective_date(case, adopted_on) answers "from when is
# the agreement in force, now that every council adopted it on or before adopted_on?".

def effective_date(case: Case, adopted_on: dt.date) -> dt.date | None:
    """When the agreement takes effect once all adopted it (the last on adopted_on); None
    when the case gives no commencement."""
    from .commencement import effective_date as rule

    return rule(case, adopted_on)


# --- where a case stands -----------------------------------------------------------------

def standing(case: Case) -> Standing:
    """Each council's state, whether the agreement is in force and from when, what is left."""
    copies = case.submission.councils if case.submission else {}
    if not copies:
        return Standing((), False, left=(
            "samdok cannot tell: the case records no councils (add saksframlegg.kommuner "
            "with each council's meetings, and 'vedtak' on each meeting held)",))
    amended = latest_amendment(copies)
    councils = tuple(council(register.lookup(p.municipality).number,
                             copies[register.lookup(p.municipality).number], amended)
                     for p in case.parties
                     if register.lookup(p.municipality).number in copies)
    left: list[str] = []
    for c in councils:
        when = c.date.isoformat() if c.date else "?"
        if c.outcome_missing:
            left.append(f"{c.name}: {c.body} meeting on {when} held; outcome not recorded "
                        "(add its 'vedtak')")
        elif c.state == PENDING:
            left.append(f"{c.name}: {c.body} has not decided yet (meeting {when})")
        elif c.state == EARLIER:
            left.append(f"{c.name}: {c.body} adopted an earlier text on {when}; must adopt "
                        f"the amended text (amended by {c.replaced_by})")
        elif c.state == POSTPONED:
            left.append(f"{c.name}: {c.body} postponed the case on {when}; add the next "
                        "meeting under 'behandling'")
        elif c.state == REJECTED:
            left.append(f"{c.name}: {c.body} rejected the agreement on {when}; it cannot take "
                        "effect as it stands")
        elif c.state == AMENDED:
            left.append(f"{c.name}: {c.body} adopted it with an amendment on {when}; the "
                        "amended text is a new draft for every council")
    # Not every council has adopted the current text: definitely not in force.
    state = Standing(councils, True, in_force=False, left=tuple(left))
    if not state.all_adopted:
        return state
    effective = effective_date(case, state.last_adoption)
    if effective is None:
        left.append("samdok cannot tell when it takes effect: the case gives no commencement "
                    "(ikrafttredelse)")
        in_force = None
    else:
        in_force = effective <= today()
        if not in_force:
            left.append(f"the agreement takes effect on {effective.isoformat()}")
    if case.status != "endelig":
        left.append("mark the case final (status: endelig), commit, and samdok build --final")
    return Standing(councils, True, effective, in_force, tuple(left))


# --- checks ------------------------------------------------------------------------------

def _raw_keys(source: LoadedFile) -> dict[str, Any]:
    """kommunenummer -> the key the file wrote the council under (a name or a number)."""
    submission = source.data.get("saksframlegg") if isinstance(source.data, dict) else None
    copies = submission.get("kommuner") if isinstance(submission, dict) else None
    out = {}
    for key in copies if isinstance(copies, dict) else ():
        found = register.lookup(key)
        if found is not None:
            out[found.number] = key
    return out


def check(case: Case, source: LoadedFile) -> list[Problem]:
    """Located problems with the recorded outcomes: an amendment where there is none, an
    outcome of a meeting not yet held, meetings out of order, a meeting after a rejection."""
    if not case.submission:
        return []
    keys, now, problems = _raw_keys(source), today(), []
    for number, copy in case.submission.councils.items():
        base = ("saksframlegg", "kommuner", keys.get(number, number), "behandling")
        outcomes = [m for m in copy.route if m.outcome]
        rejected = None
        for i, meeting in enumerate(copy.route):
            here = (*base, i)
            if meeting.amendment and meeting.outcome != "vedtatt_med_endringer":
                problems.append(source.problem(
                    (*here, "endring"), "an amendment belongs to a meeting that adopted the "
                    f"agreement with amendments, not to 'vedtak: {meeting.outcome or '(none)'}'",
                    "write 'vedtak: vedtatt_med_endringer', or remove 'endring'", key=True))
            if meeting.outcome == "vedtatt_med_endringer" and not meeting.amendment:
                problems.append(source.problem(
                    (*here, "vedtak"), "an adoption with amendments needs the amendment",
                    "add 'endring:' with what the meeting changed, as its minutes say it"))
            if meeting.outcome and meeting.date > now:
                problems.append(source.problem(
                    (*here, "vedtak"), f"the meeting on {meeting.date.isoformat()} has not "
                    f"been held yet (today is {now.isoformat()}), so it has no outcome",
                    "record the outcome after the meeting, or correct 'møtedato'"))
            if meeting.outcome and rejected is not None:
                problems.append(source.problem(
                    (*here, "vedtak"), f"{rejected.committee} rejected the agreement on "
                    f"{rejected.date.isoformat()}; no meeting after a rejection decides on it",
                    "a rejection ends the case in this council: remove this outcome, or, if "
                    "the earlier meeting only recommended, remove 'vedtak: avvist' there"))
            if meeting.outcome == "avvist" and rejected is None:
                rejected = meeting
            if (outcomes and i and meeting.date < copy.route[i - 1].date):
                problems.append(source.problem(
                    (*here, "møtedato"), f"the meeting on {meeting.date.isoformat()} comes "
                    f"after one on {copy.route[i - 1].date.isoformat()}",
                    "list the meetings in the order they are held: the last one decides"))
    return problems


NOTICE = "melding-statsforvalteren"
HOST_FORMS = ("vertskommune", "vertskommune_med_nemnd")


def check_notice(case: Case, source: LoadedFile) -> list[Problem]:
    """The notice to statsforvalteren: only a host cooperation has one (kommuneloven § 20-4
    femte ledd), it reports the councils' decisions and the agreement they adopted, and it
    is built once every council adopted the agreement (before that: a warning)."""
    if NOTICE not in case.documents:
        return []
    where = ("dokumenter", case.documents.index(NOTICE))
    if case.form not in HOST_FORMS:
        return [source.problem(where, f"a {case.form} has no notice to statsforvalteren: "
                               "kommuneloven § 20-4 femte ledd asks it of the host in a "
                               "host-municipality cooperation (vertskommune, "
                               "vertskommune_med_nemnd) only", f"remove {NOTICE}")]
    problems = []
    if not any(d in case.documents for d in ("samarbeidsavtale", "tjenesteavtale")):
        problems.append(source.problem(where, "the notice names the agreement the councils "
                                       "adopted, so the case must build it",
                                       "add samarbeidsavtale or tjenesteavtale to 'dokumenter'"))
    if not (case.submission and case.submission.councils):
        problems.append(source.problem(where, "the notice lists each council's decision, and "
                                       "the case records no councils",
                                       "add saksframlegg.kommuner with each council's meetings "
                                       "and their outcomes ('vedtak')"))
    if problems:
        return problems
    state = standing(case)
    if not state.all_adopted:
        waiting = ", ".join(c.name for c in state.councils if c.state != ADOPTED)
        return [source.problem(where, f"the notice is not built yet: it says the cooperation "
                               f"is established, and not every council has adopted the "
                               f"agreement ({waiting})", "samdok status shows what is left",
                               severity="warning")]
    return []


def final_problems(loaded: LoadedCase) -> list[Problem]:
    """Why a final build must wait for the councils: one pending, postponed or rejected, one
    that adopted an amended text, or one whose adoption an amendment replaced. A case without
    councils (no saksframlegg.kommuner) records no decisions, and is not held back."""
    case, source = loaded.case, loaded.source
    state = standing(case)
    if not state.known:
        return []
    keys = _raw_keys(source)
    problems = []
    for c in state.councils:
        route = case.submission.councils[c.number].route
        where = ("saksframlegg", "kommuner", keys.get(c.number, c.number), "behandling",
                 len(route) - 1)
        when = c.date.isoformat() if c.date else "?"
        if c.outcome_missing:
            problems.append(source.problem(
                where, f"{c.name}: {c.body} meeting on {when} held; outcome not recorded",
                "record the meeting's outcome ('vedtak: vedtatt') as its minutes say it"))
        elif c.state == PENDING:
            problems.append(source.problem(
                where, f"{c.name} has not decided yet ({c.body}, meeting {when})",
                "record the outcome ('vedtak: vedtatt') after the meeting; samdok status "
                "shows what is left"))
        elif c.state == POSTPONED:
            problems.append(source.problem(
                (*where, "vedtak"), f"{c.name}: {c.body} postponed the case on {when}",
                "add the meeting it goes to next under 'behandling', and its outcome once held"))
        elif c.state == REJECTED:
            problems.append(source.problem(
                (*where, "vedtak"), f"{c.name}: {c.body} rejected the agreement on {when}",
                "an agreement not every council adopted cannot be final: negotiate a new "
                "draft, or leave this council out of 'parter'"))
        elif c.state == EARLIER:
            problems.append(source.problem(
                (*where, "vedtak"), f"{c.name}: {c.body} adopted an earlier text on {when}; "
                f"must adopt the amended text (amended by {c.replaced_by})",
                "an amendment makes a new text, and the agreement takes effect when every "
                "council has adopted the same text: add this council's meeting that adopts "
                "the amended text under 'behandling'"))
        elif c.state == AMENDED:
            problems.append(source.problem(
                (*where, "endring"), f"{c.name}: {c.body} adopted the agreement on {when} "
                f"with an amendment: «{c.amendment}»",
                "an amended text is a new draft: write the amendment into the agreement "
                "(klausuler), raise 'utkast', and send it to every council; `samdok diff "
                "CASE@REV CASE` shows it against the text the others adopted"))
    return problems
