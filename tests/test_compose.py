"""The document model: clause order, numbering, overrides, computed tables and evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.case import load_case
from generator.compose import compose
from generator.document import Item, SubHeading, Table
from generator.errors import CaseError, TemplateError
from generator.project import templates_dir
from tests.conftest import EXAMPLES, FIXTURES, write_case

MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")


def model(path: Path):
    (document,) = compose(load_case(path), templates_dir())
    return document


def test_example_agreement_model() -> None:
    doc = model(EXAMPLES / "roros-os-holtalen.yaml")
    ids = [c.id for c in doc.clauses]
    assert ids[:3] == ["parter", "bakgrunn", "formål"]
    assert [c.number for c in doc.clauses] == list(range(1, len(ids) + 1))
    for required in ("formål", "økonomi", "inntreden_og_uttreden", "ikrafttredelse"):
        assert required in ids
    assert doc.clause("ikrafttredelse").evidence == ("1. juli 2016",)
    assert doc.clause("økonomi").evidence[1:] == ("Røros", "Os", "Holtålen")
    groups = [b for b in doc.clause("samarbeidsområder").blocks if isinstance(b, SubHeading)]
    assert [g.label for g in groups] == ["A.", "B.", "C.", "D."]
    first = next(b for b in doc.clause("samarbeidsområder").blocks if isinstance(b, Item))
    assert (first.label, first.text) == ("i.", "Felles barnevern (vertskommune: Røros)")
    assert [s.party for s in doc.signatories] == ["Røros kommune", "Os kommune",
                                                  "Holtålen kommune"]
    assert doc.place_and_date == "Røros, 18. mai 2016"


def test_cost_table_adds_up_as_printed() -> None:
    doc = model(FIXTURES / "minimal.yaml")
    (table,) = [b for b in doc.clause("økonomi").blocks if isinstance(b, Table)]
    assert table.header == ("Kommune", "Andel", "Budsjett 2027")
    amounts = [int(row[2].removeprefix("kr\u00a0").replace("\u00a0", "")) for row in table.rows]
    assert amounts == [500001, 500000]
    assert table.total[-1] == "kr\u00a01\u00a0000\u00a0001"
    example = model(EXAMPLES / "roros-os-holtalen.yaml")
    (shares,) = [b for b in example.clause("økonomi").blocks if isinstance(b, Table)]
    tenths = [int(r[2].split("\u00a0")[0].replace(",", "")) for r in shares.rows]
    assert sum(tenths) == 1000


def test_clause_override_and_new_clause(tmp_path: Path) -> None:
    text = MINIMAL + (
        "klausuler:\n"
        "  tvister:\n    overskrift: Uenighet\n    tekst: Partene skal forhandle.\n"
        "  arkiv:\n    overskrift: Arkiv\n"
        "    tekst: 'Vertskommunen arkiverer for {{ parter_navn }}.'\n"
        "    etter: formål\n"
    )
    doc = model(write_case(tmp_path, "c.yaml", text))
    ids = [c.id for c in doc.clauses]
    assert ids[ids.index("formål") + 1] == "arkiv"
    assert doc.clause("tvister").heading == "Uenighet"
    assert doc.clause("arkiv").blocks[0].text == (
        "Vertskommunen arkiverer for Lillehammer og Gausdal.")


def test_unknown_clause_id_is_a_located_error(tmp_path: Path) -> None:
    path = write_case(tmp_path, "c.yaml", MINIMAL + "klausuler:\n  tvist:\n    tekst: x\n")
    with pytest.raises(CaseError) as caught:
        model(path)
    (problem,) = caught.value.problems
    assert (problem.line, problem.field) == (MINIMAL.count("\n") + 2, "klausuler.tvist")
    assert "tvister" in problem.hint


def test_unknown_placeholder_names_the_field(tmp_path: Path) -> None:
    path = write_case(tmp_path, "c.yaml", MINIMAL.replace(
        "formål: Kommunene", "formål: Se {{ ukjent }}. Kommunene"))
    with pytest.raises(TemplateError, match=r"c.yaml: formål: unknown placeholder"):
        model(path)


def test_case_text_cannot_reach_python_internals(tmp_path: Path) -> None:
    path = write_case(tmp_path, "c.yaml", MINIMAL.replace(
        "formål: Kommunene", "formål: Se {{ ''.__class__.__mro__ }} Kommunene"))
    with pytest.raises(TemplateError):
        model(path)


def test_names_in_the_case_give_the_norwegian_names_in_the_text(tmp_path: Path) -> None:
    text = (MINIMAL.replace("kommune: 3405", "kommune: Deatnu")
            .replace("kommune: 3441", "kommune: Unjárga - Nesseby")
            .replace("formål: Kommunene", "formål: Avtalen gjelder {{ parter_liste }}. Kommunene"))
    doc = model(write_case(tmp_path, "c.yaml", text))
    assert doc.clause("formål").blocks[0].text.startswith(
        "Avtalen gjelder Tana kommune og Nesseby kommune. Kommunene")
    assert [s.party for s in doc.signatories] == ["Tana kommune", "Nesseby kommune"]
    (table,) = [b for b in doc.clause("økonomi").blocks if isinstance(b, Table)]
    assert [row[0] for row in table.rows] == ["Tana", "Nesseby"]
