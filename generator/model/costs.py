"""Cost distribution: exact shares for every cost key, and whole-krone amounts that add up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

# The cost keys, by their case-file names (økonomi.fordeling.nøkkel).
KEYS = (
    "likt",  # equal shares
    "folketall",  # by population
    "grunnandel_og_folketall",  # a percentage of the costs split equally, the rest by population
    "grunnbeløp_og_folketall",  # a fixed amount per party, the rest by population
    "prosent",  # fixed percentages agreed by negotiation
    "enheter",  # usage units: payslips, cases, calls
)
# The keys that divide all or part of the costs by population (the table shows it).
BY_POPULATION = ("folketall", "grunnandel_og_folketall", "grunnbeløp_og_folketall")


@dataclass(frozen=True)
class Key:
    """A cost key with its parameter, where it has one."""

    name: str
    base_percent: Fraction | None = None  # grunnandel_og_folketall: percent split equally
    base_amount: int | None = None  # grunnbeløp_og_folketall: kroner per party per budget year


@dataclass(frozen=True)
class Figures:
    """What a cost key may need to know about one party; each key reads only its own figure."""

    population: int = 0
    percent: Fraction | None = None  # prosent: the agreed share, in percent
    units: int | None = None  # enheter: the counted usage


def shares(weights: Sequence[int | Fraction]) -> list[Fraction]:
    """Each weight as an exact fraction of their sum."""
    total = sum(Fraction(w) for w in weights)
    if total <= 0:
        raise ValueError("the weights must add up to more than zero")
    if any(w < 0 for w in weights):
        raise ValueError("a weight must not be negative")
    return [Fraction(w) / total for w in weights]


def exact_shares(key: Key, parties: Sequence[Figures], budget: int | None = None
                 ) -> list[Fraction]:
    """Each party's exact share of the costs; the shares add up to exactly 1.

    Only grunnbeløp_og_folketall needs the budget: the same fixed amount is a larger share of
    a smaller budget.
    """
    n = len(parties)
    if n == 0:
        raise ValueError("there must be at least one party")
    if key.name == "likt":
        return [Fraction(1, n)] * n
    if key.name == "folketall":
        return shares([p.population for p in parties])
    if key.name == "grunnandel_og_folketall":
        if key.base_percent is None or not 0 < key.base_percent < 100:
            raise ValueError("grunnandel must be a percentage above 0 and below 100")
        base = Fraction(key.base_percent) / 100
        return [base / n + (1 - base) * s for s in shares([p.population for p in parties])]
    if key.name == "grunnbeløp_og_folketall":
        if budget is None or budget <= 0:
            raise ValueError("grunnbeløp_og_folketall needs a budget above zero")
        if key.base_amount is None or key.base_amount < 0:
            raise ValueError("grunnbeløp must be a whole number of kroner, zero or more")
        rest = budget - n * key.base_amount
        if rest < 0:
            raise ValueError(f"{n} base amounts of {key.base_amount} exceed the budget {budget}")
        return [(key.base_amount + rest * s) / budget
                for s in shares([p.population for p in parties])]
    if key.name == "prosent":
        if any(p.percent is None or p.percent < 0 for p in parties):
            raise ValueError("every party needs a percentage of zero or more")
        if sum(Fraction(p.percent) for p in parties) != 100:
            raise ValueError("the percentages must add up to exactly 100")
        return [Fraction(p.percent) / 100 for p in parties]
    if key.name == "enheter":
        if any(p.units is None for p in parties):
            raise ValueError("every party needs a count")
        return shares([p.units for p in parties])
    raise ValueError(f"unknown cost key {key.name!r}")


def exact_amounts(budget: int, key: Key, parties: Sequence[Figures]) -> list[Fraction]:
    """Each party's exact part of one year's budget, in kroner (not rounded)."""
    return [budget * s for s in exact_shares(key, parties, budget)]


def distribute(budget: int, key: Key, parties: Sequence[Figures]) -> list[int]:
    """Whole-krone parts of one year's budget: the exact parts rounded by largest remainder."""
    return largest_remainder(budget, exact_shares(key, parties, budget))


def largest_remainder(total: int, fractions: list[Fraction]) -> list[int]:
    """Split a whole-krone total by exact fractions so the parts add up to the total exactly.

    Each party first gets the whole kroner of its exact share; the kroner left over go one
    each to the largest remainders (ties: the party listed first), so every amount differs
    from its exact share by less than one krone.
    """
    exact = [total * f for f in fractions]
    amounts = [int(x // 1) for x in exact]
    left = total - sum(amounts)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - amounts[i]), i))
    for i in order[:left]:
        amounts[i] += 1
    return amounts


def percent_steps(fractions: list[Fraction], decimals: int = 1) -> list[int]:
    """Shares as whole steps of 10**-decimals percent that add up to exactly 100 % as printed
    (largest remainder again, so a printed column never sums to 99,9 % or 100,1 %)."""
    return largest_remainder(100 * 10**decimals, fractions)


def decimals(value: Fraction, most: int = 6) -> int:
    """How many decimals write value exactly (at most `most`): 30 -> 0, 20.5 -> 1."""
    value = Fraction(value)
    for d in range(most + 1):
        if (value * 10**d).denominator == 1:
            return d
    return most
