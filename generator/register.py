"""The municipality register: Statistics Norway's 357 municipalities shipped with the package."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources


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
    def name(self) -> str:
        """The Norwegian form alone ("Røros"), used in running text such as party lists."""
        return self.official_name.split(" - ")[0].strip()


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


def normalise_number(value: object) -> str | None:
    """'5025', 5025 and 301 -> four-digit string; anything else -> None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 4:
        return value.strip().zfill(4)
    return None


def lookup(value: object) -> Municipality | None:
    """The municipality with this number, or None when there is none."""
    number = normalise_number(value)
    return municipalities().get(number) if number else None
