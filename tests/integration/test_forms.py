"""Every cooperation form: a complete case passes; each missing requirement fails with its law."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from generator.model import rules
from generator.model.case import FORMS, load_case
from tests.helpers import FIXTURES, invoke, yaml_data

FORM_CASES = FIXTURES / "former"


def form_case(form: str) -> Path:
    return FORM_CASES / f"{form}.yaml"


def requirement_cases() -> list[tuple[str, rules.Requirement]]:
    # 'parter' is required by the case model itself (at least two), which says so first.
    return [(form, req) for form in FORMS
            for req in rules.applicable("samarbeidsavtale", form) if req.field != "parter"]


def test_there_is_a_complete_case_for_every_form() -> None:
    assert sorted(p.stem for p in FORM_CASES.glob("*.yaml")) == sorted(FORMS)
    for form in FORMS:
        loaded = load_case(form_case(form))
        assert loaded.case.form == form
        assert rules.check(loaded) == []


def test_forms_have_their_own_requirements() -> None:
    by_form = {form: {r.field for r in rules.applicable("samarbeidsavtale", form)}
               for form in FORMS}
    baseline = {"formål", "økonomi", "inntreden", "uttreden", "ikrafttredelse"}
    assert by_form["rammeavtale"] == baseline
    assert by_form["vertskommune"] == baseline | {"parter", "vertskommune", "oppgaver",
                                                  "overføring", "underretning", "oppløsning"}
    assert by_form["vertskommune_med_nemnd"] == by_form["vertskommune"] | {"nemnd"}
    assert {"eierandeler", "hovedkontor", "styre", "representantskap"} <= by_form["iks"]
    assert ({"eierandeler", "låneadgang", "representantskap", "rapportering"}
            <= by_form["oppgavefellesskap"])
    # A liability share is required only where it differs from the ownership share.
    assert "ansvarsandeler" not in by_form["oppgavefellesskap"]


@pytest.mark.parametrize(("form", "requirement"), requirement_cases(),
                         ids=[f"{f}-{r.field}" for f, r in requirement_cases()])
def test_removing_a_required_item_fails_citing_its_basis(tmp_path: Path, form, requirement):
    yaml = YAML(typ="safe", pure=True)
    data = yaml_data(form_case(form).read_text(encoding="utf-8"))
    del data[requirement.field]
    case = tmp_path / f"{form}.yaml"
    with case.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    result = invoke("check", str(case), cwd=tmp_path)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if ": missing — " in line]
    assert len(lines) == 1, result.stderr
    citation = requirement.citation(form)
    assert f"{requirement.field}: missing — {citation}: {requirement.description}" in lines[0]
    assert "§" in citation or "kapittel" in citation or "samdok" in citation
    assert not (tmp_path / "build").exists()


@pytest.mark.libreoffice
def test_every_form_builds_and_verifies(built: Path, verified) -> None:
    # Each form's complete case is among the cases the suite builds once with `build --strict`
    # (conftest's `built`, which asserts that build succeeded), and `verified` is
    # `samdok verify --strict` over all of them.
    assert all((built / "cases" / form_case(form).name).is_file() for form in FORMS)
    result = verified
    assert result.returncode == 0, result.stderr
    forms = [line for line in result.stdout.splitlines() if line.startswith("ok  build/form-")]
    assert sum("every required clause found" in line for line in forms) == len(FORMS)
