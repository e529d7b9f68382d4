"""The case model: every problem reported at once, at its line, with a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import rules
from generator.case import load_case
from generator.errors import CaseError
from tests.conftest import EXAMPLES, FIXTURES, write_case

GOOD = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")


def problems_of(tmp_path: Path, text: str) -> list:
    path = write_case(tmp_path, "case.yaml", text)
    with pytest.raises(CaseError) as caught:
        load_case(path, "cases/case.yaml")
    return caught.value.problems


def test_examples_and_fixture_are_valid() -> None:
    fixtures = [FIXTURES / "minimal.yaml", FIXTURES / "grunnbelop.yaml"]
    for path in [*EXAMPLES.glob("*.yaml"), *fixtures]:
        loaded = load_case(path)
        assert rules.check(loaded) == []


def test_wrong_type_names_file_line_column_and_field() -> None:
    with pytest.raises(CaseError) as caught:
        load_case(FIXTURES / "wrong-type.yaml", "tests/cases/wrong-type.yaml")
    (problem,) = caught.value.problems
    assert str(problem).startswith(
        "tests/cases/wrong-type.yaml:12:27: uttreden.oppsigelsestid_måneder: "
        "expected a whole number, got 'tolv'")
    assert "hint:" in str(problem)


def test_all_problems_reported_in_one_run(tmp_path: Path) -> None:
    text = (GOOD.replace("samarbeidsform: vertskommune", "samarbeidsform: vertskomune")
            .replace("kommune: 3441", "kommune: 9999")
            .replace("ikrafttredelse: 2027-01-01", "ikrafttredelse: 1. januar 2027")
            .replace("formål:", "formåll:"))
    found = {(p.field, p.line) for p in problems_of(tmp_path, text)}
    assert ("samarbeidsform", 4) in found
    assert ("ikrafttredelse", 14) in found
    assert ("parter[1].kommune", 7) in found
    assert ("formåll", 8) in found


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, GOOD.replace("inntreden:", "inntreeden:"))
    assert problem.field == "inntreeden"
    assert "did you mean 'inntreden'?" in problem.hint


def test_literal_suggests_the_closest(tmp_path: Path) -> None:
    text = GOOD.replace("{nøkkel: likt}", "{nøkkel: folktall}")
    (problem,) = problems_of(tmp_path, text)
    assert problem.field == "økonomi.fordeling.nøkkel"
    assert "did you mean 'folketall'?" in problem.hint


def test_register_checks(tmp_path: Path) -> None:
    text = GOOD.replace("  - kommune: 3441", "  - kommune: 3441\n  - kommune: 3405\n"
                                             "  - kommune: 1")
    problems = problems_of(tmp_path, text)
    assert [(p.field, p.line) for p in problems] == [("parter[2].kommune", 8),
                                                      ("parter[3].kommune", 9)]
    assert "listed twice" in problems[0].message
    assert "no municipality numbered 1" in problems[1].message


def test_host_must_be_a_party(tmp_path: Path) -> None:
    text = GOOD + ("samarbeidsområder:\n  - gruppe: A\n    områder:\n"
                   "      - {navn: Barnevern, vertskommune: 5025}\n")
    (problem,) = problems_of(tmp_path, text)
    assert problem.field == "samarbeidsområder[0].områder[0].vertskommune"
    assert "Røros is not a party" in problem.message


def test_missing_required_clause_cites_its_basis(tmp_path: Path) -> None:
    path = write_case(tmp_path, "case.yaml", GOOD.replace("ikrafttredelse: 2027-01-01\n", ""))
    loaded = load_case(path, "cases/case.yaml")
    (problem,) = rules.check(loaded)
    assert problem.field == "ikrafttredelse"
    assert problem.message.startswith("missing — ")
    assert "hint: add 'ikrafttredelse:'" in str(problem)


def test_empty_file_and_top_level_list(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "")[0].message == "the file is empty"
    assert "mapping" in problems_of(tmp_path, "- a\n- b\n")[0].message


def with_distribution(*lines: str, budget: str = "{2027: 1000001}") -> str:
    """The minimal case with another cost key: 'fordeling:' on line 10, its keys from 11 on."""
    block = "  fordeling:\n" + "".join(f"    {line}\n" for line in lines)
    return GOOD.replace("  fordeling: {nøkkel: likt}\n", block).replace(
        "budsjett: {2027: 1000001}", f"budsjett: {budget}")


def test_every_new_cost_key_is_valid(tmp_path: Path) -> None:
    for lines in (["nøkkel: folketall"],
                  ["nøkkel: grunnandel_og_folketall", "grunnandel: 30"],
                  ["nøkkel: grunnbeløp_og_folketall", "grunnbeløp: 250000"],
                  ["nøkkel: prosent", "andeler: {3405: 79.5, 3441: 20.5}"],
                  ["nøkkel: enheter", "enhet: lønnsslipper", "antall: {3405: 9000, 3441: 0}"]):
        path = write_case(tmp_path, "case.yaml", with_distribution(*lines))
        assert load_case(path).case.economy.distribution.key == lines[0].split(": ")[1]


def test_percentages_must_add_up_to_100(tmp_path: Path) -> None:
    text = with_distribution("nøkkel: prosent", "andeler: {3405: 60, 3441: 39.5}")
    (problem,) = problems_of(tmp_path, text)
    assert (problem.line, problem.column, problem.field) == (12, 14, "økonomi.fordeling.andeler")
    assert problem.message == "the shares add up to 99.5 %, not 100 %"
    assert problem.hint == "adjust them so they add up to exactly 100 (0.5 short)"


def test_shares_must_name_every_party_and_only_parties(tmp_path: Path) -> None:
    text = with_distribution("nøkkel: prosent", "andeler:", "  3405: 50", "  3441: 25",
                             "  5025: 20", "  9999: 5")
    problems = problems_of(tmp_path, text)
    assert [(p.line, p.field, p.message) for p in problems] == [
        (15, "økonomi.fordeling.andeler[5025]", "Røros is not a party to this agreement"),
        (16, "økonomi.fordeling.andeler[9999]", "no municipality numbered 9999"),
    ]
    assert problems[0].hint == "remove it, or add the municipality under 'parter'"
    text = with_distribution("nøkkel: prosent", "andeler: {3405: 100}")
    (problem,) = problems_of(tmp_path, text)
    assert (problem.line, problem.field) == (12, "økonomi.fordeling.andeler")
    assert problem.message == "no share for Gausdal (3441)"
    assert "add '3441: …' under 'andeler'" in problem.hint


def test_counts_must_name_every_party_and_add_up_to_more_than_zero(tmp_path: Path) -> None:
    text = with_distribution("nøkkel: enheter", "enhet: saker", "antall: {3441: 0, 3405: 0}")
    (problem,) = problems_of(tmp_path, text)
    assert (problem.line, problem.message) == (13, "the counts add up to 0")
    text = with_distribution("nøkkel: enheter", "enhet: saker", "antall: {3441: 10, 5025: 2}")
    problems = problems_of(tmp_path, text)
    assert [(p.line, p.column, p.message) for p in problems] == [
        (13, 13, "no count for Lillehammer (3405)"),
        (13, 24, "Røros is not a party to this agreement"),
    ]
    text = with_distribution("nøkkel: enheter", "enhet: saker", "antall: {3441: 10, 3405: -1}")
    (problem,) = problems_of(tmp_path, text)
    assert (problem.field, problem.message) == ("økonomi.fordeling.antall[3405]",
                                                "must be greater than or equal to 0")


def test_base_amounts_must_fit_in_every_budget_year(tmp_path: Path) -> None:
    text = with_distribution("nøkkel: grunnbeløp_og_folketall", "grunnbeløp: 600000",
                             budget="{2027: 1199999, 2028: 1200000}")
    (problem,) = problems_of(tmp_path, text)
    assert (problem.line, problem.column, problem.field) == (13, 20, "økonomi.budsjett[2027]")
    assert problem.message == ("the budget for 2027, kr 1 199 999, is less than the base "
                               "amounts: 2 parties × kr 600 000 = kr 1 200 000")
    assert problem.hint == "raise the budget, or lower 'grunnbeløp' to at most kr 599 999"


def test_key_parameters_belong_to_their_key(tmp_path: Path) -> None:
    text = with_distribution("nøkkel: grunnandel_og_folketall", "grunnbeløp: 100")
    problems = problems_of(tmp_path, text)
    assert [(p.line, p.field, p.message) for p in problems] == [
        (11, "økonomi.fordeling.grunnandel", "required with nøkkel 'grunnandel_og_folketall'"),
        (12, "økonomi.fordeling.grunnbeløp", "not used with nøkkel 'grunnandel_og_folketall'"),
    ]
    assert problems[0].hint.startswith("add e.g. 'grunnandel: 30'")
    assert problems[1].hint == "remove it, or use nøkkel 'grunnbeløp_og_folketall'"


def test_base_share_is_a_percentage_between_0_and_100(tmp_path: Path) -> None:
    text = with_distribution("nøkkel: grunnandel_og_folketall", "grunnandel: 100")
    (problem,) = problems_of(tmp_path, text)
    assert (problem.line, problem.field, problem.message) == (
        12, "økonomi.fordeling.grunnandel", "must be less than 100")
    text = with_distribution("nøkkel: grunnandel_og_folketall", "grunnandel: 30,5")
    (problem,) = problems_of(tmp_path, text)
    assert problem.message == "expected a number, got '30,5'"


def test_population_override_needs_its_date(tmp_path: Path) -> None:
    text = GOOD.replace("  - kommune: 3405\n", "  - kommune: 3405\n    folketall: 29000\n"
                        ).replace("  - kommune: 3441\n",
                                  "  - kommune: 3441\n    folketall_per: 2025-01-01\n")
    problems = problems_of(tmp_path, text)
    assert [(p.line, p.column, p.field, p.message) for p in problems] == [
        (7, 16, "parter[0].folketall", "a population figure needs its date"),
        (9, 20, "parter[1].folketall_per", "a date without a population figure"),
    ]
    assert "add 'folketall_per: YYYY-MM-DD'" in problems[0].hint


def test_cost_checks_run_when_other_fields_are_wrong(tmp_path: Path) -> None:
    # A wrong type elsewhere stops the typed model; the share check still reports.
    text = with_distribution("nøkkel: prosent", "andeler: {3405: 60, 3441: 30}").replace(
        "oppsigelsestid_måneder: 6", "oppsigelsestid_måneder: seks")
    found = {(p.field, p.line) for p in problems_of(tmp_path, text)}
    assert found == {("økonomi.fordeling.andeler", 12), ("uttreden.oppsigelsestid_måneder", 15)}
