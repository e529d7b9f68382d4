"""Cost distribution: shares from a cost key, and whole-krone amounts that add up exactly."""

from __future__ import annotations

from fractions import Fraction


def shares(weights: list[int | Fraction]) -> list[Fraction]:
    """Each weight as an exact fraction of their sum."""
    total = sum(Fraction(w) for w in weights)
    if total <= 0:
        raise ValueError("the weights must add up to more than zero")
    return [Fraction(w) / total for w in weights]


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
