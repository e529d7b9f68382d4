"""Cost shares that add up exactly, and Norwegian formatting through Babel."""

from __future__ import annotations

import datetime as dt
import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.model import costs, norsk


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


# Røros, Os and Holtålen: the example parties, with the register's populations (1 January 2024).
POPULATIONS = [5685, 1891, 2035]  # 9 611 in all
BY_POPULATION = [costs.Figures(population=p) for p in POPULATIONS]


def test_equal_shares() -> None:
    # 1 000 000 / 3 = 333 333.33 each; the one krone left goes to the party listed first.
    amounts = costs.distribute(1_000_000, costs.Key("likt"), BY_POPULATION)
    assert amounts == [333334, 333333, 333333]


def test_by_population() -> None:
    # 5685/9611, 1891/9611, 2035/9611 of 1 000 000 = 591 509.73, 196 753.72, 211 736.55.
    amounts = costs.distribute(1_000_000, costs.Key("folketall"), BY_POPULATION)
    assert amounts == [591510, 196754, 211736]


def test_base_share_and_population() -> None:
    # 30 % of 12 500 000 = 3 750 000 split equally: 1 250 000 each. The other 8 750 000 by
    # population: 5 175 710.12, 1 721 595.05, 1 852 694.83. Sums: 6 425 710.12,
    # 2 971 595.05, 3 102 694.83; floors add to 12 499 999, the last krone to Holtålen (.83).
    key = costs.Key("grunnandel_og_folketall", base_percent=Fraction(30))
    assert costs.distribute(12_500_000, key, BY_POPULATION) == [6425710, 2971595, 3102695]
    # Røros's exact share: 0.3/3 + 0.7 * 5685/9611
    assert costs.exact_shares(key, BY_POPULATION)[0] == Fraction(1, 10) + Fraction(7, 10) * \
        Fraction(5685, 9611)


def test_base_amount_and_population() -> None:
    # 3 x 250 000 = 750 000 first; the other 11 750 000 by population: 6 950 239.31,
    # 2 311 856.21, 2 487 904.48. With the base: 7 200 239.31, 2 561 856.21, 2 737 904.48;
    # floors add to 12 499 999, the last krone to Holtålen (.48).
    key = costs.Key("grunnbeløp_og_folketall", base_amount=250_000)
    assert costs.distribute(12_500_000, key, BY_POPULATION) == [7200239, 2561856, 2737905]
    # The same base amount is a different share of a different budget.
    assert (costs.exact_shares(key, BY_POPULATION, 12_500_000)
            != costs.exact_shares(key, BY_POPULATION, 12_900_000))
    # A budget of exactly the base amounts leaves nothing to divide by population.
    assert costs.distribute(750_000, key, BY_POPULATION) == [250_000] * 3
    with pytest.raises(ValueError, match="exceed the budget"):
        costs.distribute(749_999, key, BY_POPULATION)


def test_agreed_percentages() -> None:
    # 50 %, 20.5 % and 29.5 % of 1 000 001 = 500 000.5, 205 000.205, 295 000.295; floors add
    # to 1 000 000, the last krone to the largest remainder (.5, Røros).
    agreed = [Fraction(50), Fraction(41, 2), Fraction(59, 2)]
    parties = [costs.Figures(percent=p) for p in agreed]
    assert costs.distribute(1_000_001, costs.Key("prosent"), parties) == [500001, 205000, 295000]
    with pytest.raises(ValueError, match="exactly 100"):
        costs.distribute(100, costs.Key("prosent"), parties[:2])


def test_usage_units() -> None:
    # 12 000, 4 000 and 5 000 payslips of 21 000: 571 428.57, 190 476.19, 238 095.24 of
    # 1 000 000; floors add to 999 999, the last krone to Røros (.57).
    parties = [costs.Figures(units=u) for u in (12000, 4000, 5000)]
    assert costs.distribute(1_000_000, costs.Key("enheter"), parties) == [571429, 190476, 238095]
    # A party that used nothing pays nothing.
    parties = [costs.Figures(units=u) for u in (3, 0)]
    assert costs.distribute(1000, costs.Key("enheter"), parties) == [1000, 0]


def test_percent_steps_add_up_to_100_as_printed() -> None:
    # Three equal thirds print as 33,4 + 33,3 + 33,3, not 33,3 x 3 = 99,9.
    assert costs.percent_steps([Fraction(1, 3)] * 3) == [334, 333, 333]
    assert costs.percent_steps([Fraction(41, 200), Fraction(159, 200)], 1) == [205, 795]
    assert [costs.decimals(Fraction(x)) for x in (30, Fraction(41, 2), Fraction(1, 3))] == \
        [0, 1, 6]


@st.composite
def cost_case(draw: st.DrawFn, key: str) -> tuple[int, costs.Key, list[costs.Figures]]:
    """A random budget, 2-40 parties with random populations, and key parameters that fit."""
    budget = draw(st.integers(1, 10**10))
    n = draw(st.integers(2, 40))
    populations = draw(st.lists(st.integers(1, 1_000_000), min_size=n, max_size=n))
    percents: list[Fraction | None] = [None] * n
    units: list[int | None] = [None] * n
    params: dict = {}
    if key == "grunnandel_og_folketall":
        params["base_percent"] = Fraction(draw(st.integers(1, 9999)), 100)
    elif key == "grunnbeløp_og_folketall":
        params["base_amount"] = draw(st.integers(0, budget // n))
    elif key == "prosent":
        # n - 1 cuts of 100.00 % give n percentages in hundredths that add up to exactly 100.
        cuts = sorted(draw(st.lists(st.integers(0, 10000), min_size=n - 1, max_size=n - 1)))
        bounds = [0, *cuts, 10000]
        percents = [Fraction(b - a, 100) for a, b in itertools.pairwise(bounds)]
    elif key == "enheter":
        units = draw(st.lists(st.integers(0, 100_000), min_size=n, max_size=n)
                     .filter(lambda counts: sum(counts) > 0))
    parties = [costs.Figures(population=p, percent=pc, units=u)
               for p, pc, u in zip(populations, percents, units, strict=True)]
    return budget, costs.Key(key, **params), parties


@pytest.mark.parametrize("key", costs.KEYS)
@given(data=st.data())
@settings(deadline=None)  # Fractions of 40 parties can be slow on a busy machine
def test_every_key_adds_up_exactly_and_stays_within_a_krone(key: str, data: st.DataObject
                                                            ) -> None:
    budget, cost_key, parties = data.draw(cost_case(key))
    exact = costs.exact_amounts(budget, cost_key, parties)
    amounts = costs.distribute(budget, cost_key, parties)
    assert sum(exact) == budget
    assert sum(amounts) == budget
    for amount, share in zip(amounts, exact, strict=True):
        assert abs(amount - share) < 1
        assert amount >= 0
    steps = costs.percent_steps(costs.exact_shares(cost_key, parties, budget))
    assert sum(steps) == 1000


@pytest.mark.parametrize("value", ["kr 1 000", " 12 ", "a\tb", "x\ny", "t\r\nu", "a & b < c"])
def test_table_cell_text_is_written_as_python_docx_writes_it(value: str) -> None:
    import re

    from docx import Document
    from lxml import etree

    from generator.word.writer import _run_text

    run = Document().add_paragraph().add_run(value)
    expected = "".join(etree.tostring(child, encoding="unicode") for child in run._r)
    assert _run_text(value) == re.sub(r' xmlns:\w+="[^"]+"', "", expected)
