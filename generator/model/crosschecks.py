"""Checks across the fields of a case file's raw data: parties, references, per-party shares
and figures, the economy's parameters and the documents asked for.

They read the raw data (not the typed model), so they run and report even when other fields
are wrong: the user sees every problem in one run.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..errors import Problem
from . import costs, register
from .source import LoadedFile

# The document kinds that are agreements (a case submission attaches one of them).
AGREEMENTS = ("samarbeidsavtale", "tjenesteavtale")


def check_documents(data: dict[str, Any], source: LoadedFile) -> list[Problem]:
    """A case submission proposes an agreement, so the case must build one to attach; the
    members a council's resolution elects by name are as many as the agreement gives it."""
    documents = data.get("dokumenter")
    if (isinstance(documents, list) and "saksframlegg" in documents
            and not any(d in documents for d in AGREEMENTS)):
        return [source.problem(("dokumenter",), "a saksframlegg needs the agreement it proposes",
                               "add samarbeidsavtale or tjenesteavtale to 'dokumenter'")]
    return _check_elected(data, source)


# The body whose members each council elects itself, per form, and the least number of
# deputies per member the statute asks for (kommuneloven §§ 18-3 and 19-3 første ledd: «minst
# like mange varamedlemmer»; IKS-loven § 6 første ledd: «minst to varamedlemmer for hvert
# faste medlem»). For the joint committee the statute at hand sets no number of deputies.
ELECTED = {"politisk_råd": ("representantskap", 1, "kommuneloven § 18-3 første ledd"),
           "oppgavefellesskap": ("representantskap", 1, "kommuneloven § 19-3 første ledd"),
           "iks": ("representantskap", 2, "IKS-loven § 6 første ledd"),
           "vertskommune_med_nemnd": ("nemnd", 0, "")}


def members_of(body: Any, number: str) -> int | None:
    """How many members a body (raw `representantskap`/`nemnd` data) gives one party."""
    members = body.get("medlemmer") if isinstance(body, dict) else None
    if isinstance(members, dict):
        for ref, n in members.items():
            found = register.lookup(ref)
            if found is not None and found.number == number:
                members = n
                break
        else:
            return None
    return members if isinstance(members, int) and not isinstance(members, bool) else None


def _check_elected(data: dict[str, Any], source: LoadedFile) -> list[Problem]:
    problems: list[Problem] = []
    submission = data.get("saksframlegg")
    copies = submission.get("kommuner") if isinstance(submission, dict) else None
    form = data.get("samarbeidsform")
    for ref, copy in (copies.items() if isinstance(copies, dict) else ()):
        if not isinstance(copy, dict):
            continue
        path = ("saksframlegg", "kommuner", ref)
        names, deputies = copy.get("medlemmer"), copy.get("varamedlemmer")
        if not isinstance(names, list):
            names = []
        if not isinstance(deputies, list):
            deputies = []
        if not (names or deputies):
            continue
        found = register.lookup(ref)
        if form not in ELECTED:
            field = "medlemmer" if names else "varamedlemmer"
            problems.append(source.problem(
                (*path, field), f"a {form} has no body whose members the councils elect",
                f"remove '{field}'; only a representantskap or a joint committee (nemnd) has "
                "members elected by each council", key=True))
            continue
        body, per_member, citation = ELECTED[form]
        if (form != "vertskommune_med_nemnd" and isinstance(data.get("dokumenter"), list)
                and "samarbeidsavtale" not in data["dokumenter"]):
            # A service agreement works under a body that exists; only the agreement that
            # establishes it has each council elect its members.
            field = "medlemmer" if names else "varamedlemmer"
            problems.append(source.problem(
                (*path, field), "only the samarbeidsavtale that establishes the "
                f"{body} has the councils elect its members",
                f"remove '{field}', or build a samarbeidsavtale", key=True))
            continue
        if deputies and not names:
            problems.append(source.problem(
                (*path, "varamedlemmer"), "deputies are named but the members are not",
                "add 'medlemmer' with the members' names, or remove 'varamedlemmer'", key=True))
            continue
        wanted = members_of(data.get(body), found.number) if found else None
        if wanted is None:
            continue  # the body or this party's number is missing: reported elsewhere
        if len(names) != wanted:
            problems.append(source.problem(
                (*path, "medlemmer"),
                f"{len(names)} name(s), but the agreement gives {found.name} {wanted} "
                f"member(s) of the {body}",
                f"name exactly {wanted}, or leave 'medlemmer' out: the resolution then says "
                "the council elects them"))
        elif deputies and len(deputies) < per_member * wanted:
            problems.append(source.problem(
                (*path, "varamedlemmer"),
                f"{len(deputies)} deputy(ies) for {wanted} member(s); {citation} asks for at "
                f"least {per_member * wanted}",
                f"name at least {per_member * wanted} deputies, or leave 'varamedlemmer' out"))
    return problems


def check_parties(data: dict[str, Any], source: LoadedFile) -> list[Problem]:
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

    # An IKS's head office need not be in a participating municipality (IKS-loven § 4 tredje
    # ledd nr. 4 asks only which municipality it is in), so 'hovedkontor' is not checked here.
    for field in ("vertskommune", "kontorkommune"):
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


def check_economy(data: dict[str, Any], source: LoadedFile) -> list[Problem]:
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


