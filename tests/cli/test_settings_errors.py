"""Settings read once from the environment, errors with their hint as a field, one error
handler for every command, and only a foreign PDF reported as one by the attachment step."""

from __future__ import annotations

import ast
import datetime as dt
import functools
import pickle
import re
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name

from generator import settings
from generator.errors import ConversionError, OutputError, SamdokError, SettingError
from generator.settings import Settings
from tests.helpers import ROOT, invoke

GENERATOR = ROOT / "generator"
WHEN = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


# --- settings ------------------------------------------------------------------------------

def test_settings_are_read_and_checked_from_the_environment_given() -> None:
    read = Settings.read({"SOURCE_DATE_EPOCH": " 1800000000 ", "SAMDOK_CONVERT_TIMEOUT": "2.5",
                          "SAMDOK_TEMPLATES": "/maler", "SAMDOK_SOFFICE": "/opt/so",
                          "SAMDOK_PKCS12_PASSWORD": "hemmelig"})
    assert (read.source_date_epoch, read.convert_timeout) == (1800000000, 2.5)
    assert (read.templates, read.soffice, read.pkcs12_password) == ("/maler", "/opt/so",
                                                                     "hemmelig")
    assert "hemmelig" not in repr(read)  # a password never shows in a message or a log
    assert Settings.read({}) == Settings()
    with pytest.raises(AttributeError):
        read.soffice = "/usr/bin/sh"  # frozen: no stage changes what the command was given


@pytest.mark.parametrize(("variable", "value"), [("SOURCE_DATE_EPOCH", "i går"),
                                                 ("SOURCE_DATE_EPOCH", "99999999999999"),
                                                 ("SAMDOK_CONVERT_TIMEOUT", "nan"),
                                                 ("SAMDOK_CONVERT_TIMEOUT", "0")])
def test_a_bad_setting_names_its_variable_with_a_hint(variable: str, value: str) -> None:
    with pytest.raises(SettingError) as caught:
        Settings.read({variable: value})
    assert caught.value.message.startswith(f"{variable}={value} is not ")
    assert caught.value.hint


def test_a_bad_setting_stops_any_command_before_it_does_anything(tmp_path: Path) -> None:
    result = invoke("schema", cwd=tmp_path, env={"SAMDOK_CONVERT_TIMEOUT": "zehn"})
    assert result.returncode == SettingError.exit_code
    assert result.stdout == ""
    assert "error: SAMDOK_CONVERT_TIMEOUT=zehn is not a number of seconds" in result.stderr
    assert "; hint: e.g. SAMDOK_CONVERT_TIMEOUT=300" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_is_shown_whatever_the_environment_holds(tmp_path: Path) -> None:
    result = invoke("build", "--help", cwd=tmp_path, env={"SOURCE_DATE_EPOCH": "gestern"})
    assert result.returncode == 0 and "Usage:" in result.stdout


def test_stages_use_the_settings_handed_to_them_not_the_environment_of_the_moment(
        tmp_path: Path, monkeypatch) -> None:
    from generator.base import reproducible

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    case = tmp_path / "x.yaml"
    case.write_text("id: x\n", encoding="utf-8")
    with settings.installed(Settings.read({"SOURCE_DATE_EPOCH": "1800000000"})):
        # An environment changed while a command runs changes nothing in it.
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "gestern")
        assert reproducible.fixed_time(case) == dt.datetime.fromtimestamp(1800000000, dt.UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert reproducible.fixed_time(case) == dt.datetime.fromtimestamp(1700000000, dt.UTC)


def _environment_reads(tree: ast.AST) -> list[int]:
    """Lines that read a variable of the environment: os.environ.get / [..] / getenv."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "getenv":
            lines.append(node.lineno)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "get" and isinstance(node.func.value, ast.Attribute)
              and node.func.value.attr == "environ"):
            lines.append(node.lineno)
        elif (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute)
              and node.value.attr == "environ"):
            lines.append(node.lineno)
    return lines


@functools.cache
def _tree(path: Path) -> ast.Module:
    """A module of generator/, parsed once for the checks below (they only read it)."""
    return ast.parse(path.read_text(encoding="utf-8"))


def test_only_the_settings_module_reads_environment_variables() -> None:
    assert len(_environment_reads(ast.parse(
        "os.environ.get('A'); os.getenv('B'); os.environ['C']"))) == 3
    # Copying the whole environment for a child process (git, soffice) is not reading it.
    found = {str(path.relative_to(GENERATOR)): lines for path in sorted(GENERATOR.rglob("*.py"))
             if (lines := _environment_reads(_tree(path)))}
    assert set(found) <= {"settings.py"}, found


# --- errors --------------------------------------------------------------------------------

def test_an_error_carries_its_hint_and_keeps_it_across_processes() -> None:
    from generator.compose.sandbox import PlaceholderError
    from generator.model.register import RegisterError

    error = OutputError("out: cannot write", hint="check the permissions")
    assert (error.message, error.hint) == ("out: cannot write", "check the permissions")
    assert str(error) == "out: cannot write; hint: check the permissions"
    assert str(SamdokError("plain")) == "plain"
    for sent in (error, PlaceholderError("klausul", "unknown name", "write {{ x }}", 3),
                 RegisterError("no municipality named 'Oyer'", "did you mean 3440 Øyer?")):
        back = pickle.loads(pickle.dumps(sent))
        assert (type(back), str(back), back.hint) == (type(sent), str(sent), sent.hint)
    assert str(PlaceholderError("klausul", "unknown name", "write {{ x }}", 3)) == \
        "klausul line 3: unknown name; hint: write {{ x }}"


def test_no_message_writes_its_hint_into_the_text() -> None:
    # A hint is the error's `hint` field; "; hint:" written into a message by hand was the
    # old way. (Report lines of verify and archive findings are text, not errors.)
    written = []
    for path in sorted(GENERATOR.rglob("*.py")):
        for node in ast.walk(_tree(path)):
            if (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
                    and not ast.unparse(node.exc.func).startswith("click.")  # click's own
                    and node.exc.args and "; hint:" in ast.unparse(node.exc.args[0])):
                written.append(f"{path.relative_to(GENERATOR)}:{node.lineno}")
    allowed = {"pdf/verify.py"}  # its worker pool belongs to another change
    assert [w for w in written if w.split(":")[0] not in allowed] == []


def test_a_fault_in_samdok_is_an_internal_error_not_a_bad_input(tmp_path: Path,
                                                                 monkeypatch) -> None:
    from generator.model import schema

    def broken() -> dict:
        raise KeyError("formål")

    monkeypatch.setattr(schema, "json_schema", broken)
    result = invoke("schema", cwd=tmp_path)
    assert result.returncode == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert "internal error: KeyError: 'formål'" in result.stderr
    assert "hint: this is a fault in samdok, not in your files" in result.stderr


def test_every_command_is_covered_by_the_one_error_handler(tmp_path: Path) -> None:
    from generator.cli import main
    from generator.cli.group import SamdokCommand, SamdokGroup

    assert isinstance(main, SamdokGroup)
    assert all(isinstance(command, SamdokCommand) for command in main.commands.values())
    source = "\n".join(p.read_text(encoding="utf-8") for p in (GENERATOR / "cli").glob("*.py"))
    assert "_handle_errors" not in source
    result = invoke("kommune", "ingenstadkommune", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr


# --- attachments ---------------------------------------------------------------------------

def _tagged(path: Path, parent_key=0) -> Path:
    """A one-page PDF tagged as LibreOffice tags: a structure tree with a flat parent tree."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    element = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.P))
    pdf.pages[0].obj.StructParents = parent_key
    pdf.Root.StructTreeRoot = pdf.make_indirect(Dictionary(
        Type=Name.StructTreeRoot, K=Array([element]),
        ParentTree=pdf.make_indirect(Dictionary(Nums=Array([0, Array([element])])))))
    element.P = pdf.Root.StructTreeRoot
    pdf.save(path)
    return path


def test_a_tagged_pdf_is_appended(tmp_path: Path) -> None:
    from generator.pdf.attach import Attachment, append

    document = _tagged(tmp_path / "saksframlegg.pdf")
    with Attachment(_tagged(tmp_path / "avtale.pdf"), WHEN) as attachment:
        append(document, attachment, WHEN)
    with pikepdf.open(document) as combined:
        assert len(combined.pages) == 2
        assert len(combined.Root.StructTreeRoot.K) == 2


def test_a_pdf_append_cannot_read_is_reported_as_a_file_to_build_again(tmp_path: Path) -> None:
    from generator.pdf.attach import Attachment, append

    document = _tagged(tmp_path / "saksframlegg.pdf", parent_key=Name.Null)
    with Attachment(_tagged(tmp_path / "avtale.pdf"), WHEN) as attachment:
        with pytest.raises(ConversionError, match=re.escape(
                "saksframlegg.pdf: could not append avtale.pdf (its StructParents is not a "
                "whole number); hint: build again")):
            append(document, attachment, WHEN)


def test_samdoks_own_fault_in_append_is_not_reported_as_a_file_to_build_again(
        tmp_path: Path, monkeypatch) -> None:
    from generator.pdf import attach

    def broken(*args) -> bytes:
        raise KeyError("/Kids")  # as a slip in samdok's own code would

    monkeypatch.setattr(attach, "_combined", broken)
    document = _tagged(tmp_path / "saksframlegg.pdf")
    with attach.Attachment(_tagged(tmp_path / "avtale.pdf"), WHEN) as attachment:
        with pytest.raises(KeyError):
            attach.append(document, attachment, WHEN)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# --- layering ------------------------------------------------------------------------------

# Each stage may import the stages before it, never one after it: what reads a case knows
# nothing of Word or PDF, and only the command line knows all. errors and settings (at the
# top of generator/) are below every stage.
LAYERS = {"base": 0, "model": 1, "compose": 2, "word": 3, "pdf": 4, "review": 5, "signing": 5,
          "build": 6, "cli": 7}


def _imported_stages(path: Path) -> list[tuple[str, int]]:
    """(stage, line) for each import in a module of generator/ of a stage package, relative
    imports inside functions included."""
    package = list(path.relative_to(GENERATOR).parts[:-1])
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            targets = [alias.name.split(".")[1:2] for alias in node.names
                       if alias.name.startswith("generator.")]
        elif isinstance(node, ast.ImportFrom) and node.level:
            start = package[:len(package) - node.level + 1]
            if node.module:
                targets = [start + node.module.split(".")]
            else:
                targets = [start + [alias.name] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("generator."):
            targets = [node.module.split(".")[1:]]
        else:
            continue
        found += [(target[0], node.lineno) for target in targets
                  if target and target[0] in LAYERS]
    return found


def test_stages_import_only_the_stages_below_them() -> None:
    upward = []
    for path in sorted(GENERATOR.rglob("*.py")):
        parts = path.relative_to(GENERATOR).parts
        if parts == ("__main__.py",):
            continue  # `python -m generator` runs the command line
        level = LAYERS[parts[0]] if len(parts) > 1 else -1  # errors, settings: below all
        for stage, line in _imported_stages(path):
            if LAYERS[stage] > level or (LAYERS[stage] == level and stage != parts[0]):
                upward.append(f"{'/'.join(parts)}:{line} imports {stage}")
    assert upward == []
    # The check sees what it should: a model module importing word would be found.
    assert _imported_stages(GENERATOR / "cli" / "review.py")
