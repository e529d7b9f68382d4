"""A municipality's name in each place a document names it, in the form the case chooses."""

from __future__ import annotations

from ..model.register import Municipality

# Where documents name a municipality as «… kommune»:
#   parter       the parties clause (and every «X kommune» in the agreement's text)
#   underskrift  the signature page
#   vedtak       a council's resolution and the rest of its case submission
#   hode         a council's own head on its case submission
PLACES = ("parter", "underskrift", "vedtak", "hode")


def official_form(m: Municipality) -> str:
    """Every official form of the name, as the register orders them, without the county SSB
    adds to tell same-named municipalities apart: 'Deatnu - Tana', 'Røros - Rosse', 'Herøy'."""
    return " - ".join(m.forms)


def municipality_name(m: Municipality, place: str, name_form: str = "offisiell") -> str:
    """'Deatnu - Tana kommune' or 'Tana kommune': the official form with `navneform:
    offisiell` (the default), the Norwegian form with `navneform: norsk`. A council's own head
    always carries the official form: that is how a municipality names itself on its own
    papers, whatever the agreement's text does. Every place reads «… kommune» the same way."""
    if place not in PLACES:
        raise ValueError(f"unknown place {place!r}; one of {', '.join(PLACES)}")
    official = name_form == "offisiell" or place == "hode"
    return f"{official_form(m) if official else m.name} kommune"
