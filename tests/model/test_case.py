"""The case model: every problem reported at once, at its line, with a hint."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.errors import CaseError
from generator.model import rules
from generator.model.case import load_case
from tests.helpers import EXAMPLES, FIXTURES, invoke, write_case

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
    # The required contents the fixture lacks (vertskommune, oppgaver, …) are reported too.
    (problem,) = [p for p in caught.value.problems if p.line is not None]
    assert str(problem).startswith(
        "tests/cases/wrong-type.yaml:12:27: uttreden.oppsigelsestid_måneder: "
        "expected a whole number, got 'tolv'")
    assert "hint:" in str(problem)


def test_five_mistakes_are_all_reported_in_one_run(tmp_path: Path) -> None:
    text = (GOOD.replace("samarbeidsform: vertskommune", "samarbeidsform: vertskomune")
            .replace("kommune: 3441", "kommune: 9999")
            .replace("ikrafttredelse: 2027-01-01", "ikrafttredelse: 1. januar 2027")
            .replace("oppsigelsestid_måneder: 6", "oppsigelsestid_måneder: seks")
            .replace("formål:", "formåll:"))
    write_case(tmp_path, "cases/case.yaml", text)
    result = invoke("check", "--strict", "cases/case.yaml", cwd=tmp_path)
    assert result.returncode == 1
    located = re.findall(r"^cases/case\.yaml:(\d+):\d+: (\S+): ", result.stderr, re.M)
    assert located == [("4", "samarbeidsform"), ("7", "parter[1].kommune"),
                       ("8", "formåll"), ("13", "uttreden.oppsigelsestid_måneder"),
                       ("14", "ikrafttredelse")]
    assert "5 problem(s) in 1 file(s)" in result.stderr
    assert not (tmp_path / "build").exists()


def test_unknown_key_is_a_warning_that_suggests_the_right_one(tmp_path: Path) -> None:
    text = GOOD.replace("formål:", "merknad: intern\nformål:")
    loaded = load_case(write_case(tmp_path, "case.yaml", text), "cases/case.yaml")
    (warning,) = loaded.warnings
    assert (warning.field, warning.severity, warning.line) == ("merknad", "warning", 8)
    assert str(warning).startswith("cases/case.yaml:8:1: merknad: warning: unknown key")
    # a misspelt required key: a warning with the right spelling, and the rule that is unmet
    loaded = load_case(write_case(tmp_path, "case.yaml", GOOD.replace("inntreden:",
                                                                      "inntreeden:")))
    (warning,) = loaded.warnings
    assert "did you mean 'inntreden'?" in warning.hint
    assert [p.field for p in rules.check(loaded)] == ["inntreden"]


def test_strict_makes_warnings_fatal(tmp_path: Path) -> None:
    write_case(tmp_path, "c.yaml", GOOD.replace("formål:", "merknad: intern\nformål:"))
    relaxed = invoke("check", "c.yaml", cwd=tmp_path)
    assert relaxed.returncode == 0
    assert "c.yaml:8:1: merknad: warning: unknown key 'merknad'" in relaxed.stderr
    strict = invoke("check", "--strict", "c.yaml", cwd=tmp_path)
    assert strict.returncode == 1
    assert "merknad: warning: unknown key 'merknad'" in strict.stderr


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


def test_shares_must_cover_every_party_and_add_up(tmp_path: Path) -> None:
    iks = (FIXTURES / "former" / "iks.yaml").read_text(encoding="utf-8")
    text = iks.replace("eierandeler: {3405: 62.5, 3441: 19.5, 3440: 18}",
                       "eierandeler: {3405: 62.5, 3441: 19.5, 5025: 18}")
    problems = problems_of(tmp_path, text)
    messages = {(p.field, p.message) for p in problems}
    assert ("eierandeler[5025]", "Røros is not a party to this agreement") in messages
    assert ("eierandeler", "no value for Øyer") in messages
    text = iks.replace("3440: 18}", "3440: 17}")
    (problem,) = problems_of(tmp_path, text)
    assert problem.field == "eierandeler"
    assert problem.message == "the shares add up to 99 %, not 100 %"
    assert problem.line == text.splitlines().index(
        "eierandeler: {3405: 62.5, 3441: 19.5, 3440: 17}") + 1


def test_host_office_and_head_office_must_be_parties(tmp_path: Path) -> None:
    text = GOOD.replace("vertskommune: 3405", "vertskommune: 3440")
    (problem,) = problems_of(tmp_path, text)
    assert problem.field == "vertskommune"
    assert problem.message == "Øyer is not a party to this agreement"


def test_municipalities_by_name_become_numbers(tmp_path: Path) -> None:
    text = (GOOD.replace("kommune: 3405", "kommune: Deatnu - Tana")
            .replace("kommune: 3441", "kommune: kárášjohka")
            + "samarbeidsområder:\n  - gruppe: A\n    parter: [tana, 5610]\n    områder:\n"
              "      - {navn: Barnevern, vertskommune: Karasjok kommune}\n")
    case = load_case(write_case(tmp_path, "case.yaml", text)).case
    assert [p.municipality for p in case.parties] == ["5628", "5610"]
    assert case.areas[0].parties == ["5628", "5610"]
    assert case.areas[0].areas[0].host == "5610"


def test_ambiguous_name_is_a_located_error_listing_the_candidates(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, GOOD.replace("kommune: 3441", "kommune: Herøy"))
    assert str(problem) == (
        "cases/case.yaml:7:14: parter[1].kommune: 'Herøy' matches 1515 Herøy (Møre og Romsdal) "
        "and 1818 Herøy (Nordland)\n    hint: write the kommunenummer: 1515 or 1818")


def test_every_unresolved_reference_reported_once_at_its_place(tmp_path: Path) -> None:
    text = (GOOD.replace("kommune: 3441", "kommune: Gausdall")
            + "samarbeidsområder:\n  - gruppe: A\n    parter: [3405, Våler]\n    områder:\n"
              "      - {navn: Barnevern, vertskommune: Lilehammer}\n"
              "      - {navn: Legevakt, vertskommune: Tana}\n")
    problems = problems_of(tmp_path, text)
    end = GOOD.count("\n")  # the areas are appended after the last line of the good case
    assert [(p.field, p.line, p.column) for p in problems] == [
        ("parter[1].kommune", 7, 14),
        ("samarbeidsområder[0].parter[1]", end + 3, 20),
        ("samarbeidsområder[0].områder[0].vertskommune", end + 5, 41),
        ("samarbeidsområder[0].områder[1].vertskommune", end + 6, 40),
    ]
    assert problems[0].message == "no municipality named 'Gausdall'"
    assert problems[0].hint.startswith("did you mean 3441 Gausdal")
    assert "3114 Våler (Østfold) and 3419 Våler (Innlandet)" in problems[1].message
    assert "did you mean 3405 Lillehammer" in problems[2].hint
    assert problems[3].message == "Tana is not a party to this agreement"


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
