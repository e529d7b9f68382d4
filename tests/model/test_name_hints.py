"""The name rule's hint never suggests a name the rules refuse (another company form kept, the
abbreviation in small letters)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import FIXTURES, invoke, write_case

IKS = (FIXTURES / "lov" / "iks.yaml").read_text(encoding="utf-8")


def _name_error(tmp_path: Path, name: str) -> str:
    line = next(line for line in IKS.splitlines() if line.startswith("navn:"))
    case = write_case(tmp_path, "cases/iks.yaml", IKS.replace(line, f"navn: {name}"))
    result = invoke("check", "--strict", str(case), cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    return result.stderr


@pytest.mark.parametrize(("name", "hint", "never"), [
    ("Gudbrandsdal Renovasjon AS", "«AS» names another company form: replace it with «IKS»",
     "Renovasjon AS IKS"),
    ("Gudbrandsdal Renovasjon iks", "write the abbreviation in capitals: "
     "'Gudbrandsdal Renovasjon IKS'", "iks IKS"),
    ("Gudbrandsdal Renovasjon", "e.g. 'Gudbrandsdal Renovasjon IKS'", "AS"),
])
def test_the_hint_gives_a_name_that_passes(tmp_path: Path, name, hint, never) -> None:
    said = _name_error(tmp_path, name)
    assert "foretaksnavneloven § 2-2" in said
    assert hint in said, said
    assert never not in said.split("hint:", 1)[-1], said
