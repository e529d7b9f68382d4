"""The municipality register: Statistics Norway's 357 municipalities shipped with the package."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import permutations, product

from ..errors import EXIT_INVALID, SamdokError
from . import former

# The register lists every official form of a name, joined by " - ", in the order the
# municipality itself chose; nothing in it says which form is Norwegian, and the letters do
# not tell either (the South Sami "Aarborte", "Snåase" and "Raarvihke" use only Norwegian
# letters). So the municipalities whose first form is Sami are named here, explicitly. Every
# other name starts with its Norwegian form (Røros - Rosse, Porsanger - Porsáŋgu - Porsanki).
# tests/model/test_register.py lists the Norwegian form of every multi-form name in the data, so a
# new register whose order changes fails there instead of printing a Sami form as Norwegian.
NORWEGIAN_NOT_FIRST = {
    "1826": "Hattfjelldal",  # Aarborte - Hattfjelldal (South Sami first)
    "1875": "Hamarøy",  # Hábmer - Hamarøy (Lule Sami first)
    "5041": "Snåsa",  # Snåase - Snåsa (South Sami first)
    "5043": "Røyrvik",  # Raarvihke - Røyrvik (South Sami first)
    "5512": "Tjeldsund",  # Dielddanuorri - Tjeldsund (North Sami first)
    "5518": "Lavangen",  # Loabák - Lavangen (North Sami first)
    "5540": "Kåfjord",  # Gáivuotna - Kåfjord - Kaivuono (North Sami, Norwegian, Kven)
    "5610": "Karasjok",  # Kárášjohka - Karasjok
    "5612": "Kautokeino",  # Guovdageaidnu - Kautokeino
    "5628": "Tana",  # Deatnu - Tana
    "5636": "Nesseby",  # Unjárga - Nesseby
}

# SSB tells same-named municipalities apart by the county in brackets, "Herøy (Nordland)";
# the municipality itself is just "Herøy kommune".
_QUALIFIER = re.compile(r"^(?P<base>.*?)\s*\((?P<county>[^()]+)\)\s*$")
# Separators a user may type between the words of a name: spaces, hyphen and the other
# dashes (an editor may turn "-" into "–"), brackets and commas.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212(),]+")


@dataclass(frozen=True)
class Municipality:
    """One municipality as the register gives it (see data/kommuner.SOURCE.md)."""

    number: str  # four digits, e.g. "5025"
    official_name: str  # with Sami/Kven forms where official, e.g. "Røros - Rosse"
    county: str
    population: int
    population_date: dt.date  # the date the population figure refers to
    language_form: str  # bokmål | nynorsk | nøytral (medium-low trust, see the source note)

    @property
    def forms(self) -> tuple[str, ...]:
        """Every official form of the name, without SSB's county qualifier."""
        return tuple(form.strip() for form in _unqualified(self.official_name).split(" - "))

    @property
    def name(self) -> str:
        """The Norwegian form alone ("Røros", "Tana"), used in running text such as party lists."""
        return NORWEGIAN_NOT_FIRST.get(self.number) or self.forms[0]


class RegisterError(SamdokError):
    """A municipality reference that names no municipality, or more than one."""

    exit_code = EXIT_INVALID

    def __init__(self, message: str, hint: str = "",
                 candidates: tuple[Municipality, ...] = ()):
        self.candidates = candidates  # the matches of an ambiguous name, or close matches
        super().__init__(message, hint)

    def __reduce__(self):  # pickled with its matches (from a worker process)
        return RegisterError, (self.message, self.hint, self.candidates)


def _unqualified(name: str) -> str:
    match = _QUALIFIER.match(name)
    return match["base"] if match else name


def normalise_name(text: str) -> str:
    """'Deatnu – Tana', 'deatnu-tana' and ' DEATNU  tana ' -> 'deatnu-tana'."""
    words = _SEPARATORS.split(unicodedata.normalize("NFC", text).casefold())
    return "-".join(word for word in words if word)


# Folding to ASCII, for people without Norwegian or Sami letters on their keyboard: letters
# with an accent lose it (å á č š ž ï), the others are spelt as Norwegians spell them without.
_PLAIN = str.maketrans({"æ": "ae", "ø": "o", "đ": "d", "ŋ": "n", "ŧ": "t", "ß": "ss"})
# The other spellings in use: "Tromsoe", "Aasnes".
_ALSO = {"ø": ("o", "oe"), "å": ("a", "aa")}


def fold(key: str) -> str:
    """A normalised name in ASCII: 'snåase-snåsa' -> 'snaase-snasa', 'bærum' -> 'baerum'."""
    decomposed = unicodedata.normalize("NFKD", key.translate(_PLAIN))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _spellings(key: str) -> set[str]:
    """Every ASCII spelling of a normalised name: 'tromsø' -> {'tromso', 'tromsoe'}."""
    choices = [_ALSO.get(c, (c,)) for c in key]
    return {fold("".join(chosen)) for chosen in product(*choices)}


@cache
def municipalities() -> dict[str, Municipality]:
    """All municipalities keyed by their four-digit number."""
    source = resources.files("generator") / "data" / "kommuner.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        row["kommunenummer"]: Municipality(
            number=row["kommunenummer"],
            official_name=row["navn"],
            county=row["fylke"],
            population=int(row["folketall"]),
            population_date=dt.date.fromisoformat(row["folketall_per"]),
            language_form=row["malform"],
        )
        for row in rows
    }


def _keys(m: Municipality) -> set[str]:
    # Any of the forms alone or together, in any order: "Tana", "Deatnu", "Deatnu - Tana",
    # and the 2024 order "Rosse - Røros" that older case files may still use.
    keys = {normalise_name(" ".join(chosen))
            for size in range(1, len(m.forms) + 1) for chosen in permutations(m.forms, size)}
    qualifier = _QUALIFIER.match(m.official_name)
    if qualifier:
        keys |= {f"{key}-{normalise_name(qualifier['county'])}" for key in keys}
    return keys


@cache
def _index() -> dict[str, tuple[Municipality, ...]]:
    """Normalised name -> the municipalities it names (more than one: an ambiguous name)."""
    index: dict[str, list[Municipality]] = {}
    for m in municipalities().values():
        for key in _keys(m):
            index.setdefault(key, []).append(m)
    return {key: tuple(found) for key, found in index.items()}


def _named(key: str) -> tuple[Municipality, ...]:
    """The municipalities a normalised name names; 'Tana kommune' reads as 'Tana'."""
    index = _index()
    if key not in index and key.endswith("-kommune"):
        key = key.removesuffix("-kommune")
    return index.get(key, ())


@cache
def _folded_index() -> dict[str, tuple[Municipality, ...]]:
    """Every ASCII spelling of every name key -> the municipalities it may mean."""
    index: dict[str, list[Municipality]] = {}
    for key, found in _index().items():
        for spelling in _spellings(key):
            for m in found:
                if m not in index.setdefault(spelling, []):
                    index[spelling].append(m)
    return {key: tuple(found) for key, found in index.items()}


def named(text: str) -> tuple[Municipality, ...]:
    """The municipalities a number or name names exactly, as find() reads it."""
    digits = text.strip()
    if digits.isdigit():
        number = normalise_number(digits)
        return (municipalities()[number],) if number in municipalities() else ()
    return _named(normalise_name(text))


def folded_matches(text: str) -> tuple[Municipality, ...]:
    """Municipalities whose name is text when both are spelt in ASCII: 'snasa' -> Snåase -
    Snåsa, 'Heroy' -> both Herøy. Only a hint: documents carry the official names."""
    key = fold(normalise_name(text))
    index = _folded_index()
    if key not in index:
        key = key.removesuffix("-kommune")
    return tuple(sorted(index.get(key, ()), key=lambda m: m.number))


@cache
def _search_names(m: Municipality) -> tuple[str, ...]:
    """The name keys search compares text with: each form and the whole official name, as
    written and in every ASCII spelling."""
    names = {normalise_name(form) for form in m.forms} | {normalise_name(m.official_name)}
    return tuple(sorted(names | {s for name in names for s in _spellings(name)}))


@cache
def _former_index() -> dict[str, tuple[former.Ended, str]]:
    """ASCII spelling of a name only ended municipalities had -> the ended number it means,
    and that name as SSB wrote it. A name a municipality has today is never in it. Of several
    numbers that had a name, the one that ended under it (Borre 0717, not 0701 which was
    renamed Horten) and then the last to end; a whole name before a form of it ('Tysfjord'
    before 'Tysfjord - Divtasvuodna')."""
    best: dict[str, tuple[tuple, former.Ended, str]] = {}
    today = _folded_index()
    for entry in former.ended().values():
        if entry.code in municipalities():
            continue
        for name in entry.names:
            as_listed = Municipality(entry.code, name, "", 0, dt.date.min, "")
            last = set(as_listed.forms) <= set(
                Municipality(entry.code, entry.names[-1], "", 0, dt.date.min, "").forms)
            whole = {normalise_name(name)}
            for key in _keys(as_listed):
                rank = (last, entry.date, key in whole)
                for spelling in _spellings(key) - today.keys():
                    if spelling not in best or rank > best[spelling][0]:
                        best[spelling] = (rank, entry, name)
    return {spelling: (entry, name) for spelling, (_, entry, name) in best.items()}


def former_note(text: str) -> str:
    """What became of a municipality number or name that no longer exists, from SSB's change
    table: 'Tysfjord (1850) is no longer a municipality: on 2020-01-01 it was divided between
    1806 Narvik and 1875 Hábmer - Hamarøy'; '' when text names no ended municipality."""
    digits = text.strip()
    if digits.isdigit():
        number = normalise_number(digits) or ""
        entry = former.ended().get(number)
        return former.explain_number(entry) if entry and number not in municipalities() else ""
    key = fold(normalise_name(text))
    found = _former_index().get(key) or _former_index().get(key.removesuffix("-kommune"))
    return former.explain(*found) if found else ""


def normalise_number(value: object) -> str | None:
    """'5025', 5025 and 301 -> four-digit string; anything else -> None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 4:
        return value.strip().zfill(4)
    return None


def describe(m: Municipality) -> str:
    """'5025 Røros - Rosse', how messages name a municipality."""
    return f"{m.number} {m.official_name}"


def _or_list(items: list[str], word: str) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def close_matches(text: str, limit: int = 3) -> list[Municipality]:
    """Municipalities whose name is spelt like text, closest first (for 'did you mean'): the
    same name in ASCII ('snasa', 'Heroy') before names only spelt alike."""
    index = _index()
    same = folded_matches(text)
    found: list[Municipality] = list(same)
    for key in difflib.get_close_matches(normalise_name(text), list(index), n=10, cutoff=0.6):
        found += [m for m in index[key] if m not in found]
    return found[:max(limit, len(same))]


def suggestion(text: str) -> str:
    """'did you mean 5025 Røros - Rosse or 1856 Røst?', or '' when nothing is close."""
    near = close_matches(text)
    return f"did you mean {_or_list([describe(m) for m in near], 'or')}?" if near else ""


def find(query: object) -> Municipality:
    """The one municipality a number or a name refers to; RegisterError when none or several.

    Accepts 5025, '5025', '0301', 301, and any official form of the name with or without the
    others, in any case and with any spaces or dashes: 'Tana', 'Deatnu', 'deatnu-tana',
    'Tana kommune'.
    """
    if isinstance(query, bool) or not isinstance(query, int | str):
        raise RegisterError(f"expected a kommunenummer or a municipality name, got {query!r}",
                            "write the number, e.g. 5025, or the name, e.g. Røros")
    text = str(query).strip()
    if text.isdigit():
        number = normalise_number(text)
        if number in municipalities():
            return municipalities()[number]
        raise RegisterError(f"no municipality numbered {query!r}",
                            former_note(text) or "use the four-digit kommunenummer, e.g. 5025 "
                            "for Røros, or the name")
    key = normalise_name(text)
    found = _named(key)
    if len(found) == 1:
        return found[0]
    if found:
        found = tuple(sorted(found, key=lambda m: m.number))
        listed = [f"{m.number} {m.name} ({m.county})" for m in found]
        raise RegisterError(f"{text!r} matches {_or_list(listed, 'and')}",
                            f"write the kommunenummer: {_or_list([m.number for m in found], 'or')}",
                            found)
    if not key:
        raise RegisterError("the municipality is empty",
                            "write the kommunenummer, e.g. 5025, or the name, e.g. Røros")
    # A name spelt without Norwegian or Sami letters ('Snasa') is not taken: a case file names
    # a municipality by its official name or number, and the hint gives both.
    ascii_spelt = folded_matches(text)
    if ascii_spelt:
        hint = (f"did you mean {_or_list([describe(m) for m in ascii_spelt], 'or')}? write "
                "the name with its own letters, or the kommunenummer")
        raise RegisterError(f"no municipality named {text!r}", hint, ascii_spelt)
    hint = (former_note(text) or suggestion(text)
            or "check the spelling; 'samdok kommune TEXT' searches the register")
    raise RegisterError(f"no municipality named {text!r}", hint, tuple(close_matches(text)))


def lookup(value: object) -> Municipality | None:
    """The municipality a number or name refers to, or None when it names none or several."""
    try:
        return find(value)
    except RegisterError:
        return None


def look_up(text: str) -> tuple[list[Municipality], str]:
    """`samdok kommune`: the municipalities text finds (search), or none and a hint.

    A number or name that only an ended municipality had is about that one: what became of
    it is the answer (former_note), not other names that happen to contain the text."""
    found = search(text)
    note = "" if named(text) or folded_matches(text) else former_note(text)
    if not found or note:
        return [], note or suggestion(text)
    return found, ""


def search(text: str) -> list[Municipality]:
    """Municipalities whose number starts with text or whose name contains it, best first:
    exact matches (as find() reads them), then the same name spelt in ASCII ('snasa', 'Heroy'),
    then names or numbers starting with text, then the rest, each by number. Names are
    compared as written and in ASCII, so 'tromso' finds Tromsø and 'baerum' Bærum."""
    key = normalise_name(text)
    digits = text.strip()
    if not key:
        return []
    exact = set(_named(key))
    if digits.isdigit() and normalise_number(digits) in municipalities():
        exact.add(municipalities()[normalise_number(digits)])
    ascii_spelt = set(folded_matches(text))
    folded = fold(key)
    ranked: list[tuple[int, str, Municipality]] = []
    for m in municipalities().values():
        written = [normalise_name(form) for form in m.forms] + [normalise_name(m.official_name)]
        spelt = _search_names(m)
        # What is typed as written ranks before what only its ASCII spelling finds: 'os'
        # lists Oslo and Osen before Østre Toten.
        if m in exact:
            rank = 0
        elif m in ascii_spelt:
            rank = 1
        elif (digits.isdigit() and m.number.startswith(digits)) or any(
                name.startswith(key) for name in written):
            rank = 2
        elif any(name.startswith(folded) for name in spelt):
            rank = 3
        elif any(key in name for name in written):
            rank = 4
        elif any(folded in name for name in spelt):
            rank = 5
        else:
            continue
        ranked.append((rank, m.number, m))
    return [m for _, _, m in sorted(ranked, key=lambda r: r[:2])]
