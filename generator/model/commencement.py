"""When an agreement takes effect: the date its shape gives once adoptions are known, and the
warning for a fixed date that comes before a council has even met."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..errors import Problem
from . import register

if TYPE_CHECKING:  # case.py calls meeting_warnings while it validates
    from .case import Case
    from .source import LoadedFile


def effective_date(case: Case, adopted_on: dt.date | None) -> dt.date | None:
    """The day the agreement takes effect, where it can be known.

    `adopted_on` is the day the last council adopted the agreement (None while any council
    has not). A fixed date is its own answer; «vedtatt» is the day of the last adoption; a
    date conditional on adoption is the later of the two, known only once every council has
    adopted it.
    """
    terms = case.takes_effect
    if terms is None:
        return None
    if not terms.on_adoption:
        return terms.date
    if adopted_on is None:
        return None
    return max(terms.date, adopted_on) if terms.date else adopted_on


def meeting_warnings(case: Case, source: LoadedFile) -> list[Problem]:
    """A fixed date before the last council meeting the submission schedules: the agreement
    would claim to take effect before it can be adopted. A warning (a date may be agreed
    knowing a meeting is late), an error with --strict."""
    terms = case.takes_effect
    if terms is None or terms.on_adoption or terms.date is None or case.submission is None:
        return []
    meetings = [(copy.route[-1].date, number, copy.route[-1].committee)
                for number, copy in case.submission.councils.items()]
    if not meetings:
        return []
    date, number, committee = max(meetings)
    if terms.date >= date:
        return []
    name = register.lookup(number).name
    return [source.problem(
        ("ikrafttredelse",),
        f"takes effect on {terms.date}, before {committee} in {name} kommune meets on {date} "
        "to adopt the agreement",
        f"write 'ikrafttredelse: {{dato: {terms.date}, vilkår: vedtatt}}' (that date, but not "
        "before every council has adopted it), 'ikrafttredelse: vedtatt', or a date on or "
        f"after {date}", severity="warning")]
