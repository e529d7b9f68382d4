"""Cost shares that add up exactly, and Norwegian formatting through Babel."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from generator import costs, norsk


def test_largest_remainder_adds_up_and_stays_within_a_krone() -> None:
    fractions = costs.shares([5685, 1891, 2035])
    amounts = costs.largest_remainder(1_000_000, fractions)
    assert sum(amounts) == 1_000_000
    for amount, share in zip(amounts, fractions, strict=True):
        assert abs(amount - 1_000_000 * share) < 1
    # exact shares 591509.73, 196753.72, 211736.55: the two kroner left go to the largest remainders
    assert amounts == [591510, 196754, 211736]


def test_ties_go_to_the_party_listed_first() -> None:
    assert costs.largest_remainder(10, [Fraction(1, 3)] * 3) == [4, 3, 3]


def test_norwegian_formats() -> None:
    nbsp = "\u00a0"
    assert norsk.date(dt.date(2016, 7, 1)) == "1. juli 2016"
    assert norsk.date(dt.date(2027, 3, 1), "nn") == "1. mars 2027"
    assert norsk.kroner(1234567) == f"kr{nbsp}1{nbsp}234{nbsp}567"
    assert norsk.percent(0.4612) == f"46,1{nbsp}%"
    assert norsk.and_list(["Røros", "Os", "Holtålen"]) == "Røros, Os og Holtålen"
    assert [norsk.roman(n) for n in (1, 4, 9, 14)] == ["i", "iv", "ix", "xiv"]
    assert [norsk.letter(n) for n in (1, 4, 27)] == ["A", "D", "AA"]
