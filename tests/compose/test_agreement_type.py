"""A council's resolution calls the agreement what the agreement calls itself."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import EXAMPLES, invoke, write_case


def _resolution_points(case: Path, cwd: Path) -> str:
    result = invoke("text", str(case), cwd=cwd)
    assert result.returncode == 0, result.stderr
    return " ".join(line for line in result.stdout.splitlines() if " godkjenner " in line)


def test_a_grunnavtale_is_adopted_as_a_grunnavtale(tmp_path: Path) -> None:
    said = _resolution_points(EXAMPLES / "grunnavtale-indre-namdal-snasa.yaml", tmp_path)
    assert "godkjenner grunnavtalen «" in said
    assert "samarbeidsavtalen" not in said


def test_without_a_name_of_its_own_it_stays_the_document_kind(tmp_path: Path) -> None:
    text = (EXAMPLES / "grunnavtale-indre-namdal-snasa.yaml").read_text(encoding="utf-8")
    assert "avtalenavn: grunnavtale" in text
    case = write_case(tmp_path, "cases/x.yaml", text.replace("avtalenavn: grunnavtale\n", ""))
    said = _resolution_points(case, tmp_path)
    assert "godkjenner samarbeidsavtalen «" in said
