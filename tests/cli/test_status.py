"""`samdok status` tells where a case stands at each step, from pending to in force, and
`build --final` waits for every council (issue 20)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from generator.model import decisions
from tests.helpers import EXAMPLES, legevakt, write_case
from tests.helpers import invoke as run

FORMANNSKAP = "{utvalg: Formannskapet, møtedato: 2026-09-08, saksnr: 70/26, vedtak: vedtatt}"
PENDING = [FORMANNSKAP, "{utvalg: Kommunestyret, møtedato: 2026-12-15, saksnr: 90/26}"]
HAMAR_PENDING = ["{utvalg: Kommunestyret, møtedato: 2026-12-14, saksnr: 95/26}"]
LOTEN_PENDING = ["{utvalg: Kommunestyret, møtedato: 2026-12-16, saksnr: 60/26}"]


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(decisions, "clock", lambda: dt.date(2026, 12, 1))


def status(tmp_path: Path, text: str, *args: str):
    write_case(tmp_path, "cases/legevakt.yaml", text)
    result = run("status", *args, "cases/legevakt.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return result


def as_json(tmp_path: Path, text: str) -> dict:
    [case] = json.loads(status(tmp_path, text, "--json").stdout)["cases"]
    return case


def states(case: dict) -> list[str]:
    return [c["state"] for c in case["councils"]]


def test_pending_every_council(tmp_path: Path) -> None:
    text = legevakt(Hamar=HAMAR_PENDING, Løten=LOTEN_PENDING, Stange=PENDING)
    result = status(tmp_path, text)
    assert "Stange kommune  pending (next: Kommunestyret 2026-12-15, sak 90/26)" in result.stdout
    assert "in force: no (not every council has adopted it)" in result.stdout
    case = as_json(tmp_path, text)
    assert states(case) == ["pending"] * 3
    assert case["in_force"] is False and case["effective_from"] is None
    assert "Stange kommune: Kommunestyret has not decided yet (meeting 2026-12-15)" \
        in case["left"]


def test_one_council_adopted(tmp_path: Path) -> None:
    case = as_json(tmp_path, legevakt(Løten=LOTEN_PENDING, Stange=PENDING))
    assert states(case) == ["adopted", "pending", "pending"]
    hamar = case["councils"][0]
    assert hamar == {"kommunenummer": "3403", "kommune": "Hamar kommune", "state": "adopted",
                     "body": "Kommunestyret", "date": "2026-09-16", "saksnr": "88/26",
                     "arkivsak": "2026/802", "amendment": None, "replaced_by": None,
                     "outcome_missing": False}
    assert case["all_adopted"] is False and case["last_adoption"] is None


def test_all_adopted_takes_effect_on_the_fixed_date(tmp_path: Path, monkeypatch) -> None:
    result = status(tmp_path, legevakt())
    assert "in force: not yet, from 2027-01-01" in result.stdout
    case = as_json(tmp_path, legevakt())
    assert case["all_adopted"] is True and case["last_adoption"] == "2026-10-20"
    assert case["in_force"] is False and case["effective_from"] == "2027-01-01"
    monkeypatch.setattr(decisions, "clock", lambda: dt.date(2027, 1, 1))
    assert "in force: yes, since 2027-01-01" in status(tmp_path, legevakt()).stdout


def test_adopted_with_amendments(tmp_path: Path) -> None:
    text = legevakt(Stange=[FORMANNSKAP, "{utvalg: Kommunestyret, møtedato: 2026-10-20, "
                            "saksnr: 84/26, vedtak: vedtatt_med_endringer, endring: "
                            "Oppsigelsestiden er seks måneder}"])
    result = status(tmp_path, text)
    assert ("Stange kommune  adopted with amendments (Kommunestyret 2026-10-20, sak 84/26): "
            "«Oppsigelsestiden er seks måneder»") in result.stdout
    case = as_json(tmp_path, text)
    assert case["councils"][2]["amendment"] == "Oppsigelsestiden er seks måneder"
    assert case["in_force"] is False


def test_rejected(tmp_path: Path) -> None:
    text = legevakt(Stange=[FORMANNSKAP, "{utvalg: Kommunestyret, møtedato: 2026-10-20, "
                            "vedtak: avvist}"])
    case = as_json(tmp_path, text)
    assert states(case) == ["adopted", "adopted", "rejected"]
    assert any("rejected the agreement on 2026-10-20" in item for item in case["left"])


def test_postponed(tmp_path: Path) -> None:
    text = legevakt(Stange=[FORMANNSKAP, "{utvalg: Kommunestyret, møtedato: 2026-09-22, "
                            "vedtak: utsatt}"])
    result = status(tmp_path, text)
    assert "Stange kommune  postponed (Kommunestyret 2026-09-22)" in result.stdout
    assert "add the next meeting under 'behandling'" in result.stdout


def test_a_case_without_councils_says_samdok_cannot_tell(tmp_path: Path) -> None:
    case = as_json(tmp_path, (EXAMPLES / "roros-os-holtalen.yaml").read_text(encoding="utf-8"))
    assert case["known"] is False and case["councils"] == [] and case["in_force"] is None
    assert case["left"][0].startswith("samdok cannot tell")


def test_an_invalid_case_is_a_located_error_not_a_status(tmp_path: Path) -> None:
    write_case(tmp_path, "cases/x.yaml", legevakt(Stange=[
        "{utvalg: Kommunestyret, møtedato: 2026-12-20, vedtak: vedtatt}"]))
    result = run("status", "cases/x.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert "has not been held yet (today is 2026-12-01)" in result.stderr
    assert "no status was shown" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(("stange", "said"), [
    (PENDING, "Stange kommune has not decided yet (Kommunestyret, meeting 2026-12-15)"),
    ([FORMANNSKAP, "{utvalg: Kommunestyret, møtedato: 2026-10-20, vedtak: avvist}"],
     "Stange kommune: Kommunestyret rejected the agreement on 2026-10-20"),
    ([FORMANNSKAP, "{utvalg: Kommunestyret, møtedato: 2026-09-22, vedtak: utsatt}"],
     "Stange kommune: Kommunestyret postponed the case on 2026-09-22"),
    ([FORMANNSKAP, "{utvalg: Kommunestyret, møtedato: 2026-10-20, vedtak: "
                   "vedtatt_med_endringer, endring: Oppsigelsestiden er seks måneder}"],
     "Stange kommune: Kommunestyret adopted the agreement on 2026-10-20 with an amendment: "
     "«Oppsigelsestiden er seks måneder»"),
], ids=["pending", "rejected", "postponed", "amended"])
def test_final_build_waits_for_every_council(tmp_path: Path, stange, said) -> None:
    write_case(tmp_path, "cases/legevakt.yaml", legevakt(Stange=stange))
    result = run("build", "--final", "cases/legevakt.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert said in result.stderr
    assert "nothing was built" in result.stderr and not (tmp_path / "build").exists()
    if "amendment" in said:
        assert "an amended text is a new draft" in result.stderr
        assert "samdok diff CASE@REV CASE" in result.stderr
