"""Former municipalities: what became of a number or name SSB's change table says has ended."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

# data/kommuneendringer.json is SSB's own answer to its classification API (131, changes from
# 1977 to 2024), kept byte for byte; see data/kommuneendringer.SOURCE.md. samdok states only
# what a row of it says: which numbers an ended number's municipality went into, and when.


@dataclass(frozen=True)
class Change:
    old_code: str
    old_name: str
    new_code: str
    new_name: str
    date: str  # ISO date the change took effect


@dataclass(frozen=True)
class Ended:
    """A municipality number that ended: its names while it existed, when, and what it went
    into (numbers with their names on that day)."""

    code: str
    names: tuple[str, ...]  # every name the number had, oldest first
    date: str
    into: tuple[tuple[str, str], ...]


@cache
def changes() -> tuple[Change, ...]:
    source = resources.files("generator") / "data" / "kommuneendringer.json"
    rows = json.loads(source.read_text(encoding="utf-8"))["codeChanges"]
    found = {Change(r["oldCode"], r["oldName"], r["newCode"], r["newName"], r["changeOccurred"])
             for r in rows}
    return tuple(sorted(found, key=lambda c: (c.date, c.old_code, c.new_code)))


@cache
def ended() -> dict[str, Ended]:
    """Every number that ended, by number. A number ends on a date when it changes into
    others and not into itself: Ringsaker (0412) gave land to Hamar in 1992 and went on."""
    by_code_date: dict[tuple[str, str], list[Change]] = defaultdict(list)
    names: dict[str, list[str]] = defaultdict(list)
    for change in changes():
        by_code_date[(change.old_code, change.date)].append(change)
        for code, name in ((change.old_code, change.old_name),
                           (change.new_code, change.new_name)):
            if name not in names[code]:
                names[code].append(name)
    result: dict[str, Ended] = {}
    for (code, date), rows in sorted(by_code_date.items(), key=lambda item: item[0][1]):
        if any(row.new_code == code for row in rows):
            continue
        into = tuple(sorted({(row.new_code, row.new_name) for row in rows}))
        result[code] = Ended(code, tuple(names[code]), date, into)
    return result


def _merged(code: str, date: str) -> int:
    """How many numbers went into `code` on `date` (1: it was only renumbered or renamed)."""
    return len({c.old_code for c in changes() if c.new_code == code and c.date == date})


def _went(entry: Ended) -> str:
    """'was divided between 1806 Narvik and 1875 Hábmer - Hamarøy', 'became part of …'."""
    parts = [_followed(code, name, entry.date) for code, name in entry.into]
    if len(parts) > 1:
        return f"was divided between {', '.join(parts[:-1])} and {parts[-1]}"
    (code, _), = entry.into
    verb = "became" if _merged(code, entry.date) == 1 else "became part of"
    return f"{verb} {parts[0]}"


def _followed(code: str, name: str, since: str) -> str:
    """'3014 Indre Østfold, which on 2024-01-01 became 3118 Indre Østfold': a number as it
    was named that day, and what became of it later, if anything."""
    later = ended().get(code)
    if later is None or later.date <= since:
        return f"{code} {name}"
    return f"{code} {name}, which on {later.date} {_went(later)}"


def explain(entry: Ended, name: str) -> str:
    """'Tysfjord (1850) is no longer a municipality: on 2020-01-01 it was divided between …',
    for a name no municipality has today."""
    later = entry.names[-1]
    renamed = f", later named {later}," if not _forms(name) <= _forms(later) else ""
    return (f"{name} ({entry.code}){renamed} is no longer a municipality: on {entry.date} it "
            f"{_went(entry)}")


def _forms(name: str) -> set[str]:
    return {form.strip() for form in name.split(" - ")}


def explain_number(entry: Ended) -> str:
    """'0101 is no longer a municipality number: on 2020-01-01 Halden (0101) became …': the
    municipality may live on under another number, so the number is what ended."""
    return (f"{entry.code} is no longer a municipality number: on {entry.date} "
            f"{entry.names[-1]} ({entry.code}) {_went(entry)}")
