"""Loading case files: positions of every value, and located syntax errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import CaseError
from generator.model.source import dotted, load_yaml


def test_positions_of_keys_and_values(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("tittel: A\nparter:\n  - kommune: 5025\n  - kommune: 3430\n",
                    encoding="utf-8")
    loaded = load_yaml(path)
    assert loaded.data == {"tittel": "A", "parter": [{"kommune": 5025}, {"kommune": 3430}]}
    assert loaded.where(("parter", 1, "kommune")) == (4, 14)
    assert loaded.where_key(("parter", 1, "kommune")) == (4, 5)
    # a path below an existing value falls back to that value's position
    assert loaded.where(("parter", 1, "kommune", "x")) == (4, 14)


def test_dotted_paths() -> None:
    assert dotted(("parter", 2, "representant", "navn")) == "parter[2].representant.navn"


def test_bom_and_crlf_load(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes("\ufefftittel: Røros\r\nspråk: nb\r\n".encode())
    assert load_yaml(path).data == {"tittel": "Røros", "språk": "nb"}


@pytest.mark.parametrize(
    ("text", "line", "column", "field", "words"),
    [
        ('id: x\nformål: "ikke avsluttet\nøkonomi: 1\n', 2, 9, "formål", "quoted scalar"),
        ("id: x\ntittel: a\ntittel: b\n", 3, 1, "tittel", "duplicate key"),
        ("id: x\nparter:\n\t- kommune: 1\n", 3, 1, "", "'\\t'"),
        ("a:\n  b: {navn: x: y}\n", 2, 6, "a.b", "flow mapping"),
    ],
)
def test_syntax_errors_are_located(tmp_path: Path, text, line, column, field, words) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CaseError) as caught:
        load_yaml(path, "cases/bad.yaml")
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.column) == ("cases/bad.yaml", line, column)
    assert words in problem.message
    if field:
        assert problem.field == field
    assert problem.hint


def test_not_utf8_missing_and_folder(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("tittel: R\xf8ros\n".encode("latin-1"))
    with pytest.raises(CaseError, match="1 problem") as caught:
        load_yaml(bad)
    assert "UTF-8" in caught.value.problems[0].message
    with pytest.raises(CaseError) as caught:
        load_yaml(tmp_path / "nope.yaml")
    assert caught.value.problems[0].message == "file not found"
    with pytest.raises(CaseError) as caught:
        load_yaml(tmp_path)
    assert "folder" in caught.value.problems[0].message


def test_python_tags_are_not_executed(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("x: !!python/object/apply:os.system ['touch pwned']\n", encoding="utf-8")
    with pytest.raises(CaseError):
        load_yaml(path)
    assert not (tmp_path / "pwned").exists()
