"""Official names: each municipality «… kommune» in the form the case chooses (navneform), in
the parties clause, on the signature page, in each council's resolution and in its head, with
Sami-language municipalities, in bokmål and nynorsk."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.base.project import templates_dir
from generator.compose.enrich import compose
from generator.compose.names import PLACES, municipality_name, official_form
from generator.model import register
from generator.model.case import load_case
from tests.helpers import write_case

# Snåsa (South Sami first), Karasjok and Tana (North Sami first), Askvoll (one form only)
# and Herøy in Nordland (SSB adds the county to tell it from Herøy in Møre og Romsdal).
PARTIES = {"5041": ("Snåase - Snåsa", "Snåsa"), "5610": ("Kárášjohka - Karasjok", "Karasjok"),
           "5628": ("Deatnu - Tana", "Tana"), "4645": ("Askvoll", "Askvoll"),
           "1818": ("Herøy", "Herøy")}


def case_text(language: str, name_form: str | None) -> str:
    copies = "".join(
        f"    '{n}': {{arkivsak: 27/{i}, saksbehandler: A, dato: 2027-01-02, "
        f"behandling: [{{utvalg: Kommunestyret, møtedato: 2027-02-01}}]}}\n"
        for i, n in enumerate(PARTIES, start=1))
    return (f"språk: {language}\n" + (f"navneform: {name_form}\n" if name_form else "")
            + "tittel: Felles lønningskontor\nsamarbeidsform: vertskommune\n"
            "dokumenter: [samarbeidsavtale, saksframlegg]\nvertskommune: '5628'\n"
            "parter:\n" + "".join(f"  - kommune: '{n}'\n" for n in PARTIES)
            + "formål: Felles lønningskontor.\noppgaver: [Lønnskjøring.]\n"
            "økonomi: {fordeling: {nøkkel: likt}}\ninntreden: Etter vedtak.\n"
            "uttreden: {oppsigelsestid_måneder: 6}\noppløsning: Etter vedtak.\n"
            "ikrafttredelse: 2027-01-01\n"
            "saksframlegg:\n  sammendrag: S.\n  saksopplysninger: O.\n  vurdering: V.\n"
            "  kommuner:\n" + copies)


def documents(tmp_path: Path, language: str, name_form: str | None):
    path = write_case(tmp_path, "c.yaml", case_text(language, name_form))
    agreement, *submissions = compose(load_case(path), templates_dir())
    return agreement, {d.file_stem.removeprefix("saksframlegg-"): d for d in submissions}


def text(document, clause_id: str) -> str:
    return " ".join(b.text for b in document.clause(clause_id).blocks)


@pytest.mark.parametrize("language", ["nb", "nn"])
@pytest.mark.parametrize("name_form", [None, "offisiell", "norsk"])
def test_every_place_names_each_municipality_in_the_chosen_form(
        tmp_path: Path, language: str, name_form: str | None) -> None:
    agreement, submissions = documents(tmp_path, language, name_form)
    index = 1 if name_form == "norsk" else 0  # offisiell is the default
    chosen = {n: f"{forms[index]} kommune" for n, forms in PARTIES.items()}
    official = {n: f"{forms[0]} kommune" for n, forms in PARTIES.items()}

    # The parties clause: the opening sentence and the list, and what verify looks for.
    parties = agreement.clause("parter")
    items = [b.text for b in parties.blocks[1:]]
    assert [item.split(" (")[0] for item in items] == list(chosen.values())
    assert "Snåase" in parties.blocks[0].text or name_form == "norsk"
    assert list(parties.evidence[:len(PARTIES)]) == list(chosen.values())
    # The signature page.
    assert [s.party for s in agreement.signatories] == list(chosen.values())
    # Running text that names the host as «… kommune» names it the same way.
    assert f"{chosen['5628']} er vertskommune" in text(agreement, "organisering")
    for number, submission in submissions.items():
        # Each council's own head: always its official form, «… kommune» for every council.
        assert submission.header["kommune"] == official[number]
        resolution = text(submission, "forslag_til_vedtak")
        assert resolution.startswith(f"Kommunestyret i {chosen[number]} godkjenner")
        others = [name for n, name in chosen.items() if n != number]
        assert all(name in resolution for name in others), resolution
    # The cost table keeps the short Norwegian names.
    table = agreement.clause("økonomi").blocks[-1]
    assert [row[0] for row in table.rows] == [forms[1] for forms in PARTIES.values()]


def test_no_head_lacks_kommune(tmp_path: Path) -> None:
    # «Snåase - Snåsa» beside «Askvoll kommune» was the inconsistency: every head reads alike.
    _, submissions = documents(tmp_path, "nb", None)
    heads = [d.header["kommune"] for d in submissions.values()]
    assert heads == ["Snåase - Snåsa kommune", "Kárášjohka - Karasjok kommune",
                     "Deatnu - Tana kommune", "Askvoll kommune", "Herøy kommune"]


@pytest.mark.parametrize("number", ["5041", "5610", "5628", "5636", "5025", "4645", "1818",
                                    "1515", "0301"])
def test_the_name_for_each_place(number: str) -> None:
    m = register.lookup(number)
    official = f"{official_form(m)} kommune"
    assert "(" not in official  # never SSB's county qualifier
    assert official.startswith(m.official_name.split(" (")[0])
    for place in PLACES:
        assert municipality_name(m, place) == official
        assert municipality_name(m, place, "offisiell") == official
        expected = official if place == "hode" else f"{m.name} kommune"
        assert municipality_name(m, place, "norsk") == expected


def test_an_unknown_place_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown place 'topp'"):
        municipality_name(register.lookup("5041"), "topp")


def test_a_wrong_name_form_is_located(tmp_path: Path) -> None:
    from tests.helpers import invoke

    write_case(tmp_path, "cases/c.yaml", case_text("nb", "samisk"))
    result = invoke("check", "cases/c.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert "cases/c.yaml:2:12: navneform: 'samisk' is not one of 'offisiell' or 'norsk'" \
        in result.stderr
