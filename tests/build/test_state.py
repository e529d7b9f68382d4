"""The build state: what is up to date, and two builds that finish one after the other."""

from __future__ import annotations

from pathlib import Path

from generator.build.state import BuildState
from tests.helpers import ROOT, write_case


def _outputs(out: Path, case_id: str) -> list[str]:
    names = ["samarbeidsavtale.docx", "samarbeidsavtale.pdf", "manifest.json"]
    for name in names:
        write_case(out / case_id, name, f"{case_id} {name}")
    return names


def test_a_build_that_read_the_state_earlier_keeps_what_another_recorded(tmp_path: Path) -> None:
    out, templates = tmp_path / "build", ROOT / "templates"
    first = write_case(tmp_path / "cases", "a.yaml", "id: a\n")
    second = write_case(tmp_path / "cases", "b.yaml", "id: b\n")
    early, late = BuildState(out, templates), BuildState(out, templates)

    early.record(first, "a", 0, 1, _outputs(out, "a"))
    early.save()
    late.record(second, "b", 0, 1, _outputs(out, "b"))
    late.save()

    now = BuildState(out, templates)
    assert now.current_case(first) == ("a", 1)
    assert now.current_case(second) == ("b", 1)


def test_an_edited_case_or_a_touched_output_is_not_current(tmp_path: Path) -> None:
    out, templates = tmp_path / "build", ROOT / "templates"
    case = write_case(tmp_path / "cases", "a.yaml", "id: a\n")
    state = BuildState(out, templates)
    state.record(case, "a", 0, 1, _outputs(out, "a"))
    state.save()
    assert BuildState(out, templates).current_case(case) == ("a", 1)

    (out / "a" / "samarbeidsavtale.pdf").write_text("edited in another program")
    assert BuildState(out, templates).current_case(case) is None
    state.record(case, "a", 0, 1, _outputs(out, "a"))
    state.save()
    case.write_text("id: a\ntittel: ny\n", encoding="utf-8")
    assert BuildState(out, templates).current_case(case) is None
