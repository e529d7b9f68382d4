"""Required clauses prove substance, not one shape: commencement as a date, «vedtatt» or a date
conditional on adoption; exit as a notice period, the law's default (with its citation) or
text; economy as principles without amounts. Each shape composes in bokmål and nynorsk,
says the right thing, and holds every phrase `samdok verify` will look for (what `check`
predicts); no resolution states a date or an amount the agreement does not have."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from generator.compose.document import Table
from generator.compose.enrich import compose
from generator.model import decisions
from generator.model.case import load_case
from generator.model.commencement import effective_date
from generator.pdf.foresee import clause_text, unshown
from generator.pdf.verify import normalise
from tests.helpers import FIXTURES, ROOT, invoke, write_case

TEMPLATES = ROOT / "templates"
FORMS = FIXTURES / "former"

SUBMISSION = """\
saksframlegg:
  sammendrag: Kommunene inngår en avtale om samarbeid.
  saksopplysninger: Avtalen er forhandlet fram av kommunedirektørene.
  vurdering: Kommunedirektøren anbefaler avtalen.
  kommuner:
    3405:
      arkivsak: 2026/1
      saksbehandler: Kari Nordmann
      dato: 2026-11-01
      behandling:
        - {utvalg: Formannskapet, møtedato: 2026-11-26}
        - {utvalg: Kommunestyret, møtedato: 2026-12-10}
    3441:
      arkivsak: 26/2
      saksbehandler: Ola Nordmann
      dato: 2026-11-02
      behandling:
        - {utvalg: Kommunestyret, møtedato: 2027-01-14}
"""

PRINCIPLES = """\
økonomi:
  prinsipper:
    - Hver deltakerkommune betaler et grunnbeløp, som fastsettes senere, og resten etter folketall.
    - Budsjettet for hvert område fastsettes i tjenesteavtalen for området.
"""


def _case(form: str = "vertskommune", *, language: str = "nb", commencement: str | None = None,
          withdrawal: str | None = None, economy: str | None = None,
          submission: bool = False) -> str:
    """A complete case of the form (tests/cases/former), with the shapes given replacing its
    own lines."""
    text = (FORMS / f"{form}.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^id: .*\n", "", text, flags=re.M)
    if language == "nn":
        text = text.replace("samarbeidsform:", "språk: nn\nsamarbeidsform:", 1)
    if commencement is not None:
        text = re.sub(r"^ikrafttredelse: .*$", f"ikrafttredelse: {commencement}", text,
                      flags=re.M)
    if withdrawal is not None:
        text = re.sub(r"^uttreden: .*$", f"uttreden: {withdrawal}", text, flags=re.M)
    if economy is not None:
        text = re.sub(r"^økonomi:\n(?:  .*\n)*", economy, text, flags=re.M)
    if submission:
        text = text.replace("samarbeidsform:", "dokumenter: [samarbeidsavtale, saksframlegg]\n"
                            "samarbeidsform:", 1) + SUBMISSION
    return text


def _documents(tmp_path: Path, text: str, name: str = "sak.yaml"):
    loaded = load_case(write_case(tmp_path, name, text))
    return loaded, compose(loaded, TEMPLATES)


def _said(document, clause_id: str) -> str:
    return normalise(clause_text(document.clause(clause_id)))


# --- commencement ------------------------------------------------------------------------

COMMENCEMENT = {
    # shape: (case-file value, nb sentence, nn sentence)
    "date": ("2027-03-01",
             "Avtalen trer i kraft 1. mars 2027, forutsatt at den er vedtatt av kommunestyret i "
             "hver av deltakerkommunene.",
             "Avtalen tek til å gjelde 1. mars 2027, føresett at kommunestyret i kvar av "
             "deltakarkommunane har vedteke han."),
    "on adoption": ("vedtatt",
                    "Avtalen trer i kraft når kommunestyret i hver av deltakerkommunene har "
                    "vedtatt den.",
                    "Avtalen tek til å gjelde når kommunestyret i kvar av deltakarkommunane har "
                    "vedteke han."),
    "date on adoption": ("{dato: 2027-03-01, vilkår: vedtatt}",
                         "Avtalen trer i kraft 1. mars 2027, men ikke før kommunestyret i hver "
                         "av deltakerkommunene har vedtatt den. Har ikke alle kommunestyrene "
                         "vedtatt den innen denne datoen, trer den i kraft den dagen det siste "
                         "vedtaket blir gjort.",
                         "Avtalen tek til å gjelde 1. mars 2027, men ikkje før kommunestyret i "
                         "kvar av deltakarkommunane har vedteke han. Har ikkje alle kommunestyra "
                         "vedteke han innan denne datoen, tek han til å gjelde den dagen det "
                         "siste vedtaket vert gjort."),
}
# What each council's resolution says of it: no date where the agreement has none.
RESOLUTION = {
    "date": ("Avtalen trer i kraft 1. mars 2027.", "Avtalen tek til å gjelde 1. mars 2027."),
    "on adoption": ("Avtalen trer i kraft når kommunestyret i hver av deltakerkommunene har "
                    "vedtatt den.",
                    "Avtalen tek til å gjelde når kommunestyret i kvar av deltakarkommunane har "
                    "vedteke han."),
    "date on adoption": ("Avtalen trer i kraft 1. mars 2027, men ikke før kommunestyret i hver "
                         "av deltakerkommunene har vedtatt den.",
                         "Avtalen tek til å gjelde 1. mars 2027, men ikkje før kommunestyret i "
                         "kvar av deltakarkommunane har vedteke han."),
}


@pytest.mark.parametrize("language", ["nb", "nn"])
@pytest.mark.parametrize("shape", list(COMMENCEMENT))
def test_commencement_shapes_say_when_and_hold_what_verify_needs(tmp_path, shape, language):
    value, nb, nn = COMMENCEMENT[shape]
    loaded, documents = _documents(tmp_path, _case(commencement=value, language=language,
                                                   submission=True))
    agreement, submissions = documents[0], documents[1:]
    assert (nb if language == "nb" else nn) in _said(agreement, "ikrafttredelse")
    resolution = RESOLUTION[shape][0 if language == "nb" else 1]
    for submission in submissions:
        said = _said(submission, "forslag_til_vedtak")
        assert resolution in said
        if shape == "on adoption":
            assert not re.search(r"\d{4}", said.split("trer i kraft")[-1]
                                 .split("tek til å gjelde")[-1])
    assert unshown(loaded, documents) == []


def test_on_adoption_and_without_amounts_the_resolution_states_no_date_and_no_figure(
        tmp_path):
    _, documents = _documents(tmp_path, _case(commencement="vedtatt", economy=PRINCIPLES,
                                              submission=True))
    for submission in documents[1:]:
        said = _said(submission, "forslag_til_vedtak")
        assert not re.search(r"\d{4}|\d %|kr \d", said), said


def test_the_date_once_adoptions_are_recorded(tmp_path):
    def case(value: str):
        return load_case(write_case(tmp_path, "d.yaml", _case(commencement=value))).case

    fixed, adoption = case("2027-03-01"), case("vedtatt")
    conditional = case("{dato: 2027-03-01, vilkår: vedtatt}")
    late, early = dt.date(2027, 4, 2), dt.date(2027, 2, 1)
    assert effective_date(fixed, None) == effective_date(fixed, late) == dt.date(2027, 3, 1)
    assert effective_date(adoption, None) is None
    assert effective_date(adoption, late) == late
    assert effective_date(conditional, None) is None
    assert effective_date(conditional, early) == dt.date(2027, 3, 1)
    assert effective_date(conditional, late) == late
    # The fixed date stays what code that needs a date reads.
    assert fixed.commencement == conditional.commencement == dt.date(2027, 3, 1)
    assert adoption.commencement is None


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_on_adoption_the_agreement_is_filled_with_the_date_once_adoptions_are_recorded(
        tmp_path, monkeypatch, language):
    monkeypatch.setattr(decisions, "clock", lambda: dt.date(2027, 2, 1))
    text = _case(commencement="vedtatt", submission=True, language=language)
    for date in ("2026-12-10", "2027-01-14"):
        text = text.replace(f"møtedato: {date}}}", f"møtedato: {date}, vedtak: vedtatt}}")
    loaded, documents = _documents(tmp_path, text)
    filled = ("Avtalen trer i kraft når kommunestyret i hver av deltakerkommunene har vedtatt "
              "den. Det siste vedtaket ble gjort 14. januar 2027, og avtalen gjelder fra denne "
              "dagen." if language == "nb" else
              "Avtalen tek til å gjelde når kommunestyret i kvar av deltakarkommunane har "
              "vedteke han. Det siste vedtaket vart gjort 14. januar 2027, og avtalen gjeld frå "
              "denne dagen.")
    assert filled in _said(documents[0], "ikrafttredelse")
    # The resolutions stay what the councils were asked to adopt: no date filled in.
    for submission in documents[1:]:
        assert "14. januar 2027" not in _said(submission, "forslag_til_vedtak")
    assert decisions.standing(loaded.case).effective == dt.date(2027, 1, 14)
    assert unshown(loaded, documents) == []


def test_a_fixed_date_before_the_last_council_meeting_is_a_located_warning(tmp_path):
    text = _case(commencement="2027-01-01", submission=True)
    write_case(tmp_path, "sak.yaml", text)
    line = text.splitlines().index("ikrafttredelse: 2027-01-01") + 1
    result = invoke("check", "sak.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (f"sak.yaml:{line}:17: ikrafttredelse: warning: takes effect on 2027-01-01, before "
            "Kommunestyret in Gausdal kommune meets on 2027-01-14 to adopt the agreement"
            in result.stderr)
    assert "hint: write 'ikrafttredelse: {dato: 2027-01-01, vilkår: vedtatt}'" in result.stderr
    assert invoke("check", "--strict", "sak.yaml", cwd=tmp_path).returncode == 1


@pytest.mark.parametrize("value", ["2027-01-14", "2027-02-01", "vedtatt",
                                   "{dato: 2027-01-01, vilkår: vedtatt}"])
def test_no_warning_when_the_date_waits_for_the_meetings(tmp_path, value):
    write_case(tmp_path, "sak.yaml", _case(commencement=value, submission=True))
    result = invoke("check", "--strict", "sak.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr


@pytest.mark.parametrize("value, message", [
    ("vedtat", "ikrafttredelse: expected a date, got 'vedtat'\n    hint: did you mean "
               "'vedtatt'?"),
    ("1. januar 2027", "ikrafttredelse: expected a date, got '1. januar 2027'\n    hint: write "
                       "dates as YYYY-MM-DD, e.g. 2027-01-01; or 'vedtatt' when"),
    ("{}", "ikrafttredelse: needs 'dato', 'vilkår: vedtatt' or both"),
    ("{dato: 2027-01-01, vilkår: ja}", "ikrafttredelse.vilkår: 'ja' is not one of 'vedtatt'"),
])
def test_a_commencement_in_no_shape_is_a_located_error(tmp_path, value, message):
    write_case(tmp_path, "sak.yaml", _case(commencement=value))
    result = invoke("check", "sak.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert message in result.stderr and "hint: " in result.stderr
    assert "Traceback" not in result.stderr


# --- exit --------------------------------------------------------------------------------

EXIT = {
    # (form, case-file value): (nb sentence, nn sentence)
    ("vertskommune", "{lov: true}"): (
        "En deltakerkommune kan si opp avtalen med ett års varsel, jf. kommuneloven § 20-8 "
        "andre ledd.",
        "Ein deltakarkommune kan seie opp avtalen med eitt års varsel, jf. kommunelova § 20-8 "
        "andre ledd."),
    ("vertskommune_med_nemnd", "{lov: true, virkning: 1. januar}"): (
        "En deltakerkommune kan si opp avtalen med ett års varsel, jf. kommuneloven § 20-8 "
        "andre ledd. Uttreden får virkning fra 1. januar.",
        "Ein deltakarkommune kan seie opp avtalen med eitt års varsel, jf. kommunelova § 20-8 "
        "andre ledd. Uttredinga får verknad frå 1. januar."),
    ("iks", "{lov: true}"): (
        "En deltaker kan si opp sitt deltakerforhold i selskapet med ett års skriftlig varsel "
        "og kreve seg utløst, jf. IKS-loven § 30 første ledd.",
        "Ein deltakar kan seie opp deltakartilhøvet sitt i selskapet med eitt års skriftleg "
        "varsel og krevje seg utløyst, jf. IKS-lova § 30 første ledd."),
    ("rammeavtale", "{tekst: Uttreden reguleres i tjenesteavtalen for hvert område.}"): (
        "Uttreden reguleres i tjenesteavtalen for hvert område.",
        "Uttreden reguleres i tjenesteavtalen for hvert område."),
    ("politisk_råd", "{oppsigelsestid_måneder: 6}"): (
        "Oppsigelsestiden er 6 måneder.", "Oppseiingstida er 6 månader."),
}


@pytest.mark.parametrize("language", ["nb", "nn"])
@pytest.mark.parametrize("form, value", list(EXIT))
def test_exit_shapes_say_how_and_hold_what_verify_needs(tmp_path, form, value, language):
    loaded, documents = _documents(tmp_path, _case(form, withdrawal=value, language=language))
    said = _said(documents[0], "inntreden_og_uttreden")
    assert EXIT[(form, value)][0 if language == "nb" else 1] in said
    if "tekst" in value:  # no notice period the agreement does not have
        assert "Oppsigelsestid" not in said and "varsel" not in said
    assert unshown(loaded, documents) == []


@pytest.mark.parametrize("form", ["politisk_råd", "oppgavefellesskap", "tjenestekjøp",
                                  "rammeavtale"])
def test_the_laws_default_where_the_law_sets_none_is_an_error(tmp_path, form):
    write_case(tmp_path, "sak.yaml", _case(form, withdrawal="{lov: true}"))
    result = invoke("check", "sak.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert (f"uttreden.lov: the law sets no default notice period for withdrawal from "
            f"'{form}'") in result.stderr
    assert ("hint: write 'oppsigelsestid_måneder: N', or say in 'tekst' how a participant "
            "withdraws") in result.stderr
    assert "Traceback" not in result.stderr


def test_ikslovens_default_is_for_the_company_agreement_only(tmp_path):
    # A service agreement under an existing IKS is not the selskapsavtale § 30 speaks of.
    text = _case("iks", withdrawal="{lov: true}").replace(
        "samarbeidsform: iks", "dokumenter: [tjenesteavtale]\ntjeneste: renovasjon\n"
        "samarbeidsform: iks")
    write_case(tmp_path, "sak.yaml", text)
    result = invoke("check", "sak.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert ("uttreden.lov: IKS-loven § 30 første ledd sets the default for withdrawal from the "
            "agreement that establishes the cooperation (samarbeidsavtale)") in result.stderr


@pytest.mark.parametrize("value, message", [
    ("{}", "uttreden: says nothing about how a participant withdraws"),
    ("{oppsigelsestid_måneder: 12, lov: true}",
     "uttreden: gives both a notice period and 'lov: true'"),
    ("{virkning: 1. januar, tekst: Etter avtale.}",
     "uttreden: 'virkning' needs a notice period or 'lov: true'"),
    # Only a YAML true is a yes: a quoted 'true' or «ja» would otherwise say nothing.
    ("{lov: 'true'}", "uttreden.lov: expected true or false, got 'true'"),
    ("{lov: ja}", "uttreden.lov: expected true or false, got 'ja'"),
])
def test_an_exit_in_no_shape_is_a_located_error(tmp_path, value, message):
    write_case(tmp_path, "sak.yaml", _case(withdrawal=value))
    result = invoke("check", "sak.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert message in result.stderr and "hint: " in result.stderr


# --- economy -----------------------------------------------------------------------------

ECONOMY = {
    "principles": (PRINCIPLES, "For økonomien i samarbeidet gjelder disse prinsippene: "
                   "– Hver deltakerkommune betaler et grunnbeløp, som fastsettes senere, og "
                   "resten etter folketall.",
                   "For økonomien i samarbeidet gjeld desse prinsippa: – Hver deltakerkommune "
                   "betaler et grunnbeløp, som fastsettes senere, og resten etter folketall."),
    "text": ("økonomi:\n  tekst: Budsjett og kostnader avtales i tjenesteavtalene.\n",
             "Budsjett og kostnader avtales i tjenesteavtalene.",
             "Budsjett og kostnader avtales i tjenesteavtalene."),
}


@pytest.mark.parametrize("language", ["nb", "nn"])
@pytest.mark.parametrize("shape", list(ECONOMY))
def test_economy_without_amounts_has_no_table_and_no_figure(tmp_path, shape, language):
    value, nb, nn = ECONOMY[shape]
    loaded, documents = _documents(tmp_path, _case(economy=value, language=language,
                                                   submission=True))
    clause = documents[0].clause("økonomi")
    said = _said(documents[0], "økonomi")
    assert (nb if language == "nb" else nn) in said
    assert not any(isinstance(block, Table) for block in clause.blocks)
    assert "Kostnadene" not in said and "%" not in said and "kr" not in said.split()
    for submission in documents[1:]:
        resolution = _said(submission, "forslag_til_vedtak")
        assert "Kostnadene" not in resolution and "%" not in resolution
        assert not re.search(r"kr \d|\d %", resolution), resolution
        assert not any(isinstance(block, Table) for clause in submission.clauses
                       for block in clause.blocks)
        assert ("binder ikke kommunen til noe beløp" if language == "nb"
                else "bind ikkje kommunen til noko beløp") in _said(submission, "vurdering")
    assert unshown(loaded, documents) == []


def test_a_cost_key_still_gives_its_table_and_each_councils_share(tmp_path):
    # The old shape is unchanged: a key and a budget, a table, a share and an amount.
    _, documents = _documents(tmp_path, _case(submission=True))
    assert any(isinstance(b, Table) for b in documents[0].clause("økonomi").blocks)
    assert re.search(r"For Lillehammer kommune er andelen [\d,]+ %, som gir kr [\d\s\u00a0]+",
                     _said(documents[1], "forslag_til_vedtak"))


@pytest.mark.parametrize("value, message", [
    ("økonomi:\n  budsjett: {2027: 1000000}\n  tekst: Etter avtale.\n",
     "økonomi: a budget needs 'fordeling' (the cost key that divides it)"),
    ("økonomi: {}\n", "økonomi: the economy clause needs 'fordeling', 'prinsipper' or 'tekst'"),
])
def test_an_economy_with_nothing_to_state_or_a_budget_without_a_key_is_an_error(
        tmp_path, value, message):
    write_case(tmp_path, "sak.yaml", _case(economy=value))
    result = invoke("check", "sak.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert message in result.stderr and "hint: " in result.stderr


def test_a_clause_that_drops_the_shapes_words_is_caught_by_check(tmp_path):
    # check predicts verify for the new shapes too: a replacement text without the words
    # «when every council has adopted it» fails before anything is built.
    text = _case(commencement="vedtatt") + (
        "klausuler:\n  ikrafttredelse:\n    tekst: Avtalen gjelder straks.\n")
    write_case(tmp_path, "sak.yaml", text)
    result = invoke("check", "sak.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert ("does not say 'kommunestyret i hver av deltakerkommunene har vedtatt den', which "
            "samdok verify requires in it") in result.stderr
