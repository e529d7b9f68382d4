"""Each council's proposed resolution holds the decisions the law asks of that council for
the form (adopt; create a political council or an oppgavefellesskap; delegate; elect its
members), the person it authorises to sign is the one the signature page names, and the
service agreement's texts state no rule the statutes do not hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from ruamel.yaml import YAML

from generator.base.project import templates_dir
from generator.cli import main
from generator.compose.document import Document
from generator.compose.enrich import compose
from generator.model.case import load_case
from generator.review.text import markdown
from tests.helpers import EXAMPLES, FIXTURES, yaml_data

YAML_ = YAML(typ="safe", pure=True)
LILLEHAMMER, GAUSDAL, ØYER = "3405", "3441", "3440"


def form_case(form: str, language: str = "nb", **extra) -> dict:
    """The complete case of a form (tests/cases/former) with a joint case submission."""
    data = yaml_data((FIXTURES / "former" / f"{form}.yaml").read_text(encoding="utf-8"))
    copy = {"arkivsak": "2026/1", "saksbehandler": "Ola Nordmann", "dato": "2026-11-02",
            "behandling": [{"utvalg": "Kommunestyret", "møtedato": "2026-12-03"}]}
    data |= {"språk": language, "dokumenter": ["samarbeidsavtale", "saksframlegg"],
             "saksframlegg": {"sammendrag": "Sammendrag.", "saksopplysninger": "Opplysninger.",
                              "vurdering": "Vurdering.",
                              "kommuner": {p["kommune"]: dict(copy) for p in data["parter"]}}}
    return data | extra


def write(tmp_path: Path, data: dict, name: str = "sak") -> Path:
    path = tmp_path / f"{name}.yaml"
    with path.open("w", encoding="utf-8") as handle:
        YAML_.dump(data, handle)
    return path


def documents(tmp_path: Path, data: dict) -> list[Document]:
    return compose(load_case(write(tmp_path, data)), templates_dir())


def flat(text: str) -> str:
    return " ".join(text.split())


def resolutions(tmp_path: Path, data: dict) -> dict[str, str]:
    """Each council's proposed resolution, as one line of text, by kommunenummer."""
    out = {}
    for document in documents(tmp_path, data):
        if document.kind == "saksframlegg":
            clause = next(c for c in document.clauses if c.id == "forslag_til_vedtak")
            out[document.stem.removeprefix("saksframlegg-")] = flat(
                " ".join(block.text for block in clause.blocks))
    return out


def submission(tmp_path: Path, data: dict, number: str) -> str:
    return flat(next(markdown(d) for d in documents(tmp_path, data)
                     if d.stem == f"saksframlegg-{number}"))


def samdok(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


# --- delegation: who delegates to whom depends on the form and on being the host ----------

@pytest.mark.parametrize("language", ["nb", "nn"])
def test_administrative_host_only_the_samarbeidskommune_delegates(tmp_path, language):
    votes = resolutions(tmp_path, form_case("vertskommune", language))
    host, other = votes[LILLEHAMMER], votes[GAUSDAL]
    assert "§ 20-2 andre ledd" in other
    assert re.search(r"instruere kommunedirektøren i Gausdal kommune om å delegere "
                     r"myndighe(ten|ita) til kommunedirektøren i Lillehammer kommune", other), other
    assert "delegerer" not in host and "§ 20-2" not in host
    # The host's own copy says why, and what the law asks of the host instead.
    copy = submission(tmp_path, form_case("vertskommune", language), LILLEHAMMER)
    assert "§ 20-4 femte ledd" in copy and "statsforval" in copy
    assert "§ 20-4 femte ledd" not in submission(tmp_path, form_case("vertskommune", language),
                                                 GAUSDAL)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_with_a_joint_committee_every_council_delegates_and_elects(tmp_path, language):
    votes = resolutions(tmp_path, form_case("vertskommune_med_nemnd", language))
    assert set(votes) == {LILLEHAMMER, GAUSDAL, ØYER}
    for number, text in votes.items():
        assert "§ 20-3 andre ledd" in text, number  # the host (Gausdal) included
        assert "§ 20-3 tredje ledd" in text, number
    # Each council elects its own number (nemnd.medlemmer: 3405: 3, 3441: 2, 3440: 2).
    assert re.search(r"vel(ger)? (kommunens 3 medlemmer|dei 3 medlemmene)", votes[LILLEHAMMER])
    assert re.search(r"vel(ger)? (kommunens 2 medlemmer|dei 2 medlemmene)", votes[GAUSDAL])


# --- creating the body and electing its members ------------------------------------------

@pytest.mark.parametrize("language", ["nb", "nn"])
@pytest.mark.parametrize(("form", "section", "create"),
                         [("politisk_råd", "§ 18-3 første ledd", "§ 18-1 første ledd"),
                          ("oppgavefellesskap", "§ 19-3 første ledd", "§ 19-1 første ledd")])
def test_councils_create_the_body_and_elect_members_and_deputies(tmp_path, language, form,
                                                                 section, create):
    votes = resolutions(tmp_path, form_case(form, language))
    for text in votes.values():
        assert create in text and section in text
        assert re.search(r"vedt(ar|ek) å opprette", text)
        assert "minst" in text and "varamedlem" in text
        assert "delegerer" not in text


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_iks_councils_appoint_their_representatives_and_twice_as_many_deputies(tmp_path,
                                                                                language):
    votes = resolutions(tmp_path, form_case("iks", language))
    # representantskap.medlemmer: 3405: 3, 3441: 2, 3440: 2
    assert "minst 6 varamedlemmer" in votes[LILLEHAMMER]
    assert "minst 4 varamedlemmer" in votes[GAUSDAL]
    for text in votes.values():
        assert "IKS-lov" in text and "§ 6 første ledd" in text
        assert re.search(r"oppn(evner|emner)", text)
        assert "opprette" not in text and "delegerer" not in text


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_names_in_the_case_are_named_and_none_are_invented(tmp_path, language):
    data = form_case("politisk_råd", language)
    copies = data["saksframlegg"]["kommuner"]
    copies[3405] |= {"medlemmer": ["Kari Holm", "Per Dahl", "Ola Berg"],
                     "varamedlemmer": ["Eva Lie", "Nils Moe", "Åse Rud"]}
    votes = resolutions(tmp_path, data)
    assert "Kari Holm, Per Dahl og Ola Berg som medlemmer av representantskapet" in (
        votes[LILLEHAMMER])
    assert "Eva Lie, Nils Moe og Åse Rud som varamedlemmer" in votes[LILLEHAMMER]
    assert "Kari Holm" not in votes[GAUSDAL]  # the others elect theirs by number only


def test_a_service_agreement_under_an_existing_body_neither_creates_nor_elects(tmp_path):
    data = form_case("politisk_råd") | {"dokumenter": ["tjenesteavtale", "saksframlegg"],
                                        "tjeneste": "lønnstjenester"}
    for text in resolutions(tmp_path, data).values():
        assert "opprette" not in text and "representantskapet" not in text


@pytest.mark.parametrize(("form", "copy", "message"), [
    ("politisk_råd", {"medlemmer": ["A", "B"]},
     "medlemmer: 2 name(s), but the agreement gives Lillehammer 3 member(s) of the "
     "representantskap"),
    ("politisk_råd", {"medlemmer": ["A", "B", "C"], "varamedlemmer": ["D"]},
     "varamedlemmer: 1 deputy(ies) for 3 member(s); kommuneloven § 18-3 første ledd asks for "
     "at least 3"),
    ("iks", {"medlemmer": ["A", "B", "C"], "varamedlemmer": ["D", "E", "F"]},
     "IKS-loven § 6 første ledd asks for at least 6"),
    ("vertskommune", {"medlemmer": ["A"]},
     "medlemmer: a vertskommune has no body whose members the councils elect"),
    ("politisk_råd", {"varamedlemmer": ["A"]},
     "varamedlemmer: deputies are named but the members are not"),
    ("politisk_råd-tjenesteavtale", {"medlemmer": ["A", "B", "C"]},
     "medlemmer: only the samarbeidsavtale that establishes the representantskap has the "
     "councils elect its members"),
])
def test_named_members_must_match_the_agreement(tmp_path, form, copy, message):
    form, _, kind = form.partition("-")
    data = form_case(form)
    if kind:
        data |= {"dokumenter": [kind, "saksframlegg"], "tjeneste": "lønnstjenester"}
    data["saksframlegg"]["kommuner"][3405] |= copy
    result = samdok("check", str(write(tmp_path, data)))
    assert result.exit_code == 1, result.output
    assert re.search(r"sak\.yaml:\d+:\d+: saksframlegg\.kommuner\[3405\]\.", result.output)
    assert message in result.output
    assert "hint: " in result.output and "Traceback" not in result.output


# --- who signs ---------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_resolution_authorises_the_person_on_the_signature_page(tmp_path, language):
    data = form_case("vertskommune", language)  # representatives: Kari Holm, Per Dahl
    docs = documents(tmp_path, data)
    agreement = next(d for d in docs if d.kind == "samarbeidsavtale")
    votes = resolutions(tmp_path, data)
    for signatory, number in zip(agreement.signatories, (LILLEHAMMER, GAUSDAL), strict=True):
        assert f"{signatory.title} {signatory.name} fullmakt til å signere" in votes[number]
        assert "Kommunedirektøren får fullmakt" not in votes[number]
    # The phrase is proved in the built PDF, too.
    clause = next(c for c in next(d for d in docs if d.kind == "saksframlegg").clauses
                  if c.id == "forslag_til_vedtak")
    assert "ordfører Kari Holm fullmakt" in clause.evidence


def test_verify_proves_the_delegation_and_the_election(tmp_path):
    # The phrases `samdok verify` looks for in each council's built resolution.
    def evidence(data: dict, number: str) -> tuple[str, ...]:
        document = next(d for d in documents(tmp_path, data)
                        if d.stem == f"saksframlegg-{number}")
        return next(c for c in document.clauses if c.id == "forslag_til_vedtak").evidence

    assert "§ 20-2 andre ledd" in evidence(form_case("vertskommune"), GAUSDAL)
    assert not any("§ 20-2" in e for e in evidence(form_case("vertskommune"), LILLEHAMMER))
    committee = evidence(form_case("vertskommune_med_nemnd", "nn"), GAUSDAL)
    assert {"§ 20-3 andre ledd", "§ 20-3 tredje ledd"} <= set(committee)
    assert "IKS-lova § 6 første ledd" in evidence(form_case("iks", "nn"), ØYER)


def test_without_a_named_representative_the_chief_executive_is_authorised(tmp_path):
    data = form_case("politisk_råd")  # its parties name no representative
    agreement = next(d for d in documents(tmp_path, data) if d.kind == "samarbeidsavtale")
    assert all(not s.name for s in agreement.signatories)
    for text in resolutions(tmp_path, data).values():
        assert "Kommunedirektøren får fullmakt til å signere" in text


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_resolutions_no_longer_claim_identical_decisions(tmp_path, language):
    # Host and samarbeidskommune decide different things, so «likelydende» would be false.
    for text in resolutions(tmp_path, form_case("vertskommune", language)).values():
        assert "likelyd" not in text
        assert re.search(r"(også|òg) godkjenner avtalen", text)


def test_the_example_submission_follows_the_rules(tmp_path):
    data = yaml_data((EXAMPLES / "barnevern-lillehammer-gausdal.yaml").read_text("utf-8"))
    votes = resolutions(tmp_path, data)
    assert "ordfører Anne Berit Lunde fullmakt" in votes[LILLEHAMMER]
    assert "§ 20-2 andre ledd" in votes[GAUSDAL] and "§ 20-2" not in votes[LILLEHAMMER]


# --- the service agreement's texts -------------------------------------------------------

def service_text(tmp_path: Path, form: str, language: str) -> str:
    data = yaml_data((FIXTURES / "former" / f"{form}.yaml").read_text(encoding="utf-8"))
    data |= {"dokumenter": ["tjenesteavtale"], "tjeneste": "lønnstjenester",
             "språk": language}
    return flat(markdown(documents(tmp_path, data)[0]))


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_instruction_heading_only_where_there_is_a_host(tmp_path, language):
    for form in ("vertskommune", "vertskommune_med_nemnd"):
        assert "Rapportering og instruksjon" in service_text(tmp_path, form, language)
    for form in ("tjenestekjøp", "iks", "politisk_råd", "oppgavefellesskap", "rammeavtale"):
        text = service_text(tmp_path, form, language)
        assert "instruksjon" not in text and "instruks" not in text, form
        assert re.search(r"## \d+\. Rapportering ", text), form


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_dissolution_by_cost_key_never_overrides_the_statutes(tmp_path, language):
    iks = service_text(tmp_path, "iks", language)
    assert "nøkkelen som kostnadene" not in iks
    assert "§§ 32–36" in iks
    for form, section, noun in (("politisk_råd", "§ 18-2", "råd"),
                                ("oppgavefellesskap", "§ 19-2", "fellesskap")):
        text = service_text(tmp_path, form, language)
        dissolution = text.split("Oppl")[-1]
        assert section in dissolution and noun in dissolution, form
        assert re.search(r"gjelder bare mellom deltakerkommunene|gjeld berre mellom "
                         r"deltakarkommunane", dissolution), form
    for form in ("vertskommune", "tjenestekjøp"):
        text = service_text(tmp_path, form, language)
        # The parties' own choice: no statute decides the split in these forms.
        assert re.search(r"Deltak(erkommunene|arkommunane) avtaler at (eiendeler|eigedelar)",
                         text), form


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_employer_clause_states_no_unchecked_law(tmp_path, language):
    text = service_text(tmp_path, "vertskommune", language)
    assert "arbeidsmiljøl" not in text and "virksomhetsoverdrag" not in text
    assert "verksemdsoverdrag" not in text
    assert re.search(r"avtaler deltak(erkommunene|arkommunane) særskilt", text)


def test_no_clause_text_cites_the_employment_act_or_forbidden_files() -> None:
    root = templates_dir() / "klausuler"
    for path in root.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert "arbeidsmiljøl" not in text, path.name
        assert "likelydende vedtak i {%" not in text and "likelydande vedtak i {%" not in text


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_task_clause_fits_the_form(tmp_path, language):
    # With a joint committee every council delegates to the committee (kommuneloven § 20-3
    # andre ledd), not the samarbeidskommuner to the host; a political council's list is of
    # the matters it may deal with (§ 18-4 fjerde ledd bokstav d).
    committee = service_text(tmp_path, "vertskommune_med_nemnd", language)
    assert "Samarbeidskommun" not in committee
    assert re.search(r"kvar deltakarkommune til den felles folkevalde nemnda|hver "
                     r"deltakerkommune til den felles folkevalgte nemnda", committee)
    council = service_text(tmp_path, "politisk_råd", language)
    assert re.search(r"Rådet kan (behandle|handsame) desse sakene|Rådet kan behandle disse "
                     r"sakene", council)
