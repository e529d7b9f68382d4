"""Typed fields for what real agreements hold: goals, principles, phases and project plan,
financing, personnel policy, organs, and a framework agreement's own name and the forms of
its service agreements; each shown by its own clause, bokmål and nynorsk, only when given."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.base.project import templates_dir
from generator.compose.document import Item, Paragraph
from generator.compose.enrich import compose
from generator.errors import CaseError
from generator.model.case import load_case
from tests.helpers import FIXTURES, invoke, write_case

MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")

FIELDS = """\
mål:
  - Bedre tjenester for innbyggerne i {{ parter_navn }}
  - Sterkere fagmiljøer
prinsipper: [Kommunene er likeverdige parter]
organer:
  - navn: Styringsgruppa
    type: politisk
    medlemmer: [ordførerne, ett opposisjonsmedlem fra hver kommune]
    mandat: Styringsgruppa leder arbeidet og legger fram saker for kommunestyrene.
  - navn: Prosjektgruppa
    type: administrativt
    medlemmer: [kommunedirektørene, en hovedtillitsvalgt fra hver kommune]
faser:
  tidshorisont: Samarbeidet bygges opp over to år.
  plan:
    - {navn: Utredning, tid: 2027, innhold: Områdene utredes.}
    - {navn: Gjennomføring, tid: høsten 2028, innhold: Avtalene for områdene inngås.}
finansiering: Utredningen finansieres med prosjektskjønnsmidler.
personalpolitikk: Ingen ansatte skal sies opp som følge av samarbeidet.
"""

FRAMEWORK = """\
id: grunn
tittel: Grunnavtale
samarbeidsform: rammeavtale
avtalenavn: grunnavtale
tjenesteavtaler:
  former: [vertskommune, tjenestekjøp]
  tekst: Hver avtale vedtas av kommunestyrene i kommunene som deltar.
parter:
  - kommune: 5041
  - kommune: 5043
formål: Kommunene samarbeider om tjenester.
økonomi: {fordeling: {nøkkel: likt}}
inntreden: Nye kommuner kan tre inn etter vedtak i alle kommunestyrene.
uttreden: {oppsigelsestid_måneder: 12}
ikrafttredelse: 2027-01-01
"""


def agreement(tmp_path: Path, text: str):
    documents = compose(load_case(write_case(tmp_path, "c.yaml", text)), templates_dir())
    return documents[0]


def texts(clause) -> list[str]:
    return [f"{b.label} {b.text}" if isinstance(b, Item) else b.text for b in clause.blocks
            if isinstance(b, Item | Paragraph)]


NEW_CLAUSES = ("mål", "prinsipper", "organer", "faser", "finansiering", "personalpolitikk")


def test_without_the_fields_no_new_clause_appears(tmp_path: Path) -> None:
    ids = [c.id for c in agreement(tmp_path, MINIMAL).clauses]
    assert not set(NEW_CLAUSES) & set(ids)


def test_each_field_has_its_clause_in_order(tmp_path: Path) -> None:
    doc = agreement(tmp_path, MINIMAL + FIELDS)
    ids = [c.id for c in doc.clauses]
    assert [i for i in ids if i in NEW_CLAUSES] == ["mål", "prinsipper", "organer", "faser",
                                                    "finansiering", "personalpolitikk"]
    assert texts(doc.clause("mål")) == ["Samarbeidet har disse målene:",
                                        "– Bedre tjenester for innbyggerne i Lillehammer og "
                                        "Gausdal", "– Sterkere fagmiljøer"]
    assert texts(doc.clause("prinsipper"))[1] == "– Kommunene er likeverdige parter"
    assert texts(doc.clause("finansiering")) == [
        "Utredningen finansieres med prosjektskjønnsmidler."]
    assert texts(doc.clause("personalpolitikk")) == [
        "Ingen ansatte skal sies opp som følge av samarbeidet."]


def test_organs_are_numbered_sub_points_with_members_and_mandate(tmp_path: Path) -> None:
    doc = agreement(tmp_path, MINIMAL + FIELDS)
    organs = doc.clause("organer")
    n = organs.number
    assert texts(organs) == [
        f"{n}.1 Styringsgruppa",
        "Styringsgruppa er et politisk organ. Det er ikke lovbestemt. Medlemmer:",
        "– ordførerne", "– ett opposisjonsmedlem fra hver kommune",
        "Mandat: Styringsgruppa leder arbeidet og legger fram saker for kommunestyrene.",
        f"{n}.2 Prosjektgruppa",
        "Prosjektgruppa er et administrativt organ. Det er ikke lovbestemt. Medlemmer:",
        "– kommunedirektørene", "– en hovedtillitsvalgt fra hver kommune"]
    # verify finds each organ by name in its clause of the PDF
    assert organs.evidence == ("Styringsgruppa", "Prosjektgruppa")


def test_a_statutory_organ_says_so(tmp_path: Path) -> None:
    text = MINIMAL + FIELDS.replace("    type: administrativt\n",
                                    "    type: administrativt\n    lovbestemt: true\n")
    assert "Prosjektgruppa er et administrativt organ og er lovbestemt. Medlemmer:" in texts(
        agreement(tmp_path, text).clause("organer"))


def test_phases_are_the_project_plan(tmp_path: Path) -> None:
    doc = agreement(tmp_path, MINIMAL + FIELDS)
    phases = doc.clause("faser")
    n = phases.number
    assert texts(phases) == ["Samarbeidet bygges opp over to år.",
                             "Arbeidet gjennomføres i disse fasene:",
                             f"{n}.1 Utredning (2027): Områdene utredes.",
                             f"{n}.2 Gjennomføring (høsten 2028): Avtalene for områdene inngås."]


def test_nynorsk_clauses(tmp_path: Path) -> None:
    doc = agreement(tmp_path, "språk: nn\n" + MINIMAL + FIELDS)
    assert doc.clause("mål").heading == "Mål"
    assert doc.clause("prinsipper").heading == "Prinsipp for samarbeidet"
    assert doc.clause("organer").heading == "Organ"
    assert doc.clause("faser").heading == "Fasar og prosjektplan"
    assert texts(doc.clause("organer"))[1] == (
        "Styringsgruppa er eit politisk organ. Det er ikkje lovfesta. Medlemmer:")
    assert texts(doc.clause("faser"))[1] == "Arbeidet vert gjennomført i desse fasane:"


def test_a_framework_agreement_calls_itself_what_the_case_says(tmp_path: Path) -> None:
    doc = agreement(tmp_path, FRAMEWORK)
    organisation = doc.clause("organisering")
    assert texts(organisation) == [
        "Avtalen er en grunnavtale. Samarbeidet på hvert område reguleres i en egen avtale. "
        "Avtalene inngås som administrativt vertskommunesamarbeid etter kommuneloven § 20-2 "
        "eller som avtale om kjøp av tjenester.",
        "Hver avtale vedtas av kommunestyrene i kommunene som deltar."]
    assert "Avtalen er en grunnavtale" in organisation.evidence


def test_a_framework_agreement_is_a_rammeavtale_by_default(tmp_path: Path) -> None:
    text = (FRAMEWORK.replace("avtalenavn: grunnavtale\n", "")
            .replace("  former: [vertskommune, tjenestekjøp]\n", "  former: [iks]\n"))
    doc = agreement(tmp_path, "språk: nn\n" + text)
    assert texts(doc.clause("organisering"))[0] == (
        "Avtalen er ein rammeavtale. Samarbeidet på kvart område vert regulert i ein eigen "
        "avtale. Avtalane vert inngått som interkommunalt selskap etter lov om interkommunale "
        "selskap.")


@pytest.mark.parametrize("key", ["avtalenavn: grunnavtale", "tjenesteavtaler: {former: [iks]}"])
def test_only_a_framework_agreement_names_itself(tmp_path: Path, key: str) -> None:
    write_case(tmp_path, "cases/c.yaml", MINIMAL + key + "\n")
    result = invoke("check", "cases/c.yaml", cwd=tmp_path)
    assert result.returncode == 1
    line = MINIMAL.count("\n") + 1
    name = key.split(":")[0]
    assert f"cases/c.yaml:{line}:1: {name}: only a framework agreement has '{name}'" \
        in result.stderr
    assert "hint: write 'samarbeidsform: rammeavtale', or remove the key" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("old", "new", "field", "message"), [
    ("    type: politisk\n", "    type: juridisk\n", "organer[0].type",
     "'juridisk' is not one of 'politisk' or 'administrativt'"),
    ("    medlemmer: [ordførerne, ett opposisjonsmedlem fra hver kommune]\n",
     "    medlemmer: []\n", "organer[0].medlemmer", "needs at least 1 item(s)"),
    ("  plan:\n    - {navn: Utredning, tid: 2027, innhold: Områdene utredes.}\n"
     "    - {navn: Gjennomføring, tid: høsten 2028, innhold: Avtalene for områdene inngås.}\n",
     "  plan: []\n", "faser.plan", "needs at least 1 item(s)"),
])
def test_wrong_fields_are_located(tmp_path: Path, old: str, new: str, field: str,
                                  message: str) -> None:
    assert old in FIELDS
    write_case(tmp_path, "cases/c.yaml", MINIMAL + FIELDS.replace(old, new))
    result = invoke("check", "cases/c.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert f": {field}: {message}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_text_in_a_field_is_a_case_text(tmp_path: Path) -> None:
    # Placeholders render; a broken one is a message at its place, never a traceback.
    text = MINIMAL + FIELDS.replace("Styringsgruppa leder", "Gruppa til {{ nemnd.navn }} leder")
    with pytest.raises(CaseError) as caught:
        agreement(tmp_path, text)
    (problem,) = caught.value.problems
    assert problem.field == "organer[0].mandat"
    assert problem.line == MINIMAL.count("\n") + 9


def test_an_unknown_key_in_an_organ_suggests_the_right_one(tmp_path: Path) -> None:
    write_case(tmp_path, "cases/c.yaml", MINIMAL + FIELDS.replace("    mandat:", "    mandet:"))
    result = invoke("check", "cases/c.yaml", cwd=tmp_path)
    assert "organer[0].mandet: warning: unknown key 'mandet'" in result.stderr
    assert "did you mean 'mandat'?" in result.stderr


def test_a_single_organ_is_no_sub_point(tmp_path: Path) -> None:
    text = MINIMAL + FIELDS.split("  - navn: Prosjektgruppa")[0] + "faser:" + \
        FIELDS.split("faser:")[1]
    organs = agreement(tmp_path, text).clause("organer")
    assert [b.label for b in organs.blocks if isinstance(b, Item)] == ["–", "–"]
    assert texts(organs)[0] == (
        "Styringsgruppa er et politisk organ. Det er ikke lovbestemt. Medlemmer:")


def test_a_form_listed_twice_is_located(tmp_path: Path) -> None:
    write_case(tmp_path, "cases/c.yaml", FRAMEWORK.replace(
        "former: [vertskommune, tjenestekjøp]", "former: [vertskommune, vertskommune]"))
    result = invoke("check", "cases/c.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert "cases/c.yaml:6:11: tjenesteavtaler.former: lists 'vertskommune' more than once" \
        in result.stderr
    assert "hint: list each form once" in result.stderr


def test_names_are_printed_as_written_never_evaluated(tmp_path: Path) -> None:
    # An organ's or the agreement's name is a value in the clause, not a template.
    text = (FRAMEWORK.replace("avtalenavn: grunnavtale", "avtalenavn: \"{{ parter }}\"")
            + "organer:\n  - {navn: \"{{ ''.__class__ }}\", type: politisk, "
              "medlemmer: [ordførerne]}\n")
    doc = agreement(tmp_path, text)
    assert texts(doc.clause("organisering"))[0].startswith("Avtalen er en {{ parter }}.")
    assert texts(doc.clause("organer"))[0].startswith("{{ ''.__class__ }} er et politisk")
