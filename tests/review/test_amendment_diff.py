"""An amended adoption is a new draft: `samdok diff` shows the amendment against the text the
other councils adopted, read from git (real git, the command line in this process)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.model import decisions
from tests.helpers import git, invoke, legevakt, write_case

CASE = "cases/legevakt.yaml"
AMENDED = ("{utvalg: Kommunestyret, møtedato: 2026-10-20, saksnr: 84/26, "
           "vedtak: vedtatt_med_endringer, endring: Oppsigelsestiden er seks måneder}")
SENT = "{utvalg: Kommunestyret, møtedato: 2026-10-20, saksnr: 84/26}"


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(decisions, "clock", lambda: dt.date(2026, 12, 1))


def test_the_amendment_shows_against_the_text_the_others_adopted(tmp_path: Path) -> None:
    # The text sent to every council, committed and tagged.
    write_case(tmp_path, CASE, legevakt(Stange=[SENT]))
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "Til behandling i kommunestyrene")
    git(tmp_path, "tag", "utsendt")

    # Stange adopts it with an amendment: not final, and status says so.
    write_case(tmp_path, CASE, legevakt(Stange=[AMENDED]))
    status = invoke("status", CASE, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert "Oppsigelsestiden er seks måneder" in status.stdout
    refused = invoke("build", "--final", CASE, cwd=tmp_path)
    assert refused.returncode == 1 and "an amended text is a new draft" in refused.stderr
    git(tmp_path, "commit", "-q", "-am", "Vedtak i Stange med endring")

    # The secretariat writes the amendment into the agreement: the new draft.
    text = (tmp_path / CASE).read_text(encoding="utf-8")
    assert "oppsigelsestid_måneder: 12" in text
    write_case(tmp_path, CASE, text.replace("oppsigelsestid_måneder: 12",
                                            "oppsigelsestid_måneder: 6"))
    result = invoke("diff", f"{CASE}@utsendt", CASE, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.replace("\u00a0", " ").split())
    # The changed clause, with the adopted words and the amended ones; nothing else changed
    # in the agreement's clauses.
    assert "Inntreden og uttreden" in out, out
    assert "12 måneder" in out and "6 måneder" in out, out
    assert "Formål" not in out and "Økonomi" not in out, out
