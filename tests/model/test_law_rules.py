"""The law letter by letter: each form's statutory items cited to paragraph and letter,
nothing required that the statute does not require, and clause texts that say what the
statute says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from ruamel.yaml import YAML

from generator.cli import main
from generator.model import rules
from generator.model.case import Case, _aliases
from tests.helpers import FIXTURES, ROOT, yaml_data

FORMER = FIXTURES / "former"
YAML_ = YAML(typ="safe", pure=True)


def samdok(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def case_data(form: str) -> dict:
    return yaml_data((FORMER / f"{form}.yaml").read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict, name: str = "sak") -> Path:
    path = tmp_path / f"{name}.yaml"
    with path.open("w", encoding="utf-8") as handle:
        YAML_.dump(data, handle)
    return path


def check(tmp_path: Path, data: dict) -> Result:
    return samdok("check", "--strict", str(write(tmp_path, data)))


# --- 1. citations down to paragraph and letter -------------------------------------------

CITED = [
    ("politisk_råd", "navn", "kommuneloven § 18-4 fjerde ledd bokstav a"),
    ("politisk_råd", "representantskap", "kommuneloven § 18-4 fjerde ledd bokstav c"),
    ("politisk_råd", "oppgaver", "kommuneloven § 18-4 fjerde ledd bokstav d"),
    ("politisk_råd", "eierandeler", "kommuneloven § 18-4 fjerde ledd bokstav f"),
    ("politisk_råd", "uttreden", "kommuneloven § 18-4 fjerde ledd bokstav g"),
    ("politisk_råd", "oppløsning", "kommuneloven § 18-4 fjerde ledd bokstav h"),
    ("oppgavefellesskap", "navn", "kommuneloven § 19-4 fjerde ledd bokstav a"),
    ("oppgavefellesskap", "representantskap", "kommuneloven § 19-4 fjerde ledd bokstav c"),
    ("oppgavefellesskap", "oppgaver", "kommuneloven § 19-4 fjerde ledd bokstav d"),
    ("oppgavefellesskap", "innskudd", "kommuneloven § 19-4 fjerde ledd bokstav e"),
    ("oppgavefellesskap", "eierandeler", "kommuneloven § 19-4 fjerde ledd bokstav f"),
    ("oppgavefellesskap", "låneadgang", "kommuneloven § 19-4 fjerde ledd bokstav g"),
    ("oppgavefellesskap", "rapportering", "kommuneloven § 19-4 fjerde ledd bokstav h"),
    ("oppgavefellesskap", "uttreden", "kommuneloven § 19-4 fjerde ledd bokstav i"),
    ("oppgavefellesskap", "oppløsning", "kommuneloven § 19-4 fjerde ledd bokstav j"),
    ("vertskommune", "vertskommune", "kommuneloven § 20-4 tredje ledd bokstav b"),
    ("vertskommune", "oppgaver", "kommuneloven § 20-4 tredje ledd bokstav c"),
    ("vertskommune", "økonomi", "kommuneloven § 20-4 tredje ledd bokstav f"),
    ("vertskommune", "uttreden", "kommuneloven § 20-4 tredje ledd bokstav g"),
    ("vertskommune", "oppløsning", "kommuneloven § 20-4 tredje ledd bokstav h"),
    # § 20-5 is about appeals; the members per participant are § 20-4 fourth paragraph.
    ("vertskommune_med_nemnd", "nemnd", "kommuneloven § 20-4 fjerde ledd"),
    ("iks", "navn", "IKS-loven § 4 tredje ledd nr. 1"),
    ("iks", "formål", "IKS-loven § 4 tredje ledd nr. 3"),
    ("iks", "hovedkontor", "IKS-loven § 4 tredje ledd nr. 4"),
    ("iks", "styre", "IKS-loven § 4 tredje ledd nr. 5"),
    ("iks", "innskudd", "IKS-loven § 4 tredje ledd nr. 6"),
    ("iks", "eierandeler", "IKS-loven § 4 tredje ledd nr. 7"),
    ("iks", "representantskap", "IKS-loven § 4 tredje ledd nr. 8"),
    ("rammeavtale", "formål", "samdoks minstekrav (README, «Cooperation forms and "
                              "required content»)"),
]


@pytest.mark.parametrize(("form", "field", "citation"), CITED,
                         ids=[f"{f}-{k}" for f, k, _ in CITED])
def test_a_missing_item_cites_its_paragraph_and_letter(tmp_path: Path, form, field, citation):
    data = case_data(form)
    del data[field]
    result = check(tmp_path, data)
    assert result.exit_code == 1
    missing = [line for line in result.stderr.splitlines() if ": missing — " in line]
    assert len(missing) == 1, result.stderr
    assert f"{field}: missing — {citation}: " in missing[0]


def test_every_citation_is_a_statute_letter_or_samdoks_own() -> None:
    for req in rules.requirements():
        for citation in req.citations.values():
            assert "DESIGN" not in citation and "DOMAIN" not in citation
            assert "kapittel" not in citation, (req.id, citation)  # not the chapter only
            if citation.startswith(rules.SAMDOK):
                assert "README" in citation
            else:
                assert re.search(r"§ \d+(-\d+)?( \w+ ledd)?", citation), (req.id, citation)
    text = (ROOT / "generator" / "data" / "regler.yaml").read_text(encoding="utf-8")
    assert "DESIGN.md" not in text and "DOMAIN.md" not in text
    assert "§ 20-5" not in text


def test_samdoks_minimum_is_the_four_clauses_and_cites_no_statute() -> None:
    own = {r.clause for r in rules.listed("samarbeidsavtale", "rammeavtale")
           if r.citation("rammeavtale").startswith(rules.SAMDOK)}
    assert own == {"formål", "økonomi", "inntreden_og_uttreden", "ikrafttredelse"}


def test_the_statute_lists_are_complete() -> None:
    """Every letter of §§ 18-4, 19-4, 20-4 and number of IKS-loven § 4 has an entry."""
    def cited(form: str) -> set[str]:
        return {r.citation(form) for r in rules.listed("samarbeidsavtale", form)}

    for form, section, letters in (("politisk_råd", "§ 18-4 fjerde ledd", "abcdefgh"),
                                   ("oppgavefellesskap", "§ 19-4 fjerde ledd", "abcdefghij"),
                                   ("vertskommune", "§ 20-4 tredje ledd", "abcdefghi"),
                                   ("vertskommune_med_nemnd", "§ 20-4 tredje ledd",
                                    "abcdefghi")):
        for letter in letters:
            assert f"kommuneloven {section} bokstav {letter}" in cited(form), (form, letter)
    for number in range(1, 10):
        assert f"IKS-loven § 4 tredje ledd nr. {number}" in cited("iks")
    assert "IKS-loven § 22 første ledd andre punktum" in cited("iks")
    assert "kommuneloven § 20-4 fjerde ledd" in cited("vertskommune_med_nemnd")
    assert "kommuneloven § 18-1 tredje ledd" in cited("politisk_råd")
    assert "kommuneloven § 19-1 tredje ledd" in cited("oppgavefellesskap")
    assert "foretaksnavneloven § 2-2 tolvte ledd" in cited("iks")
    assert "foretaksnavneloven § 2-2 siste ledd" in cited("iks")


def test_items_the_case_format_cannot_state_are_listed_but_never_reported() -> None:
    keys = _aliases(Case)
    for req in rules.requirements():
        top = req.field.split(".")[0] if req.field else None
        if req.checked:
            assert top in keys, f"{req.id}: '{req.field}' is not a case key"
        elif top not in (None, "navn"):
            # When a later change adds the key, this says to make the item checked.
            assert top not in keys, f"{req.id}: '{req.field}' exists now; check it"
    # Every item a case can state is checked, with its key and the clause that shows it;
    # only the statutes' catch-alls («annet som etter lov skal fastsettes») are not.
    unchecked = {r.id for r in rules.requirements() if not r.checked}
    assert unchecked == {"vertskommune.annet", "iks.annet"}
    for req in rules.requirements():
        if req.checked:
            assert req.field and req.clause, req.id


# --- 2. nothing required that the law does not require ------------------------------------

def test_a_political_council_needs_no_contributions(tmp_path: Path) -> None:
    data = case_data("politisk_råd")
    del data["innskudd"]
    result = check(tmp_path, data)
    assert result.exit_code == 0, result.stderr


def test_an_oppgavefellesskap_needs_ownership_not_liability_shares(tmp_path: Path) -> None:
    data = case_data("oppgavefellesskap")
    del data["ansvarsandeler"]
    assert check(tmp_path, data).exit_code == 0
    del data["eierandeler"]
    result = check(tmp_path, data)
    assert "eierandeler: missing — kommuneloven § 19-4 fjerde ledd bokstav f" in result.stderr


@pytest.mark.parametrize("form", ["iks", "oppgavefellesskap", "politisk_råd"])
def test_a_service_agreement_under_a_body_needs_only_samdoks_minimum(tmp_path: Path, form):
    data = case_data("rammeavtale") | {"samarbeidsform": form, "dokumenter": ["tjenesteavtale"],
                                       "tjeneste": "lønnstjenester"}
    result = check(tmp_path, data)
    assert result.exit_code == 0, result.stderr


def test_a_host_municipality_service_agreement_meets_section_20_4(tmp_path: Path) -> None:
    data = case_data("vertskommune") | {"dokumenter": ["tjenesteavtale"],
                                        "tjeneste": "barneverntjeneste"}
    del data["vertskommune"]
    result = check(tmp_path, data)
    assert "vertskommune: missing — kommuneloven § 20-4 tredje ledd bokstav b" in result.stderr


def test_an_iks_head_office_need_not_be_a_party(tmp_path: Path) -> None:
    data = case_data("iks") | {"hovedkontor": "Hamar"}
    result = check(tmp_path, data)
    assert result.exit_code == 0, result.stderr


# --- 3. conditional items ------------------------------------------------------------------

def test_an_iks_that_may_borrow_needs_a_ceiling(tmp_path: Path) -> None:
    data = case_data("iks") | {"låneadgang": {"tillatt": True}}
    result = check(tmp_path, data)
    assert result.exit_code == 1
    assert ("låneadgang.ramme: missing — IKS-loven § 22 første ledd andre punktum"
            in result.stderr)
    assert "add 'ramme:' to the case file under 'låneadgang'" in result.stderr
    data["låneadgang"] = {"tillatt": False}
    assert check(tmp_path, data).exit_code == 0, "no ceiling when it may not borrow"


def test_an_oppgavefellesskap_may_borrow_without_a_ceiling(tmp_path: Path) -> None:
    data = case_data("oppgavefellesskap") | {"låneadgang": {"tillatt": True}}
    assert check(tmp_path, data).exit_code == 0


def test_a_committee_has_two_or_more_members_per_participant(tmp_path: Path) -> None:
    for members in (1, {3405: 3, 3441: 1, 3440: 2}):
        data = case_data("vertskommune_med_nemnd")
        data["nemnd"]["medlemmer"] = members
        result = check(tmp_path, data)
        assert result.exit_code == 1
        assert "kommuneloven § 20-3 tredje ledd" in result.stderr, result.stderr


# --- 4. README lists the items, generated from the rules ----------------------------------

def test_readme_lists_the_items_from_the_rules() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    begin, end = "<!-- krav:begin -->", "<!-- krav:end -->"
    block = readme[readme.index(begin) + len(begin):readme.index(end)].strip()
    assert block == rules.reference_markdown().strip(), (
        "README's list of required items is out of date: replace the block between the "
        "markers with generator.model.rules.reference_markdown()")
    assert "| kommuneloven § 20-4 tredje ledd bokstav d |" in block
    assert "| IKS-loven § 22 første ledd andre punktum |" in block


# --- 5. the document texts say what the statute says -------------------------------------

def text_of(tmp_path: Path, data: dict) -> str:
    result = samdok("text", str(write(tmp_path, data)))
    assert result.exit_code == 0, result.output
    return " ".join(result.stdout.split())


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_committee_clause(tmp_path: Path, language: str) -> None:
    data = case_data("vertskommune_med_nemnd") | {"språk": language}
    text = text_of(tmp_path, data)
    assert "blant sine egne medlemmer" not in text and "blant sine eigne medlemmer" not in text
    assert "ledes av" not in text and "vert leia av" not in text
    assert ("Hver deltakerkommune er representert med to eller flere medlemmer" in text
            if language == "nb" else
            "Kvar deltakarkommune er representert med to eller fleire medlemmer" in text)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_board_clause_leaves_room_for_employee_elected_members(tmp_path, language):
    text = text_of(tmp_path, case_data("iks") | {"språk": language})
    assert "valgt av representantskapet" not in text and "valt av representantskapet" not in text
    assert re.search(r"Representantskapet vel(ger)? styremedlemmene, med unntak av d(e|ei) "
                     r"medlemmene d(e|ei) (ansatte|tilsette) har rett til å (velge|velje) etter "
                     r"IKS-lov(en|a) § 10", text), text


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_ownership_and_liability_texts(tmp_path: Path, language: str) -> None:
    ko = text_of(tmp_path, case_data("oppgavefellesskap") | {"språk": language})
    # Both given: ownership does not claim that liability follows it.
    assert "like stor del" not in ko and "like eigardelane" not in ko
    assert "selskapet" not in ko
    council = case_data("politisk_råd") | {"språk": language,
                                          "ansvarsandeler": {3405: 40, 3441: 30, 3440: 30}}
    council_text = text_of(tmp_path, council)
    assert "oppgavefellesskapets" not in council_text
    assert "oppgåvefellesskapet" not in council_text
    assert ("rådets forpliktelser" in council_text if language == "nb"
            else "forpliktingane til rådet" in council_text)
    iks = text_of(tmp_path, case_data("iks") | {"språk": language})
    assert "IKS-lov" in iks and "§ 3 første ledd" in iks


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_an_iks_borrowing_clause_states_the_ceiling(tmp_path: Path, language: str) -> None:
    text = text_of(tmp_path, case_data("iks") | {"språk": language})
    assert "Samarbeidet kan ta opp lån" not in text
    assert re.search(r"Selskapet kan ta opp lån\. Taket for .*låneopptak.* er kr 50 000 000",
                     text), text


def service(form: str, language: str) -> dict:
    data = case_data(form) | {"dokumenter": ["tjenesteavtale"], "tjeneste": "lønnstjenester",
                              "språk": language}
    return data


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_instruction_right_quotes_the_statute_for_host_forms_only(tmp_path, language):
    host = text_of(tmp_path, service("vertskommune", language))
    if language == "nb":
        assert ("En samarbeidskommune kan gi vertskommunen instruks om hvordan den delegerte "
                "myndigheten skal utøves i saker som bare gjelder samarbeidskommunen eller "
                "dens innbyggere (kommuneloven § 20-2 fjerde ledd)") in host
        assert "Hver deltakerkommune kan gi" not in host
    else:
        assert "Ein samarbeidskommune kan gje vertskommunen instruks" in host
        assert "eller innbyggjarane i samarbeidskommunen (kommunelova § 20-2 fjerde ledd)" in host
    committee = text_of(tmp_path, service("vertskommune_med_nemnd", language))
    assert "§ 20-3 sjette ledd" in committee
    for form in ("tjenestekjøp", "rammeavtale"):
        assert "vertskommunen instruks" not in text_of(tmp_path, service(form, language))


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_submission_says_must_only_where_a_statute_says_so(tmp_path, language):
    def submission(form: str) -> str:
        data = yaml_data((ROOT / "cases" / ("barnevern-lillehammer-gausdal.yaml"
                                             if language == "nb" else "pp-teneste-sogn.yaml"))
                          .read_text(encoding="utf-8"))
        data["samarbeidsform"] = form
        return text_of(tmp_path, data)

    host = submission("vertskommune")
    assert "§ 20-4 andre ledd skal kommunestyret" in host
    purchase = submission("tjenestekjøp")
    assert "likelydende vedtak" not in purchase.split("Saksopplysning")[1].split("Vurdering")[0]
    assert " må vedta" not in purchase and "må gjøre" not in purchase
    assert "må gjere" not in purchase
    assert ("til godkjenning" in purchase)
