"""Editor support and scaffolding: the JSON Schema, the generated reference, `samdok new`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from generator.model.case import FORMS
from tests.helpers import EXAMPLES, FIXTURES, ROOT, invoke, yaml_data

BEGIN, END = "<!-- case-reference:begin -->", "<!-- case-reference:end -->"


@pytest.fixture(scope="module")
def validator(tmp_path_factory) -> Draft202012Validator:
    result = invoke("schema", cwd=tmp_path_factory.mktemp("schema"))
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def as_json(path: Path):
    """A case file as JSON would carry it: dates and numeric keys become strings."""
    data = yaml_data(path.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))


def valid_cases() -> list[Path]:
    return sorted([*EXAMPLES.glob("*.yaml"), FIXTURES / "minimal.yaml",
                   *(FIXTURES / "former").glob("*.yaml")])


@pytest.mark.parametrize("path", valid_cases(), ids=lambda p: p.name)
def test_every_valid_case_matches_the_schema(validator, path: Path) -> None:
    assert list(validator.iter_errors(as_json(path))) == []


def test_a_wrongly_typed_case_does_not(validator) -> None:
    error = best_match(validator.iter_errors(as_json(FIXTURES / "wrong-type.yaml")))
    assert list(error.absolute_path) == ["uttreden", "oppsigelsestid_måneder"]
    assert error.instance == "tolv"
    unknown = as_json(FIXTURES / "minimal.yaml") | {"formåll": "x"}
    assert any("formåll" in e.message for e in validator.iter_errors(unknown))


def test_readme_reference_is_generated_from_the_model(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index(BEGIN) + len(BEGIN):readme.index(END)].strip()
    generated = invoke("schema", "--markdown", cwd=tmp_path).stdout.strip()
    assert block == generated, (
        "README's case-file reference is out of date: replace the block between the markers "
        "with the output of `samdok schema --markdown`")
    assert re.search(r"^\| `kommune` \| municipality", generated, re.M)


@pytest.mark.parametrize("form", FORMS)
def test_new_writes_a_starter_case_that_checks(tmp_path: Path, form: str) -> None:
    args = ("new", "--form", form, "-p", "Røros", "-p", "3430", "-p", "5026")
    result = invoke(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "cases" / "roros-os-holtalen.yaml"
    text = path.read_text(encoding="utf-8")
    assert f"samarbeidsform: {form}" in text
    assert "«" in text  # placeholders the secretariat must replace
    # Valid as it stands; the placeholders left are warnings (errors with --strict).
    checked = invoke("check", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "warning: the starter's placeholder" in checked.stderr
    again = invoke(*args, cwd=tmp_path)
    assert again.returncode == 1
    assert "exists already" in again.stderr
    assert path.read_text(encoding="utf-8") == text
