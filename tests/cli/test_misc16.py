"""Small truths of issue 16: a pasteable -v command, the base-amount resolution, the signature
page, a manifest without repeats, and municipality search that folds to ASCII and knows former
municipalities."""

from __future__ import annotations

import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from generator.base.project import templates_dir
from generator.compose.document import Item
from generator.compose.enrich import compose
from generator.model.case import load_case
from tests.helpers import EXAMPLES, FIXTURES, ROOT, invoke

PP = (EXAMPLES / "pp-teneste-sogn.yaml").read_text(encoding="utf-8")


# --- 1. `samdok -v` prints a LibreOffice command that a shell runs as samdok did -----------

RECORDER = """#!/bin/sh
: > "$SAMDOK_TEST_ARGS"
for arg in "$@"; do printf '%s\\0' "$arg" >> "$SAMDOK_TEST_ARGS"; done
exit 1
"""


def test_verbose_libreoffice_command_can_be_pasted_into_a_shell(tmp_path: Path) -> None:
    soffice = tmp_path / "soffice"
    soffice.write_text(RECORDER, encoding="utf-8")
    soffice.chmod(soffice.stat().st_mode | stat.S_IEXEC)
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "minimal.yaml").write_bytes((FIXTURES / "minimal.yaml").read_bytes())
    recorded = tmp_path / "args"
    env = {"SAMDOK_SOFFICE": str(soffice), "SAMDOK_TEST_ARGS": str(recorded)}
    result = invoke("-v", "build", "--jobs", "1", cwd=tmp_path, env=env)
    assert result.returncode == 3, result.stderr
    # The last command printed is the one the recorder saw last (a failed worker is retried).
    line = [x for x in result.stdout.splitlines() if x.startswith("$ ")][-1]
    by_samdok = recorded.read_bytes().split(b"\0")[:-1]
    # The filter options (JSON with quotes and braces) reach soffice whole when pasted.
    assert any(b'"SelectPdfVersion"' in arg for arg in by_samdok)
    recorded.unlink()
    subprocess.run(["sh", "-c", line[2:]], env={**env, "PATH": "/usr/bin:/bin"}, check=False)
    assert recorded.read_bytes().split(b"\0")[:-1] == by_samdok
    assert shlex.split(line[2:])[0] == str(soffice)


# --- 2. with a base amount the resolution says what the amount is --------------------------

def _resolution(tmp_path: Path, language: str) -> str:
    text = PP.replace("språk: nn", f"språk: {language}").replace(
        "fordeling: {nøkkel: folketall}",
        "fordeling: {nøkkel: grunnbeløp_og_folketall, grunnbeløp: 1000000}")
    path = tmp_path / f"grunnbelop-{language}.yaml"
    path.write_text(text, encoding="utf-8")
    submission = compose(load_case(path), templates_dir())[1]
    items = submission.clause("forslag_til_vedtak").blocks
    return next(b.text for b in items if isinstance(b, Item) and "Kostnadene" in b.text)


@pytest.mark.parametrize(("language", "expected"), [
    ("nb", "For Sogndal kommune er andelen av det som står igjen etter grunnbeløpene 63,2 %. "
           "Med grunnbeløpet betaler Sogndal kommune til sammen kr 5 171 647 i budsjettet for "
           "2027."),
    ("nn", "For Sogndal kommune er delen av det som står att etter grunnbeløpa 63,2 %. "
           "Med grunnbeløpet betaler Sogndal kommune til saman kr 5 171 647 i budsjettet for "
           "2027."),
])
def test_base_amount_resolution_says_the_amount_includes_the_base(
        tmp_path: Path, language: str, expected: str) -> None:
    sentence = _resolution(tmp_path, language).replace("\u00a0", " ")
    assert sentence.endswith(expected)
    # kr 5 171 647 is the base amount plus 63,2 % of (9,6 M - 3 x 1 M): not the share alone.
    assert "som gir" not in sentence and "som gjev" not in sentence


def test_resolution_without_base_amount_is_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "pp.yaml"
    path.write_text(PP.replace("språk: nn", "språk: nb"), encoding="utf-8")
    items = compose(load_case(path), templates_dir())[1].clause("forslag_til_vedtak").blocks
    sentence = next(b.text for b in items if isinstance(b, Item) and "Kostnadene" in b.text)
    expected = "For Sogndal kommune er andelen 63,2 %, som gir kr 6 067 850 i budsjettet for 2027."
    assert expected in sentence.replace("\u00a0", " ")


# --- 3. the signature page: lines only for what the case leaves open ------------------------

def _signature_page(tmp_path: Path, signing: str | None) -> list[str]:
    """The paragraphs of the agreement's Word file from the heading Underskrifter on."""
    from docx import Document as Word

    from generator.word.writer import write_docx

    text = (EXAMPLES / "roros-os-holtalen.yaml").read_text(encoding="utf-8")
    old = "underskrift: {sted: Røros, dato: 2016-05-18}\n"
    assert old in text
    path = tmp_path / "case.yaml"
    path.write_text(text.replace(old, signing or ""), encoding="utf-8")
    (agreement,) = compose(load_case(path), templates_dir())
    out = tmp_path / "samarbeidsavtale.docx"
    write_docx(agreement, templates_dir(), out)
    paragraphs = [p.text for p in Word(str(out)).paragraphs]
    return paragraphs[paragraphs.index("Underskrifter"):]


def test_agreed_place_and_date_leave_no_place_or_date_lines(tmp_path: Path) -> None:
    page = _signature_page(tmp_path, "underskrift: {sted: Røros, dato: 2016-05-18}\n")
    assert page[1] == "Røros, 18. mai 2016"
    assert not [line for line in page if line.startswith(("Sted:", "Dato:"))]
    assert sum(line.startswith("Underskrift:") for line in page) == 3


def test_agreed_place_alone_leaves_a_date_line_per_party(tmp_path: Path) -> None:
    page = _signature_page(tmp_path, "underskrift: {sted: Røros}\n")
    assert page[1] == "Røros"
    assert not [line for line in page if line.startswith("Sted:")]
    assert [line.strip() for line in page if line.startswith("Dato:")] == ["Dato:"] * 3


def test_nothing_agreed_leaves_place_and_date_lines_per_party(tmp_path: Path) -> None:
    page = _signature_page(tmp_path, None)
    assert page[1] == "For Røros kommune"
    lines = [line for line in page if line.startswith("Sted:")]
    assert len(lines) == 3 and all("Dato:" in line for line in lines)


def test_standard_templates_are_what_make_templates_writes(tmp_path: Path) -> None:
    # Byte for byte: the script pins zip times and dates, so a regenerated template differs
    # from the committed one only when what it holds changed.
    import shutil

    folder = tmp_path / "templates"
    folder.mkdir()
    shutil.copy(ROOT / "templates" / "make_templates.py", folder)
    subprocess.run([sys.executable, str(folder / "make_templates.py")], check=True,
                   capture_output=True, cwd=tmp_path)
    for name in ("samarbeidsavtale.docx", "tjenesteavtale.docx", "saksframlegg.docx"):
        assert (folder / name).read_bytes() == (ROOT / "templates" / name).read_bytes(), name


# --- 4. the manifest lists each input once ----------------------------------------------------

def test_manifest_lists_shared_inputs_once() -> None:
    from generator.build import manifest

    case = EXAMPLES / "barnevern-lillehammer-gausdal.yaml"
    documents = compose(load_case(case), templates_dir())
    # As the build calls it: one kind per document, the submission once per council.
    kinds = [d.kind for d in documents]
    assert kinds.count("saksframlegg") == 2
    files = manifest.inputs(case, templates_dir(), kinds, "nb")
    assert len(files) == len(set(files))
    names = [f.relative_to(ROOT).as_posix() for f in files]
    assert names == [
        "cases/barnevern-lillehammer-gausdal.yaml",
        "templates/tjenesteavtale.docx", "templates/klausuler/tjenesteavtale.nb.yaml",
        "templates/saksframlegg.docx", "templates/klausuler/saksframlegg.nb.yaml",
        "templates/klausuler/felles.nb.yaml",
        "generator/data/kommuner.csv", "generator/data/regler.yaml"]


# --- 5. samdok kommune folds to ASCII and knows former municipalities -----------------------

from click.testing import CliRunner  # noqa: E402

from generator.cli import main  # noqa: E402
from generator.model import register  # noqa: E402


def _kommune(*words: str):
    return CliRunner().invoke(main, ["kommune", *words])


@pytest.mark.parametrize(("query", "numbers"), [
    ("snasa", ["5041"]),  # Snåase - Snåsa
    ("Heroy", ["1515", "1818"]),  # both Herøy
    ("tromso", ["5501"]),
    ("tromsoe", ["5501"]),
    ("baerum", ["3201"]),  # æ -> ae
    ("aasnes", ["3418"]),  # å -> aa
    ("Guovdageaidnu", ["5612"]),
])
def test_kommune_finds_names_spelt_in_ascii_first(query: str, numbers: list[str]) -> None:
    result = _kommune(query)
    assert result.exit_code == 0, result.output
    listed = [line.split()[0] for line in result.output.splitlines()]
    assert listed[:len(numbers)] == numbers


def test_kommune_ha_lists_hå_first_then_names_starting_with_ha() -> None:
    listed = [line.split()[0] for line in _kommune("Ha").output.splitlines()]
    assert listed[0] == "1119"  # Hå
    assert {"1106", "1517", "1580"} <= set(listed)  # Haugesund, Hareid, Haram


def test_kommune_tysfjord_says_what_became_of_it() -> None:
    result = _kommune("Tysfjord")
    assert result.exit_code == 1
    assert "no municipality matches 'Tysfjord'" in result.output
    assert ("hint: Tysfjord (1850) is no longer a municipality: on 2020-01-01 it was divided "
            "between 1806 Narvik and 1875 Hábmer - Hamarøy") in result.output
    assert "Båtsfjord" not in result.output  # no unrelated suggestions


def test_kommune_former_chain_is_followed_to_today() -> None:
    result = _kommune("Hobøl")
    assert result.exit_code == 1
    assert ("Hobøl (0138) is no longer a municipality: on 2020-01-01 it became part of 3014 "
            "Indre Østfold, which on 2024-01-01 became 3118 Indre Østfold") in result.output
    number = _kommune("1850")
    assert number.exit_code == 1
    assert "1850 is no longer a municipality number: on 2020-01-01" in number.output


def test_a_case_file_names_a_municipality_exactly_with_a_hint_from_folding() -> None:
    with pytest.raises(register.RegisterError) as caught:
        register.find("Snasa")
    assert caught.value.message == "no municipality named 'Snasa'"
    assert caught.value.hint.startswith("did you mean 5041 Snåase - Snåsa?")
    with pytest.raises(register.RegisterError) as caught:
        register.find("Tysfjord")
    assert caught.value.hint.startswith("Tysfjord (1850) is no longer a municipality")
    assert register.find("Snåsa").number == "5041"


def test_case_file_with_an_ascii_name_is_located_with_the_hint(tmp_path: Path) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    assert "  - kommune: 3441\n" in text
    case = tmp_path / "x.yaml"
    case.write_text(text.replace("  - kommune: 3441\n", "  - kommune: Oyer\n"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(case)])
    assert result.exit_code == 1
    assert "parter[1].kommune: no municipality named 'Oyer'" in result.output
    assert "hint: did you mean 3440 Øyer? write the name with its own letters" in result.output


def test_change_table_agrees_with_the_register() -> None:
    from generator.model import former

    current = register.municipalities()
    ended = former.ended()
    assert "1850" in ended and ended["1850"].date == "2020-01-01"
    assert not [code for code in ended if code in current]
    made_2024 = {c.new_code for c in former.changes() if c.date == "2024-01-01"}
    assert made_2024 <= current.keys()

    def today(code: str, since: str) -> set[str]:
        entry = ended.get(code)
        if entry is None or entry.date <= since:
            return {code}
        return set().union(*(today(new, entry.date) for new, _ in entry.into))

    for entry in ended.values():
        for code, _ in entry.into:
            assert today(code, entry.date) <= current.keys(), entry
