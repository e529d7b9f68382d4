"""Council decisions in the case file (issue 20): each meeting's outcome, the checks on it
(against one injectable clock), the adoption record in the agreement and the notice's rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.base.project import templates_dir
from generator.compose.enrich import compose
from generator.errors import CaseError
from generator.model import decisions
from generator.model.case import load_case
from generator.pdf.verify import required_phrases
from tests.helpers import legevakt, write_case

FORMANNSKAP = "{utvalg: Formannskapet, møtedato: 2026-09-08, saksnr: 70/26, vedtak: vedtatt}"


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Today is 1 December 2026 for every test here, whatever day they run."""
    monkeypatch.setattr(decisions, "clock", lambda: dt.date(2026, 12, 1))


def _load(tmp_path: Path, text: str):
    return load_case(write_case(tmp_path, "case.yaml", text), "case.yaml")


def _problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(CaseError) as caught:
        _load(tmp_path, text)
    return [str(p) for p in caught.value.problems if p.severity == "error"]


def test_the_example_records_every_council_adopting(tmp_path: Path) -> None:
    state = decisions.standing(_load(tmp_path, legevakt()).case)
    assert [c.state for c in state.councils] == ["adopted"] * 3
    assert state.last_adoption == dt.date(2026, 10, 20)  # Stange, after postponing once
    assert state.effective == dt.date(2027, 1, 1) and state.in_force is False


def test_an_amendment_needs_adoption_with_amendments(tmp_path: Path) -> None:
    text = legevakt(Stange=[FORMANNSKAP, "{utvalg: Kommunestyret, møtedato: 2026-10-20, "
                            "saksnr: 84/26, vedtak: vedtatt, endring: Ny tekst i punkt 4}"])
    [problem] = _problems(tmp_path, text)
    assert "saksframlegg.kommuner.Stange.behandling[1].endring: an amendment belongs to a " \
           "meeting that adopted the agreement with amendments" in problem
    line = text.splitlines().index(next(x for x in text.splitlines() if "endring:" in x)) + 1
    assert problem.startswith(f"case.yaml:{line}:")  # located at the key
    assert "hint: write 'vedtak: vedtatt_med_endringer', or remove 'endring'" in problem


def test_adoption_with_amendments_needs_the_amendment(tmp_path: Path) -> None:
    text = legevakt(Stange=[FORMANNSKAP, "{utvalg: Kommunestyret, møtedato: 2026-10-20, "
                            "vedtak: vedtatt_med_endringer}"])
    [problem] = _problems(tmp_path, text)
    assert "behandling[1].vedtak: an adoption with amendments needs the amendment" in problem


def test_an_outcome_of_a_meeting_not_yet_held_is_refused(tmp_path: Path) -> None:
    text = legevakt(Stange=[FORMANNSKAP, "{utvalg: Kommunestyret, møtedato: 2026-12-02, "
                            "vedtak: vedtatt}"])
    [problem] = _problems(tmp_path, text)
    assert "the meeting on 2026-12-02 has not been held yet (today is 2026-12-01)" in problem


def test_the_clock_decides_what_is_past(tmp_path: Path, monkeypatch) -> None:
    text = legevakt(Stange=[FORMANNSKAP, "{utvalg: Kommunestyret, møtedato: 2026-12-02, "
                            "vedtak: vedtatt}"])
    monkeypatch.setattr(decisions, "clock", lambda: dt.date(2026, 12, 2))
    assert decisions.standing(_load(tmp_path, text).case).all_adopted


def test_no_meeting_decides_after_a_rejection(tmp_path: Path) -> None:
    text = legevakt(Stange=[
        "{utvalg: Formannskapet, møtedato: 2026-09-08, vedtak: avvist}",
        "{utvalg: Kommunestyret, møtedato: 2026-09-22, vedtak: vedtatt}"])
    [problem] = _problems(tmp_path, text)
    assert "behandling[1].vedtak: Formannskapet rejected the agreement on 2026-09-08; no " \
           "meeting after a rejection decides on it" in problem


def test_meetings_out_of_order_are_refused(tmp_path: Path) -> None:
    text = legevakt(Stange=[
        "{utvalg: Formannskapet, møtedato: 2026-09-30, vedtak: vedtatt}",
        "{utvalg: Kommunestyret, møtedato: 2026-09-22, vedtak: vedtatt}"])
    [problem] = _problems(tmp_path, text)
    assert "behandling[1].møtedato: the meeting on 2026-09-22 comes after one on 2026-09-30" \
        in problem


def test_an_unknown_outcome_is_a_located_error(tmp_path: Path) -> None:
    text = legevakt(Stange=[FORMANNSKAP, "{utvalg: Kommunestyret, møtedato: 2026-10-20, "
                            "vedtak: godkjent}"])
    [problem] = _problems(tmp_path, text)
    assert "behandling[1].vedtak: 'godkjent' is not one of" in problem
    assert "Traceback" not in problem


def test_the_adoption_record_lists_each_council_with_body_date_and_numbers(
        tmp_path: Path) -> None:
    agreement = compose(_load(tmp_path, legevakt()), templates_dir())[0]
    clause = agreement.clause("vedtak_i_kommunestyrene")
    assert clause.numbered_heading == "13. Vedtak i kommunestyrene"
    items = [b.text for b in clause.blocks if b.kind == "punkt"]
    assert items == [
        "Kommunestyret i Hamar kommune vedtok avtalen 16. september 2026, sak 88/26 "
        "(arkivsak 2026/802).",
        "Kommunestyret i Løten kommune vedtok avtalen 17. september 2026, sak 52/26 "
        "(arkivsak 26/415).",
        "Kommunestyret i Stange kommune vedtok avtalen 20. oktober 2026, sak 84/26 "
        "(arkivsak 26/1290)."]
    # verify proves it in the PDF, as it does the required clauses
    assert required_phrases(agreement, "vertskommune")["vedtak_i_kommunestyrene"] == tuple(items)


def test_the_adoption_record_in_nynorsk(tmp_path: Path) -> None:
    text = legevakt(Stange=[FORMANNSKAP, "{utvalg: Kommunestyret, møtedato: 2026-10-20, "
                            "saksnr: 84/26, vedtak: avvist}"]).replace("språk: nb", "språk: nn")
    agreement = compose(_load(tmp_path, text), templates_dir())[0]
    clause = agreement.clause("vedtak_i_kommunestyrene")
    assert clause.heading == "Vedtak i kommunestyra"
    assert ("Kommunestyret i Stange kommune vedtok ikkje avtalen 20. oktober 2026, sak 84/26 "
            "(arkivsak 26/1290).") in [b.text for b in clause.blocks]


def test_no_adoption_record_before_any_decision(tmp_path: Path) -> None:
    text = legevakt().replace(", vedtak: vedtatt}", "}").replace(", vedtak: utsatt}", "}")
    text = text.replace("melding-statsforvalteren]", "]").replace(", ]", "]")
    documents = compose(_load(tmp_path, text), templates_dir())
    assert documents[0].clause("vedtak_i_kommunestyrene") is None


def test_the_notice_is_for_host_forms_only(tmp_path: Path) -> None:
    text = legevakt().replace("samarbeidsform: vertskommune", "samarbeidsform: tjenestekjøp")
    problems = _problems(tmp_path, text)
    assert any("dokumenter[2]: a tjenestekjøp has no notice to statsforvalteren: kommuneloven "
               "§ 20-4 femte ledd asks it of the host" in p for p in problems)


def test_the_notice_waits_for_every_adoption(tmp_path: Path) -> None:
    text = legevakt(Stange=[FORMANNSKAP, "{utvalg: Kommunestyret, møtedato: 2026-12-15}"])
    loaded = _load(tmp_path, text)
    [warning] = [str(w) for w in loaded.warnings]
    assert "warning: the notice is not built yet" in warning and "(Stange kommune)" in warning
    kinds = [d.kind for d in compose(loaded, templates_dir())]
    assert "melding-statsforvalteren" not in kinds
    assert kinds.count("saksframlegg") == 3


def test_the_notice_reports_the_councils_decisions(tmp_path: Path) -> None:
    notice = compose(_load(tmp_path, legevakt()), templates_dir())[-1]
    assert notice.file_stem == "melding-statsforvalteren"
    assert notice.header["mottaker"] == "Statsforvalteren i Innlandet"
    assert notice.header["arkivsak"] == "2026/802"  # the host's own case
    phrases = required_phrases(notice, "vertskommune")
    assert set(phrases) == {"melding", "deltakere", "oppgaver_og_myndighet",
                            "vedtak_i_kommunestyrene"}
    assert any("kommuneloven § 20-4 femte ledd" in p for p in phrases["melding"])
