"""What `samdok status`, `build --final` and the documents say about council decisions is
true (issue 20: the agreement takes effect when every council has adopted the same text):
an amendment voids earlier adoptions, «not in force» is false rather than unknown, a meeting
held without a recorded outcome says so, one bad file hides no other case, and the notice to
statsforvalteren states the delegation as kommuneloven § 20-2 andre ledd has it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from generator.base.project import templates_dir
from generator.compose.enrich import compose
from generator.model import decisions
from generator.model.case import load_case
from tests.helpers import invoke as run
from tests.helpers import legevakt, write_case

FORMANNSKAP = "{utvalg: Formannskapet, møtedato: 2026-09-08, saksnr: 70/26, vedtak: vedtatt}"
# Stange amends the agreement, then adopts the amended text; Hamar and Løten adopted the
# old text in September.
STANGE_AMENDS = [FORMANNSKAP,
                 "{utvalg: Kommunestyret, møtedato: 2026-10-20, saksnr: 84/26, "
                 "vedtak: vedtatt_med_endringer, endring: Oppsigelsestiden er seks måneder}",
                 "{utvalg: Kommunestyret, møtedato: 2026-11-19, saksnr: 99/26, vedtak: vedtatt}"]
HAMAR_AGAIN = ["{utvalg: Kommunestyret, møtedato: 2026-09-16, saksnr: 88/26, vedtak: vedtatt}",
               "{utvalg: Kommunestyret, møtedato: 2026-11-24, saksnr: 101/26, vedtak: vedtatt}"]
LOTEN_AGAIN = ["{utvalg: Kommunestyret, møtedato: 2026-09-17, saksnr: 52/26, vedtak: vedtatt}",
               "{utvalg: Kommunestyret, møtedato: 2026-11-25, saksnr: 70/26, vedtak: vedtatt}"]


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Today is 1 December 2026 for every test here, whatever day they run."""
    monkeypatch.setattr(decisions, "clock", lambda: dt.date(2026, 12, 1))


def _load(tmp_path: Path, text: str):
    return load_case(write_case(tmp_path, "case.yaml", text), "case.yaml")


def _status(tmp_path: Path, text: str, *args: str):
    write_case(tmp_path, "cases/legevakt.yaml", text)
    return run("status", *args, "cases/legevakt.yaml", cwd=tmp_path)


# --- 1. an amendment makes a new text ----------------------------------------------------

def test_adoptions_before_an_amendment_no_longer_count(tmp_path: Path) -> None:
    state = decisions.standing(_load(tmp_path, legevakt(Stange=STANGE_AMENDS)).case)
    assert [c.state for c in state.councils] == ["adopted_earlier_text"] * 2 + ["adopted"]
    assert not state.all_adopted and state.last_adoption is None
    assert state.in_force is False
    result = _status(tmp_path, legevakt(Stange=STANGE_AMENDS))
    assert result.returncode == 0, result.stderr
    assert ("Hamar kommune   adopted an earlier text on 2026-09-16; must adopt the amended "
            "text") in result.stdout
    assert "in force: no (not every council has adopted it)" in result.stdout
    assert ("left: Løten kommune: Kommunestyret adopted an earlier text on 2026-09-17; must "
            "adopt the amended text (amended by Stange kommune, Kommunestyret 2026-10-20)"
            ) in result.stdout
    [case] = json.loads(_status(tmp_path, legevakt(Stange=STANGE_AMENDS), "--json")
                        .stdout)["cases"]
    assert case["councils"][0]["replaced_by"] == "Stange kommune, Kommunestyret 2026-10-20"
    assert case["all_adopted"] is False and case["in_force"] is False


def test_the_final_build_refuses_naming_each_council_that_must_adopt_again(
        tmp_path: Path) -> None:
    write_case(tmp_path, "cases/legevakt.yaml", legevakt(Stange=STANGE_AMENDS))
    result = run("build", "--final", "cases/legevakt.yaml", cwd=tmp_path)
    assert result.returncode == 1
    for name, date in (("Hamar", "2026-09-16"), ("Løten", "2026-09-17")):
        assert (f"{name} kommune: Kommunestyret adopted an earlier text on {date}; must adopt "
                "the amended text") in result.stderr
    assert "Stange kommune:" not in result.stderr  # it adopted the amended text
    assert "nothing was built" in result.stderr and not (tmp_path / "build").exists()


def test_the_adoption_record_lists_only_adoptions_of_the_current_text(tmp_path: Path) -> None:
    agreement = compose(_load(tmp_path, legevakt(Stange=STANGE_AMENDS)), templates_dir())[0]
    items = [b.text for b in agreement.clause("vedtak_i_kommunestyrene").blocks
             if b.kind == "punkt"]
    assert not any("Hamar kommune vedtok avtalen" in i for i in items)
    assert ("Kommunestyret i Hamar kommune vedtok en tidligere tekst av avtalen 16. september "
            "2026 (arkivsak 2026/802), og har ikke vedtatt den endrede avtalen ennå.") in items
    assert ("Kommunestyret i Stange kommune vedtok avtalen 19. november 2026, sak 99/26 "
            "(arkivsak 26/1290).") in items


def test_commencement_on_adoption_counts_only_adoptions_of_the_current_text(
        tmp_path: Path) -> None:
    on_adoption = legevakt(Stange=STANGE_AMENDS).replace("ikrafttredelse: 2027-01-01",
                                                         "ikrafttredelse: vedtatt")
    state = decisions.standing(_load(tmp_path, on_adoption).case)
    assert state.effective is None and state.in_force is False
    again = legevakt(on_adoption, Hamar=HAMAR_AGAIN, Løten=LOTEN_AGAIN)
    state = decisions.standing(_load(tmp_path, again).case)
    assert [c.state for c in state.councils] == ["adopted"] * 3
    # the last adoption of the amended text, not Stange's of 2026-11-19
    assert state.effective == dt.date(2026, 11, 25) and state.in_force is True


# --- 2. «no» is false, not «cannot tell» -------------------------------------------------

def test_in_force_is_false_when_not_every_council_adopted(tmp_path: Path) -> None:
    text = legevakt(Stange=[FORMANNSKAP, "{utvalg: Kommunestyret, møtedato: 2026-12-15}"])
    result = _status(tmp_path, text, "--json")
    [case] = json.loads(result.stdout)["cases"]
    assert case["in_force"] is False
    assert "in force: no (not every council has adopted it)" in _status(tmp_path, text).stdout


# --- 3. a meeting held, its outcome not recorded -----------------------------------------

def test_a_held_meeting_without_an_outcome_is_not_called_pending(tmp_path: Path) -> None:
    text = legevakt(Stange=[FORMANNSKAP, "{utvalg: Kommunestyret, møtedato: 2026-10-20}"])
    result = _status(tmp_path, text)
    assert ("Stange kommune  meeting on 2026-10-20 held; outcome not recorded "
            "(Kommunestyret 2026-10-20)") in result.stdout
    assert "pending (next:" not in result.stdout
    assert "has not decided yet" not in result.stdout
    [case] = json.loads(_status(tmp_path, text, "--json").stdout)["cases"]
    assert case["councils"][2]["outcome_missing"] is True
    write_case(tmp_path, "cases/legevakt.yaml", text)
    final = run("build", "--final", "cases/legevakt.yaml", cwd=tmp_path)
    assert final.returncode == 1
    assert "meeting on 2026-10-20 held; outcome not recorded" in final.stderr


# --- 4. one invalid file hides no other case ---------------------------------------------

@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_an_invalid_case_file_hides_no_other_status(tmp_path: Path, as_json: bool) -> None:
    write_case(tmp_path, "cases/legevakt.yaml", legevakt())
    write_case(tmp_path, "cases/bad.yaml", "id: bad\ntittel: [\n")
    result = run("status", *(["--json"] if as_json else []), cwd=tmp_path)
    assert result.returncode == 1
    assert "cases/bad.yaml" in result.stderr and "Traceback" not in result.stderr
    assert "no status was shown for cases/bad.yaml" in result.stderr
    if as_json:
        out = json.loads(result.stdout)
        assert [c["case"] for c in out["cases"]] == ["legevakt-hamar-loten-stange"]
        assert out["invalid"] == ["cases/bad.yaml"]
    else:
        assert "legevakt-hamar-loten-stange (cases/legevakt.yaml)" in result.stdout
        assert "in force: not yet, from 2027-01-01" in result.stdout


# --- 5. the notice states the delegation as the statute has it ---------------------------

@pytest.mark.parametrize(("language", "delegation", "commencement", "old"), [
    ("nb", "Kommunestyret i hver samarbeidskommune har selv delegert myndigheten ved å "
           "instruere kommunedirektøren i egen kommune om å delegere den til "
           "kommunedirektøren i vertskommunen, jf. kommuneloven § 20-2 andre ledd.",
     "Avtalen gjelder fra 1. januar 2027.", ("trer i kraft", "Samarbeidskommunene har")),
    ("nn", "Kommunestyret i kvar samarbeidskommune har sjølv delegert myndet ved å instruere "
           "kommunedirektøren i eigen kommune om å delegere det til kommunedirektøren i "
           "vertskommunen, jf. kommunelova § 20-2 andre ledd.",
     "Avtalen gjeld frå 1. januar 2027.", ("tek til å gjelde", "Samarbeidskommunane har")),
])
def test_the_notice_says_who_delegated_and_from_when_the_agreement_applies(
        tmp_path: Path, monkeypatch, language, delegation, commencement, old) -> None:
    # after the agreement took effect: the letter must not say it «trer i kraft»
    monkeypatch.setattr(decisions, "clock", lambda: dt.date(2027, 2, 1))
    text = legevakt().replace("språk: nb", f"språk: {language}")
    notice = compose(_load(tmp_path, text), templates_dir())[-1]
    assert notice.file_stem == "melding-statsforvalteren"
    body = " ".join(" ".join(b.text for b in c.blocks) for c in notice.clauses)
    body = " ".join(body.split())
    assert delegation in body and commencement in body
    assert not any(o in body for o in old)
