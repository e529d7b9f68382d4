"""Norwegian formatting of dates, kroner, percentages and lists (Babel; bokmål and nynorsk)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent

NBSP = "\u00a0"
# The one language map: the case file's språk codes, and each one's language tag as Word and
# PDF carry it. Babel knows Norwegian by the same codes (its locales: nb_NO, nn_NO).
LANGUAGE_TAGS = {"nb": "nb-NO", "nn": "nn-NO"}
LOCALES = {code: tag.replace("-", "_") for code, tag in LANGUAGE_TAGS.items()}
# What a Word file's language says, as a språk code: a tag or a code.
LANGUAGES = {**{tag: code for code, tag in LANGUAGE_TAGS.items()},
             **{code: code for code in LANGUAGE_TAGS}}


def date(value: dt.date, language: str = "nb") -> str:
    """1. juli 2016"""
    return format_date(value, "d. MMMM y", locale=LOCALES[language])


def short_date(value: dt.date, language: str = "nb") -> str:
    """01.07.2016"""
    return format_date(value, "dd.MM.y", locale=LOCALES[language])


def kroner(amount: int, language: str = "nb") -> str:
    """kr 1 234 567, with non-breaking spaces so an amount never splits over two lines."""
    return f"kr{NBSP}{format_decimal(amount, '#,##0', locale=LOCALES[language])}"


def number(value: int, language: str = "nb") -> str:
    """5 617"""
    return format_decimal(value, "#,##0", locale=LOCALES[language])


def percent(fraction: float | Decimal, language: str = "nb", decimals: int = 1) -> str:
    """46,1 %"""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + NBSP + "%"
    return format_percent(fraction, pattern, locale=LOCALES[language])


def and_list(items: list[str], language: str = "nb") -> str:
    """Røros, Os og Holtålen"""
    return format_list(list(items), locale=LOCALES[language])


def roman(n: int) -> str:
    """Lower-case roman numeral for list labels (i, ii, iii, iv, ...)."""
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"),
                           (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"),
                           (4, "iv"), (1, "i")):
        count, n = divmod(n, value)
        out += letters * count
    return out


def letter(n: int) -> str:
    """A, B, ..., Z, AA, AB, ... for group labels (1-based)."""
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("A") + rest) + out
    return out
