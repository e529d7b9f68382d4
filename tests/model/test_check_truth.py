"""`samdok check` tells the whole truth before anything is built: every problem of a file
at once, a misspelt key at the missing key it explains, a clause text that drops a phrase
verify requires, and text left from the starter (`samdok new`); and `new` writes nynorsk,
joint submissions and service agreements."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import main
from tests.helpers import FIXTURES, ROOT, write_case

GOOD = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
FORMS = ["vertskommune", "vertskommune_med_nemnd", "oppgavefellesskap", "politisk_råd", "iks",
         "tjenestekjøp", "rammeavtale"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder as the working folder (templates: the standard ones)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases").mkdir()
    return tmp_path


def samdok(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def located(result: Result) -> list[str]:
    """Each message line's 'FILE:LINE:COL: field: message' (hints left out)."""
    return [line for line in result.stderr.splitlines() if not line.startswith("    ")]


# --- 3. text left from the starter -------------------------------------------------------

def test_starter_placeholders_are_located_warnings_in_a_draft(project: Path) -> None:
    made = samdok("new", "--form", "vertskommune", "-p", "Røros", "-p", "Os", "--id", "ny")
    assert made.exit_code == 0, made.output
    text = (project / "cases" / "ny.yaml").read_text(encoding="utf-8")
    purpose = text.splitlines().index("formål: |") + 2  # the placeholder's own line
    result = samdok("check")
    assert result.exit_code == 0, result.output
    assert (f"cases/ny.yaml:{purpose}:3: formål: warning: the starter's placeholder "
            "«Hva samarbeidet skal oppnå.» is still here") in result.stderr
    assert re.search(r"^cases/ny\.yaml:\d+:\d+: parter\[0\]\.representant\.navn: warning: "
                     r"the starter's placeholder «Navn»", result.stderr, re.M)
    assert "    hint: replace it with the case's own text" in result.stderr
    strict = samdok("check", "--strict")
    assert strict.exit_code == 1
    assert "«Hva samarbeidet skal oppnå.»" in strict.stderr


def final_case(text: str) -> str:
    return text.replace("id: minimal", "id: minimal\nstatus: endelig")


PLACEHOLDER_PURPOSE = GOOD.replace(
    "formål: Kommunene skal ha et felles lønningskontor med Lillehammer som vertskommune.",
    "formål: |\n  «Hva samarbeidet skal oppnå.»\nunderskrift: {sted: Lillehammer}")
assert PLACEHOLDER_PURPOSE != GOOD


@pytest.mark.parametrize("command", ["check", "verify"])
def test_a_final_case_with_starter_text_fails_check_and_verify(project: Path,
                                                                command: str) -> None:
    write_case(project, "cases/minimal.yaml", final_case(PLACEHOLDER_PURPOSE).replace(
        "  - kommune: 3405", "  - kommune: 3405\n    representant: {navn: «Navn», tittel: x}"))
    result = samdok(command)
    assert result.exit_code == 1, result.output
    lines = located(result)
    assert "cases/minimal.yaml:8:26: parter[0].representant.navn: the starter's placeholder "\
        "«Navn» is still here, in a case marked final (status: endelig)" in lines
    assert "cases/minimal.yaml:11:3: formål: the starter's placeholder «Hva samarbeidet skal "\
        "oppnå.» is still here, in a case marked final (status: endelig)" in lines
    assert "Traceback" not in result.output


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                   cwd=folder, check=True, capture_output=True)


def test_a_final_build_refuses_starter_text_and_writes_nothing(project: Path) -> None:
    write_case(project, "cases/minimal.yaml", final_case(PLACEHOLDER_PURPOSE))
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "endelig")
    result = samdok("build", "--final")
    assert result.exit_code == 1, result.output
    assert "formål: the starter's placeholder «Hva samarbeidet skal oppnå.»" in result.stderr
    assert result.stderr.rstrip().endswith("; nothing was built.")
    assert not (project / "build").exists()


def test_a_placeholder_is_found_in_edited_text_and_a_real_quote_is_not(project: Path) -> None:
    edited = GOOD.replace(
        "formål: Kommunene skal ha et felles lønningskontor med Lillehammer som vertskommune.",
        "formål: >\n  Vi vil ha et felles lønningskontor. «Hva samarbeidet\n  skal oppnå.»\n"
        "bakgrunn: Kommunene kaller det «et løft for fagmiljøet».")
    write_case(project, "cases/minimal.yaml", edited)
    result = samdok("check")
    assert result.exit_code == 0, result.output
    assert ("cases/minimal.yaml:9:39: formål: warning: the starter's placeholder «Hva "
            "samarbeidet skal oppnå.» is still here") in located(result)
    assert "bakgrunn" not in result.stderr  # a real text quoting in «» is no placeholder


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_every_starter_placeholder_is_in_the_one_list_the_check_reads(tmp_path: Path,
                                                                      language: str) -> None:
    from generator.model import starter
    from generator.model.scaffold import starter_case

    known = set(starter.PLACEHOLDERS[language].values())
    # the check skips a text without one, so every placeholder must begin with it
    assert all(text.startswith("«") for text in known)
    for form in FORMS:
        text = starter_case(ROOT / "templates", form, ["5025", "3430"], "x", "Tittel",
                            "cases/x.yaml", language=language, submission=True)
        body = "\n".join(line.split("#")[0] for line in text.splitlines())  # not comments
        written = set(re.findall(r"«[^»]*»", body))
        assert written and written <= known, written - known


# --- 4. every problem at once; a misspelt key at its missing key; check predicts verify --

def test_an_impossible_date_hides_no_other_problem(project: Path) -> None:
    text = (GOOD.replace("ikrafttredelse: 2027-01-01", "ikrafttredelse: 2027-02-30")
            .replace("oppsigelsestid_måneder: 6", "oppsigelsestid_måneder: seks")
            .replace("tittel:", "titel:")
            .replace("oppløsning: Avtalen", "oppløsning: !!python/name:os.system Avtalen"))
    write_case(project, "cases/minimal.yaml", text)
    result = samdok("check", "cases/minimal.yaml")
    assert result.exit_code == 1
    fields = [re.match(r"cases/minimal\.yaml:(\d+):\d+: (\S+): ", line).groups()
              for line in located(result)[:-1]]
    assert fields == [("3", "tittel"), ("13", "uttreden.oppsigelsestid_måneder"),
                      ("14", "ikrafttredelse"), ("18", "oppløsning")]
    assert "'2027-02-30' is not a real date" in result.stderr
    assert "the YAML tag '!!python/name:os.system' is not allowed" in result.stderr
    assert result.stderr.count("ikrafttredelse") == 1  # said once, by the date check


def test_a_misspelt_required_key_is_reported_at_the_misspelling(project: Path) -> None:
    # 'tittel' is required by the model, 'formål' by the rules: both ways are explained.
    text = GOOD.replace("tittel:", "titel:").replace("formål:", "formaal:")
    write_case(project, "cases/minimal.yaml", text)
    result = samdok("check", "cases/minimal.yaml")
    assert result.exit_code == 1
    lines = located(result)
    assert lines[0] == ("cases/minimal.yaml:3:1: tittel: required field is missing "
                        "(written 'titel' here?)")
    assert lines[1].startswith("cases/minimal.yaml:8:1: formål: missing — ")
    assert lines[1].endswith("(written 'formaal' here?)")
    assert len(lines) == 3  # and the count
    assert ("    hint: 'formaal' is not a key samdok knows, and looks like a misspelling of "
            "'formål': rename it") in result.stderr
    assert ("    hint: 'titel' is not a key samdok knows, and looks like a misspelling of "
            "'tittel': rename it") in result.stderr
    assert "unknown key" not in result.stderr  # folded into the error it explains


def test_a_misspelt_key_is_explained_even_when_only_the_rules_miss_it(project: Path) -> None:
    write_case(project, "cases/minimal.yaml", GOOD.replace("formål:", "formaal:"))
    result = samdok("check", "cases/minimal.yaml")
    assert result.exit_code == 1
    (line,) = located(result)[:-1]
    assert line.startswith("cases/minimal.yaml:8:1: formål: missing — ")
    assert line.endswith("(written 'formaal' here?)")


OVERRIDE = GOOD + "klausuler:\n  økonomi:\n    tekst: Kostnadene deles etter avtale.\n"


def test_an_override_that_drops_a_phrase_verify_requires_fails_check(project: Path) -> None:
    write_case(project, "cases/minimal.yaml", OVERRIDE)
    result = samdok("check")
    assert result.exit_code == 1, result.output
    (line,) = located(result)[:-1]
    assert line.startswith("cases/minimal.yaml:23:12: klausuler.økonomi.tekst: clause "
                           "'økonomi' (")
    assert "which samdok verify requires in it" in line
    # the cost key's sentence, from fraser.nøkkel.likt
    assert "does not say 'med like store deler på hver deltakerkommune'" in line
    assert "    hint: keep that phrase in the replacement text" in result.stderr
    assert result.stderr.rstrip().endswith("problem(s) in 1 file(s).")
    built = samdok("build")
    assert built.exit_code == 1 and not (project / "build").exists()


def test_an_override_that_keeps_the_phrases_passes(project: Path) -> None:
    kept = OVERRIDE.replace("Kostnadene deles etter avtale.",
                            "\"{{ økonomi.nøkkel_tekst }} Det gjelder {{ parter_navn }}.\"")
    write_case(project, "cases/minimal.yaml", kept)
    result = samdok("check")
    assert result.exit_code == 0, result.output


def test_a_purpose_override_without_the_purpose_fails_check(project: Path) -> None:
    write_case(project, "cases/minimal.yaml",
               GOOD + "klausuler:\n  formål: {tekst: Noe helt annet.}\n")
    result = samdok("check")
    assert result.exit_code == 1
    assert "klausuler.formål.tekst: clause 'formål' (" in result.stderr
    assert "does not say 'Kommunene skal ha et felles lønningskontor" in result.stderr


# --- 5. samdok new: nynorsk, a joint submission, a service agreement; summaries ----------

def test_new_writes_nynorsk(project: Path) -> None:
    made = samdok("new", "--form", "iks", "--språk", "nn", "-p", "Sogndal", "-p", "Luster",
                  "--id", "nn")
    assert made.exit_code == 0, made.output
    text = (project / "cases" / "nn.yaml").read_text(encoding="utf-8")
    assert "språk: nn" in text and "«Kva samarbeidet skal oppnå.»" in text
    assert "tittel: ordførar" in text and "Hva" not in text
    result = samdok("check")
    assert result.exit_code == 0, result.output
    assert "the starter's placeholder «Namn» is still here" in result.stderr


def test_new_writes_a_joint_submission_to_every_council(project: Path) -> None:
    made = samdok("new", "--form", "vertskommune", "--saksframlegg", "-p", "Røros", "-p", "Os",
                  "-p", "Holtålen", "--id", "sf")
    assert made.exit_code == 0, made.output
    text = (project / "cases" / "sf.yaml").read_text(encoding="utf-8")
    assert "dokumenter: [samarbeidsavtale, saksframlegg]" in text
    for number in ("5025", "3430", "5026"):
        assert f"    {number}:" in text
    result = samdok("check")
    assert result.exit_code == 0, result.output
    assert "(sf: samarbeidsavtale, saksframlegg ×3)" in result.output
    assert "saksframlegg.vurdering: warning: the starter's placeholder" in result.stderr


def test_new_writes_a_service_agreement_for_buying_a_service(project: Path) -> None:
    made = samdok("new", "--form", "tjenestekjøp", "-p", "Lillehammer", "-p", "Øyer",
                  "--id", "kjop")
    assert made.exit_code == 0, made.output
    text = (project / "cases" / "kjop.yaml").read_text(encoding="utf-8")
    assert "dokumenter: [tjenesteavtale]" in text
    assert "tjeneste: «" in text
    assert "tittel: Avtale om kjøp av tjenester mellom Lillehammer og Øyer" in text
    result = samdok("check")
    assert result.exit_code == 0, result.output
    assert "(kjop: tjenesteavtale)" in result.output
    assert "tjeneste: warning: the starter's placeholder" in result.stderr


@pytest.mark.parametrize(("command", "ending"), [
    ("check", "problem(s) in 1 file(s)."),
    ("verify", "problem(s) in 1 file(s); nothing was verified."),
    ("diff", "problem(s) in 1 file(s); nothing was compared."),
])
def test_the_summary_says_what_the_command_did_not_do(project: Path, command: str,
                                                      ending: str) -> None:
    write_case(project, "cases/good.yaml", GOOD)
    write_case(project, "cases/bad.yaml", GOOD.replace("2027-01-01", "2027-02-30"))
    args = ["diff", "cases/good.yaml", "cases/bad.yaml"] if command == "diff" else [
        command, "cases/bad.yaml"]
    result = samdok(*args)
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[-1].endswith(ending)
    assert "nothing was built" not in result.stderr
