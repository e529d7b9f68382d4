"""Hostile text and sizes in case files: invisible and control characters, lone surrogates,
alias bombs in bytes, deep nesting and huge numbers are each a located message, never a
traceback, and nothing is built."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import main
from tests.helpers import FIXTURES, write_case

HOSTILE = FIXTURES / "fiendtlig"
BIDI = ("the text holds U+202E RIGHT-TO-LEFT OVERRIDE, an invisible control that can make the "
        "document show the text around it in another order than the file has it")
ZERO_WIDTH = ("the text holds U+200B ZERO WIDTH SPACE, an invisible formatting character, so "
              "the document would hold text its readers cannot see")
C0 = "a control character, which a document cannot show and a Word file cannot hold"
SURROGATE = "half of a character (a lone surrogate), which no document can hold"

# file -> its first message line after the file name, exactly
EXPECTED = {
    "tekst-bidi-overstyring.yaml": f":8:30: formål: {BIDI}",
    "tekst-bidi-escape.yaml": f":8:31: formål: {BIDI}",
    "tekst-nokkel-bidi.yaml": ":19:6: " + BIDI.replace("the text holds", "the key holds", 1),
    "tekst-nullbredde.yaml": f":8:45: formål: {ZERO_WIDTH}",
    "tekst-c0-kontrolltegn.yaml": f":8:37: formål: the text holds U+0007 <control>, {C0}",
    "tekst-c0-raa.yaml": f":8:36: formål: the file holds U+0007 <control>, {C0}",
    "tekst-tittel-kontrolltegn.yaml": f":3:36: tittel: the text holds U+0001 <control>, {C0}",
    "tekst-c1-kontrolltegn.yaml":
        ":8:53: formål: the text holds U+0096 <control>, a control character (C1), which a "
        "document cannot show",
    "tekst-c1-nel.yaml":
        ":8:37: formål: the file holds U+0085 <control>, a control character (C1), which a "
        "document cannot show",
    "tekst-ensom-surrogat.yaml": f":8:53: formål: the text holds U+D800 <surrogate>, {SURROGATE}",
    "tekst-surrogatpar.yaml": f":8:53: formål: the text holds U+D83D <surrogate>, {SURROGATE}",
    "tekst-mange-feil.yaml": f":3:25: tittel: {ZERO_WIDTH}",
    # the file is clean; what its placeholder writes is not
    "tekst-plassholder-bidi.yaml": ":8:9: formål: " + BIDI.replace("the text holds",
                                                                   "a placeholder writes", 1),
    "tekst-plassholder-surrogat.yaml":
        f":8:9: formål: a placeholder writes U+D800 <surrogate>, {SURROGATE}",
    "tekst-alias-bytes.yaml":
        ":3:4: f[0][8][8][8][8]: the file expands to more than 20,000,000 bytes of text "
        "(aliases repeating long texts)",
    "tekst-dyp-nesting.yaml":
        ":3:60: bakgrunn: lists and mappings are nested more than 50 levels deep",
    "tekst-dyp-alias.yaml":
        ":3:19: a1[0][0][0]…: lists and mappings are nested more than 50 levels deep (aliases "
        "inside aliases)",
    "tekst-tall-budsjett.yaml":
        ":11:20: økonomi.budsjett[2027]: must be less than 1,000,000,000,000",
    "tekst-tall-budsjettaar.yaml":
        ":11:38: økonomi.budsjett[9999999999999999999999]: must be less than or equal to 2200",
    "tekst-tall-grunnbelop.yaml":
        ":10:60: økonomi.fordeling.grunnbeløp: must be less than 1,000,000,000,000",
    "tekst-tall-folketall.yaml": ":7:16: parter[0].folketall: must be less than 100,000,000",
    "tekst-tall-antall.yaml":
        ":10:68: økonomi.fordeling.antall[3405]: must be less than 1,000,000,000",
    "tekst-tall-ramme.yaml": ":19:36: låneadgang.ramme: must be less than 1,000,000,000,000",
    "tekst-tall-medlemmer.yaml": ":19:20: nemnd.medlemmer: must be less than or equal to 100",
    "tekst-tall-utkast.yaml": ":19:9: utkast: must be less than or equal to 999",
    "tekst-tall-sifre.yaml":
        ":11:20: økonomi.budsjett[2027]: '1000000000000000000000000000000000000000…' is too "
        "long a number to read",
    "tekst-tall-uendelig.yaml":
        ":11:20: økonomi.budsjett[2027]: expected a number, got infinity (a number too large "
        "to hold, such as 1e400)",
}
# Characters with a real use: a warning, and --strict refuses them.
WARNED = {
    "tekst-myk-bindestrek.yaml":
        ":8:45: formål: warning: the text holds U+00AD SOFT HYPHEN, an invisible hyphenation "
        "point, shown only where a line breaks there",
    "tekst-tabulator.yaml":
        ":8:37: formål: warning: the text holds U+0009 <control>, a tab, which the document "
        "shows as a gap of varying width",
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder as the working folder (templates: the standard ones)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases").mkdir()
    return tmp_path


def samdok(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def add(project: Path, name: str) -> str:
    shutil.copy(HOSTILE / name, project / "cases" / name)
    return f"cases/{name}"


def assert_refused(result: Result, first: str) -> None:
    """Exit 1 with `first` as the first line, a hint, a count, and no traceback."""
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines[0] == first
    assert lines[1].startswith("    hint: ")
    # the count, and what the command did not do (build: "nothing was built")
    assert " problem(s) in " in lines[-1] and lines[-1].endswith(".")


def assert_nothing_built(project: Path) -> None:
    built = project / "build"
    assert not built.exists() or not [p for p in built.rglob("*") if p.is_file()]


def test_the_hostile_text_corpus_is_complete() -> None:
    files = {p.name for p in HOSTILE.glob("tekst-*")}
    assert files == set(EXPECTED) | set(WARNED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_case_is_refused_at_its_place_and_nothing_is_built(project: Path,
                                                                    name: str) -> None:
    case = add(project, name)
    assert_refused(samdok("build", case), case + EXPECTED[name])
    assert_nothing_built(project)


@pytest.mark.parametrize("name", ["tekst-bidi-overstyring.yaml", "tekst-ensom-surrogat.yaml",
                                  "tekst-plassholder-bidi.yaml",
                                  "tekst-tittel-kontrolltegn.yaml", "tekst-tall-budsjett.yaml",
                                  "tekst-tall-folketall.yaml", "tekst-dyp-nesting.yaml"])
def test_check_and_text_refuse_it_the_same_way(project: Path, name: str) -> None:
    # `text` is git's textconv driver: a plain `git diff` must not show a traceback either
    case = add(project, name)
    for command in ("check", "text"):
        assert_refused(samdok(command, case), case + EXPECTED[name])
    assert sorted(p.name for p in project.rglob("*")) == ["cases", name]


def test_every_problem_of_a_file_is_reported_in_one_run(project: Path) -> None:
    case = add(project, "tekst-mange-feil.yaml")
    result = samdok("check", case)
    assert_refused(result, case + EXPECTED["tekst-mange-feil.yaml"])
    located = [line.split(": ", 1)[0] for line in result.stderr.splitlines()
               if line.startswith(case)]
    assert located == [f"{case}:3:25", f"{case}:8:19", f"{case}:8:57", f"{case}:8:64",
                       f"{case}:18:69"]
    assert "U+0000 <control>" in result.stderr and "U+2028 LINE SEPARATOR" in result.stderr
    assert "5 problem(s) in 1 file(s)" in result.stderr


def test_raw_control_characters_are_all_reported(project: Path) -> None:
    # YAML's reader stops at the first; the file has one on line 8 and one on line 18
    case = add(project, "tekst-c0-raa.yaml")
    result = samdok("check", case)
    assert f"{case}:18:33: oppløsning: the file holds U+001B <control>" in result.stderr
    assert "2 problem(s)" in result.stderr


def test_a_c1_character_names_what_was_probably_meant(project: Path) -> None:
    case = add(project, "tekst-c1-kontrolltegn.yaml")
    hint = samdok("check", case).stderr.splitlines()[1]
    assert hint == ("    hint: it is probably '–' from text saved as Windows-1252: "
                    "write '–' instead")


@pytest.mark.parametrize("name", sorted(WARNED))
def test_an_invisible_character_with_a_real_use_is_a_warning(project: Path, name: str) -> None:
    case = add(project, name)
    result = samdok("check", case)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith(case)]
    assert warnings == [case + WARNED[name]]  # and nothing else in the text is named
    assert_refused(samdok("check", "--strict", case), case + WARNED[name])


def test_ordinary_letters_and_spaces_pass_without_a_word(project: Path) -> None:
    # no-break spaces, Sámi letters, dashes, quotes and an emoji written as itself (or as
    # one \U escape) are what documents hold; only the soft hyphen is named
    text = (HOSTILE / "tekst-myk-bindestrek.yaml").read_text(encoding="utf-8")
    text = text.replace("felles lønnings\u00adkontor.", "felles lønnings\u00adkontor "
                        "i Deatnu\u00a0–\u00a0Tana (Čáhcesuolu, Kárášjohka) «nå» 👍.")
    text += 'navn: "Romssa \\U0001F44D \\u00e6\\u00f8\\u00e5"\n'
    write_case(project / "cases", "vanlig.yaml", text)
    result = samdok("check", "cases/vanlig.yaml")
    assert result.exit_code == 0, result.output
    assert [line for line in result.stderr.splitlines() if "warning" in line] == [
        "cases/vanlig.yaml" + WARNED["tekst-myk-bindestrek.yaml"]]


def test_a_file_above_the_size_limit_is_refused_before_it_is_parsed(project: Path) -> None:
    case = project / "cases" / "stor.yaml"
    with case.open("w", encoding="utf-8") as file:
        file.write("tittel: Stor\n")
        file.write(("# " + "x" * 98 + "\n") * 100_000)  # 10 MB and a line: the limit is 10 MB
    result = samdok("check", "cases/stor.yaml")
    assert_refused(result, "cases/stor.yaml: the file is larger than 10,000,000 bytes")


@pytest.mark.parametrize(("text", "where"), [
    # levels the scanner does not see: pairs inside a flow list, a list at its key's column
    ("- " + "[a: " * 50 + "1" + "]" * 50 + "\n", (1, 100)),
    ("a:\n- " + "[{" * 48 + "1" + "}]" * 48 + "\n", (2, 51)),
    ("a:\n- " + "[a: " * 50 + "1" + "]" * 50 + "\n", (2, 99)),
    ("tittel: Dypt\nbakgrunn: " + "[" * 100_000 + "\n", (2, 60)),
])
def test_too_deep_is_where_the_first_collection_is_too_deep(tmp_path: Path, text: str,
                                                           where: tuple[int, int]) -> None:
    # The scanner stops at the first '[' it counts too deep (tests/bench.py: how quickly);
    # the parser's count says where, as it did before the scanner stopped anything.
    from generator.errors import CaseError
    from generator.model.source import load_yaml

    path = write_case(tmp_path, "dyp.yaml", text)
    with pytest.raises(CaseError) as raised:
        load_yaml(path, "dyp.yaml")
    [problem] = raised.value.problems
    assert (problem.line, problem.column) == where
    assert problem.message == "lists and mappings are nested more than 50 levels deep"


@pytest.mark.parametrize("escape", ["\\U00110000", "\\UFFFFFFFF"])
def test_an_escape_for_a_character_unicode_does_not_have_is_a_located_error(
        tmp_path: Path, escape: str) -> None:
    # Python's chr() refused these with a ValueError or an OverflowError: a traceback
    from generator.errors import CaseError
    from generator.model.source import load_yaml

    path = write_case(tmp_path, "u.yaml", f'tittel: Tekst\nformål: "ab{escape}"\n')
    with pytest.raises(CaseError) as raised:
        load_yaml(path, "u.yaml")
    [problem] = raised.value.problems
    assert (problem.line, problem.column, problem.field) == (2, 14, "formål")
    assert "an escape for a character Unicode does not have" in problem.message


@pytest.mark.parametrize(("text", "where"), [
    # the 21st node: the mapping, tittel, x, liste, the list and 15 items come first
    ("tittel: x\nliste:\n" + "- 1\n" * 30, (18, 3)),
    ("tittel: &t x\nliste:\n" + "- 1\n" * 30, (18, 3)),  # an anchor: the pure parser only
    ("tittel: x\nliste: [" + "[1, 2], " * 10 + "]\n", (2, 49)),  # the sixth [1, 2]
])
def test_a_file_with_too_many_keys_and_values_is_refused_where_they_pass_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str,
        where: tuple[int, int]) -> None:
    # Counted as the file is parsed, so 10 MB of '[[[…' stop after the first 100,000 instead of
    # taking minutes and gigabytes; here the limit is 20, so the test is quick.
    from generator.errors import CaseError
    from generator.model import source

    monkeypatch.setattr(source, "MAX_FILE_NODES", 20)
    path = write_case(tmp_path, "mange.yaml", text)
    with pytest.raises(CaseError) as raised:
        source.load_yaml(path, "mange.yaml")
    [problem] = raised.value.problems
    assert (problem.line, problem.column) == where
    assert problem.message == "the file holds more than 20 keys and values"
    monkeypatch.setattr(source, "MAX_FILE_NODES", 100)
    assert source.load_yaml(path, "mange.yaml").data["tittel"] == "x"


@pytest.mark.parametrize(("text", "where", "message"), [
    # ruamel stopped with an AssertionError (1.3) or a KeyError in its resolver
    ("%YAML 1.3\n---\ntittel: Tekst\n", (1, 10), "found YAML version 1.3"),
    ("---\n%YAML 1.3", (2, 10), "found YAML version 1.3"),
    ("%YAML 2.0\n---\ntittel: Tekst\n", (1, 10), "found YAML version 2.0"),
    # a tag on a value it cannot make: a KeyError and a ConstructorError got through
    ("tittel: !!bool x\n", (1, 9), "'x' cannot be read (neither true nor false)"),
    ("tittel: !!timestamp x\n", (1, 9), "'x' is not a real date"),
    ("tittel: !!int x\n", (1, 9), "'x' is not a whole number"),
    # read without a digit limit, and then not printable in digits (4300 at most)
    ("folketall: 0x" + "f" * 5000 + "\n", (1, 12), "is too long a number to read"),
    ("folketall: 0o" + "7" * 6000 + "\n", (1, 12), "is too long a number to read"),
])
def test_a_value_ruamel_cannot_make_is_a_located_message_not_a_traceback(
        tmp_path: Path, text: str, where: tuple[int, int], message: str) -> None:
    from generator.errors import CaseError
    from generator.model.source import load_yaml

    path = write_case(tmp_path, "v.yaml", text)
    with pytest.raises(CaseError) as raised:
        load_yaml(path, "v.yaml")
    [problem] = raised.value.problems
    assert (problem.line, problem.column) == where
    assert message in problem.message, problem.message
