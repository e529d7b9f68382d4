"""A draft's adoption record says of a council without a recorded decision only what samdok
knows: the decision is not recorded, true before and after the meeting (no today's date in a
reproducible document)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import invoke, legevakt, write_case

PENDING = "{utvalg: Kommunestyret, møtedato: 2026-10-20, saksnr: 84/26}"


@pytest.mark.parametrize(("language", "said"), [
    ("nb", "Vedtaket i Kommunestyret i Stange kommune er ikke registrert ennå (møte 20. oktober "
           "2026, arkivsak 26/1290)."),
    ("nn", "Vedtaket i Kommunestyret i Stange kommune er ikkje registrert enno (møte 20. oktober "
           "2026, arkivsak 26/1290)."),
])
def test_a_council_without_a_recorded_decision(tmp_path: Path, language, said) -> None:
    text = legevakt(Stange=[PENDING]).replace("status: endelig", "status: utkast")
    assert "språk: nb" in text
    if language == "nn":
        text = text.replace("språk: nb", "språk: nn")
    case = write_case(tmp_path, "cases/legevakt.yaml", text)
    result = invoke("text", str(case), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.replace("\u00a0", " ").split())
    assert said in out, out[out.find("Vedtak i kommunestyr"):][:600]
    assert "ikke behandlet" not in out and "ikkje handsama" not in out
