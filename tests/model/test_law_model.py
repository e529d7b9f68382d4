"""The case model states every statutory item: per-form minimal cases hold exactly the items
and samdok's four clauses, each item's absence is reported with its citation, the name rules
accept the statute's alternatives only, and each form's list binds the documents the law binds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from generator.model import rules
from tests.helpers import FIXTURES, invoke, yaml_data

LOV = FIXTURES / "lov"
FORMS = ["politisk_råd", "oppgavefellesskap", "vertskommune", "vertskommune_med_nemnd", "iks",
         "tjenestekjøp", "rammeavtale"]
# Keys every case has that are not agreement content: what samdok needs to build it.
META = {"id", "tittel", "samarbeidsform"}
YAML_ = YAML(typ="safe", pure=True)


def text_of(form: str) -> str:
    return (LOV / f"{form}.yaml").read_text(encoding="utf-8")


def check(tmp_path: Path, text: str, *args: str):
    path = tmp_path / "sak.yaml"
    path.write_text(text, encoding="utf-8")
    return invoke("check", "--strict", *args, str(path), cwd=tmp_path)


def without(text: str, key: str) -> str:
    """The case text with one top-level key (and its indented block) removed."""
    out, skipping = [], False
    for line in text.splitlines(keepends=True):
        if re.match(rf"{re.escape(key)}:", line):
            skipping = True
            continue
        if skipping and (line.startswith((" ", "\t")) or not line.strip()):
            continue
        skipping = False
        out.append(line)
    return "".join(out)


def items(form: str) -> list[str]:
    """The top-level keys of the minimal case that are agreement content."""
    return [k for k in yaml_data(text_of(form)) if k not in META]


# --- 4./7. one minimal case per form: the statutory items, the four clauses, nothing more --

@pytest.mark.parametrize("form", FORMS)
def test_the_minimal_case_passes_strict_check_without_a_warning(tmp_path, form):
    result = check(tmp_path, text_of(form))
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr + result.stdout


@pytest.mark.parametrize("form", FORMS)
def test_the_minimal_case_holds_exactly_the_required_items(form):
    data = yaml_data(text_of(form))
    required = {r.field.split(".")[0] for r in rules.enforced("samarbeidsavtale", form, data)}
    # `parter` is required of every case (at least two); a statute lists it for some forms.
    assert set(items(form)) - {"parter"} == required - {"parter"}
    own = {r.clause for r in rules.enforced("samarbeidsavtale", form, data)
           if r.citation("rammeavtale").startswith(rules.SAMDOK)}
    assert own == {"formål", "økonomi", "inntreden_og_uttreden", "ikrafttredelse"}


CASES = [(form, key) for form in FORMS for key in items(form)]


@pytest.mark.parametrize(("form", "key"), CASES, ids=[f"{f}-{k}" for f, k in CASES])
def test_removing_an_item_fails_naming_its_citation(tmp_path, form, key):
    data = yaml_data(text_of(form))
    citations = {r.citation(form) for r in rules.enforced("samarbeidsavtale", form, data)
                 if r.field.split(".")[0] == key}
    result = check(tmp_path, without(text_of(form), key))
    assert result.returncode == 1, result.stderr
    if not citations:  # parter where no statute lists it: the model requires it
        assert f"{key}: required field is missing" in result.stderr
        return
    lines = [line for line in result.stderr.splitlines() if f"{key}: missing — " in line]
    assert len(lines) == 1, result.stderr
    assert any(f"missing — {citation}: " in lines[0] for citation in citations), lines[0]


def test_parties_missing_from_a_host_case_cite_the_statute(tmp_path):
    result = check(tmp_path, without(text_of("vertskommune"), "parter"))
    assert "parter: missing — kommuneloven § 20-4 tredje ledd bokstav a" in result.stderr
    assert "required field is missing" not in result.stderr  # said once, with its citation


# --- 1. the new keys: values, located errors, texts in both languages ---------------------

def samdok_text(tmp_path: Path, text: str) -> str:
    path = tmp_path / "sak.yaml"
    path.write_text(text, encoding="utf-8")
    result = invoke("text", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return " ".join(result.stdout.split())


@pytest.mark.parametrize(("value", "nb", "nn"), [
    ("ja", "Rådet er et eget rettssubjekt.", "Rådet er eit eige rettssubjekt."),
    ("nei", "Rådet er ikke et eget rettssubjekt.", "Rådet er ikkje eit eige rettssubjekt."),
    ("true", "Rådet er et eget rettssubjekt.", "Rådet er eit eige rettssubjekt."),
])
def test_own_legal_entity_is_said_either_way(tmp_path, value, nb, nn):
    text = text_of("politisk_råd").replace("eget_rettssubjekt: nei", f"eget_rettssubjekt: {value}")
    assert nb in samdok_text(tmp_path, text)
    assert nn in samdok_text(tmp_path, "språk: nn\n" + text)


@pytest.mark.parametrize("value", ["kanskje", "1", "yes", "[ja]"])
def test_own_legal_entity_takes_ja_or_nei_only(tmp_path, value):
    text = text_of("oppgavefellesskap").replace("eget_rettssubjekt: ja",
                                                f"eget_rettssubjekt: {value}")
    result = check(tmp_path, text)
    assert result.returncode == 1
    assert re.search(r"sak\.yaml:\d+:\d+: eget_rettssubjekt: expected ja or nei", result.stderr), \
        result.stderr
    assert "Traceback" not in result.stderr


def test_the_transfer_may_be_a_date_or_a_text_never_forced(tmp_path):
    host = text_of("vertskommune")
    assert ("Oppgavene og myndigheten overføres når alle kommunestyrene har vedtatt avtalen."
            in samdok_text(tmp_path, host))
    dated = host.replace("overføring: når alle kommunestyrene har vedtatt avtalen",
                         "overføring: 2027-03-01")
    assert "Oppgavene og myndigheten overføres fra 1. mars 2027." in samdok_text(tmp_path, dated)
    assert "vert overførte frå 1. mars 2027." in samdok_text(tmp_path, "språk: nn\n" + dated)
    # A full stop written in the case is not doubled.
    stop = host.replace("vedtatt avtalen", "vedtatt avtalen.")
    assert "vedtatt avtalen.." not in samdok_text(tmp_path, stop)
    bad = host.replace("overføring: når alle kommunestyrene har vedtatt avtalen",
                       "overføring: 2027-02-30")
    result = check(tmp_path, bad)
    assert result.returncode == 1 and "overføring" in result.stderr
    assert "not a real date" in result.stderr


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_notification_archives_and_deficit_are_printed(tmp_path, language):
    host = samdok_text(tmp_path, f"språk: {language}\n" + text_of("vertskommune"))
    assert ("Av vertskommunens vedtak skal deltakerkommunene underrettes om vedtak som gjelder "
            "innbyggere i samarbeidskommunen." if language == "nb" else
            "Av vedtaka til vertskommunen skal deltakarkommunane underrettast om vedtak som "
            "gjelder innbyggere i samarbeidskommunen.") in host
    council = text_of("politisk_råd") + "merforbruk: Gausdal dekker ikke merforbruk.\n"
    text = samdok_text(tmp_path, f"språk: {language}\n" + council)
    assert ("Ansvaret for at rådets arkiver blir oppbevart etter at rådet er oppløst, ligger "
            "hos Lillehammer kommune." if language == "nb" else
            "Ansvaret for at arkiva til rådet vert oppbevarte etter at rådet er oppløyst, ligg "
            "hos Lillehammer kommune.") in text
    assert "§ 14-12 fjerde ledd: Gausdal dekker ikke merforbruk." in text
    assert "Rådet har ikke myndighet til å treffe vedtak" in text


def test_a_key_for_another_form_is_a_warning(tmp_path):
    text = text_of("iks") + "eget_rettssubjekt: nei\nunderretning: alle vedtak\n"
    result = check(tmp_path, text)
    assert result.returncode == 1  # --strict: warnings fail
    assert "'eget_rettssubjekt' has no effect for samarbeidsform 'iks'" in result.stderr
    assert "'underretning' has no effect for samarbeidsform 'iks'" in result.stderr
    assert "kommuneloven § 20-4 tredje ledd bokstav e" in result.stderr
    assert invoke("check", str(tmp_path / "sak.yaml"), cwd=tmp_path).returncode == 0
    assert "et eget rettssubjekt" not in samdok_text(tmp_path, text)


# IKS board: a number or a range (IKS-loven § 4 tredje ledd nr. 5), at least 3, or 5 / 7 with
# employee-elected members (§ 10 første ledd).
BOARD = [
    ("{medlemmer: 3}", None),
    ("{laveste: 3, høyeste: 7}", None),
    ("{medlemmer: 5, ansattevalgte: åttende ledd}", None),
    ("{medlemmer: 7, ansattevalgte: tiende ledd}", None),
    ("{medlemmer: 2}", "at least 3 members (IKS-loven § 10 første ledd)"),
    ("{medlemmer: 4, ansattevalgte: niende ledd}", "at least 5 members"),
    ("{laveste: 5, høyeste: 9, ansattevalgte: tiende ledd}", "at least 7 members"),
    ("{medlemmer: 5, laveste: 3, høyeste: 7}", "not both (IKS-loven § 4 tredje ledd nr. 5)"),
    ("{laveste: 3}", "a range needs both"),
    ("{laveste: 5, høyeste: 5}", "must be less than"),
    ("{tekst: Styret}", "missing — IKS-loven § 4 tredje ledd nr. 5"),
    ("{medlemmer: 5, ansattevalgte: ja}", "is not one of"),
]


@pytest.mark.parametrize(("board", "error"), BOARD, ids=[b for b, _ in BOARD])
def test_the_board(tmp_path, board, error):
    text = text_of("iks").replace("styre: {laveste: 3, høyeste: 5}", f"styre: {board}")
    result = check(tmp_path, text)
    if error is None:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode == 1
        assert re.search(r"sak\.yaml:\d+:\d+: styre(\.\w+)?: .*" + re.escape(error),
                         result.stderr), result.stderr


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_board_clause_prints_the_range_and_employee_members(tmp_path, language):
    text = text_of("iks").replace("styre: {laveste: 3, høyeste: 5}",
                                  "styre: {laveste: 5, høyeste: 7, ansattevalgte: niende ledd}")
    out = samdok_text(tmp_path, f"språk: {language}\n" + text)
    if language == "nb":
        assert "Selskapet har et styre med minst 5 og høyst 7 medlemmer." in out
        assert "valgt av og blant de ansatte etter IKS-loven § 10 niende ledd." in out
    else:
        assert "Selskapet har eit styre med minst 5 og høgst 7 medlemmer." in out
        assert "valde av og blant dei tilsette etter IKS-lova § 10 niende ledd." in out
    assert "til sammen 3 medlemmer" in out or "til saman 3 medlemmer" in out  # nr. 8 total


def test_borrowing_needs_a_ceiling_only_when_allowed(tmp_path):
    iks = text_of("iks")
    result = check(tmp_path, iks + "låneadgang: {tillatt: true}\n")
    assert "låneadgang.ramme: missing — IKS-loven § 22 første ledd andre punktum" in result.stderr
    assert check(tmp_path, iks + "låneadgang: {tillatt: false}\n").returncode == 0
    assert check(tmp_path, iks + "låneadgang: {tillatt: true, ramme: 1000000}\n").returncode == 0
    ignored = check(tmp_path, iks + "låneadgang: {tillatt: false, ramme: 1000000}\n")
    assert re.search(r"sak\.yaml:\d+:\d+: låneadgang\.ramme: warning: a ceiling with "
                     r"'tillatt: false' has no effect", ignored.stderr), ignored.stderr


def test_the_minimal_cases_match_the_json_schema(tmp_path):
    import json

    from jsonschema import Draft202012Validator

    schema = json.loads(invoke("schema", cwd=tmp_path).stdout)
    validator = Draft202012Validator(schema)
    for form in FORMS:
        data = json.loads(json.dumps(yaml_data(text_of(form)), default=str))
        assert list(validator.iter_errors(data)) == [], form
    wrong = json.loads(json.dumps(yaml_data(text_of("politisk_råd")), default=str))
    assert list(validator.iter_errors(wrong | {"eget_rettssubjekt": "kanskje"}))


def test_each_participant_has_two_or_more_committee_members(tmp_path):
    text = text_of("vertskommune_med_nemnd").replace("medlemmer: 2",
                                                     "medlemmer: {3405: 2, 3441: 1}")
    result = check(tmp_path, text)
    assert result.returncode == 1
    assert "two or more members of the committee (kommuneloven § 20-3 tredje ledd)" in result.stderr


# --- 2. name rules -------------------------------------------------------------------------

NAMES = [
    # (form, name, "error" | "warning" | None)
    ("politisk_råd", "Lillehammer-regionen interkommunalt politisk råd", None),
    ("politisk_råd", "Interkommunalt politisk råd for Lillehammer-regionen", None),
    ("politisk_råd", "Regionrådet IPR", None),
    ("politisk_råd", "IPR Valdres", None),
    ("politisk_råd", "Interkommunalt  politisk rÅd Vest", None),
    ("politisk_råd", "Regionrådet", "error"),
    ("politisk_råd", "Det interkommunale politiske rådet i Valdres", "error"),  # inflected
    ("politisk_råd", "PRIS-rådet", "error"),  # «IPR» inside another word
    ("politisk_råd", "Regionrådet Ipr", "error"),  # the abbreviation in capitals only
    ("politisk_råd", "Regionrådet KIPR", "error"),
    ("oppgavefellesskap", "Innkjøp kommunalt oppgavefellesskap", None),
    ("oppgavefellesskap", "Innkjøpskontoret KO", None),
    ("oppgavefellesskap", "Kongsberg innkjøp", "error"),  # «KO» inside a word
    ("oppgavefellesskap", "Innkjøpskontoret Ko", "error"),
    ("oppgavefellesskap", "Innkjøp interkommunalt politisk råd", "error"),  # another form's
    ("iks", "Gudbrandsdal Renovasjon IKS", None),
    ("iks", "Gudbrandsdal Renovasjon interkommunalt selskap", None),
    ("iks", "IKS Gudbrandsdal Renovasjon", "warning"),  # not last
    ("iks", "Gudbrandsdal interkommunalt selskap Renovasjon", "warning"),
    ("iks", "Gudbrandsdal Renovasjon", "error"),
    ("iks", "Gudbrandsdal RenovasjonIKS", "error"),
    ("iks", "Gudbrandsdal Renovasjon AS", "error"),
]


@pytest.mark.parametrize(("form", "name", "outcome"), NAMES, ids=[n for _, n, _ in NAMES])
def test_name_rules(tmp_path, form, name, outcome):
    base = text_of(form)
    current = yaml_data(base)["navn"]
    result = check(tmp_path, base.replace(f"navn: {current}\n", f"navn: \"{name}\"\n"))
    citation = {"politisk_råd": "kommuneloven § 18-1 tredje ledd",
                "oppgavefellesskap": "kommuneloven § 19-1 tredje ledd",
                "iks": "foretaksnavneloven § 2-2 tolvte ledd"}[form]
    if outcome is None:
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode == 1
    if outcome == "error":
        assert re.search(rf"sak\.yaml:\d+:\d+: navn: .* — {citation}: ", result.stderr), \
            result.stderr
        assert "warning" not in result.stderr
    else:
        assert re.search(r"sak\.yaml:\d+:\d+: navn: warning: .* does not end with .* — "
                         r"foretaksnavneloven § 2-2 siste ledd", result.stderr), result.stderr
        # Without --strict a misplaced designation is a warning only.
        assert invoke("check", str(tmp_path / "sak.yaml"), cwd=tmp_path).returncode == 0


def test_no_name_rule_for_host_forms_or_service_agreements(tmp_path):
    host = text_of("vertskommune") + "navn: Barnevernet i Sør-Gudbrandsdal\n"
    assert check(tmp_path, host).returncode == 0
    service = (text_of("iks").replace("samarbeidsform: iks", "samarbeidsform: iks\n"
                                      "dokumenter: [tjenesteavtale]\ntjeneste: renovasjon")
               .replace("navn: Gudbrandsdal Renovasjon IKS", "navn: Renovasjonstjenesten"))
    result = check(tmp_path, service)
    assert result.returncode == 0, result.stderr


# --- 3. each form's list binds the documents the law binds ---------------------------------

@pytest.mark.parametrize("form", FORMS)
def test_statutory_items_bind_the_establishing_documents_only(form):
    established = rules.forms()[form]["etableres_ved"]
    for document in ("samarbeidsavtale", "tjenesteavtale"):
        statutory = [r for r in rules.listed(document, form)
                     if not r.citation(form, document).startswith(rules.SAMDOK)]
        if document in established:
            assert statutory, (form, document)
        else:
            assert statutory == [], (form, document, [r.id for r in statutory])
    # Every entry that names the form lists exactly the form's establishing documents.
    for req in rules.requirements():
        if req.forms and form in req.forms and form in req.citations:
            assert set(req.documents) == set(established), req.id


@pytest.mark.parametrize("form", ["vertskommune", "vertskommune_med_nemnd"])
def test_a_host_service_agreement_must_state_transfer_and_notification(tmp_path, form):
    text = text_of(form).replace(f"samarbeidsform: {form}", f"samarbeidsform: {form}\n"
                                 "dokumenter: [tjenesteavtale]\ntjeneste: barnevern")
    assert check(tmp_path, text).returncode == 0
    for key, letter in (("overføring", "d"), ("underretning", "e")):
        result = check(tmp_path, without(text, key))
        assert (f"{key}: missing — kommuneloven § 20-4 tredje ledd bokstav {letter}"
                in result.stderr), result.stderr


@pytest.mark.parametrize("form", ["politisk_råd", "oppgavefellesskap", "iks"])
def test_a_service_agreement_under_a_body_is_not_its_founding_agreement(tmp_path, form):
    text = (f"id: tjeneste\ntittel: Avtale om lønn\nsamarbeidsform: {form}\n"
            "dokumenter: [tjenesteavtale]\ntjeneste: lønnstjenester\n"
            + "".join(f"{line}\n" for line in text_of("rammeavtale").splitlines()
                      if not line.startswith(("#", "id:", "tittel:", "samarbeidsform:"))))
    result = check(tmp_path, text)
    assert result.returncode == 0, result.stderr
