"""Placeholders in case texts are data, never code: no object, no file, no change to what other
documents are made from, no unbounded time or memory; every failure a located message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.base.project import templates_dir
from generator.cli import commands as cli
from generator.compose.clauses import library
from generator.compose.enrich import build_context, compose
from generator.compose.sandbox import (
    MAX_OUTPUT,
    MAX_VALUE,
    Frozen,
    PlaceholderError,
    freeze,
    render,
)
from generator.model.case import load_case
from tests.helpers import FIXTURES

MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
PURPOSE = "formål: Kommunene skal ha et felles lønningskontor med Lillehammer som vertskommune."


# Where a hostile text stands, and where its message points: a case text (rendered while the
# context is built) and a clause override (rendered with the whole document context).
PLACES = {"formål": "fiendtlig.yaml:8:9: formål: ",
          "tillegg": "fiendtlig.yaml:23:14: klausuler.formål.tillegg: "}


def _case(folder: Path, text: str, place: str = "formål", name: str = "fiendtlig.yaml") -> Path:
    """The minimal case with a hostile text as its purpose (line 8, column 9), or as an
    addition to the purpose clause (line 23, column 14)."""
    assert PURPOSE in MINIMAL
    quoted = "'" + text.replace("'", "''") + "'"
    case = MINIMAL.replace("id: minimal", f"id: {Path(name).stem}")
    if place == "formål":
        case = case.replace(PURPOSE, f"formål: {quoted}")
    else:
        case += f"klausuler:\n  formål:\n    tillegg: {quoted}\n"
    path = folder / name
    path.write_text(case, encoding="utf-8")
    return path


def _check(folder: Path, *names: str, command: str = "check"):
    """Run a command in folder as a user would (CliRunner: messages and exit code)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        return CliRunner().invoke(cli.main, [command, *names], catch_exceptions=False)


# (text of formål, what the located message says after "formål: ")
CALL = "calling a function is not allowed in a text"
ATTACKS = {
    "library object": ("{{ _lib.path.resolve().parents[-1].joinpath('{victim}')"
                       ".write_text('pwned') }}", CALL),
    "library object, no call": ("{{ _lib.path }}", "unknown placeholder ('_lib' is undefined)"),
    "labels mutated": ("{{ etiketter.update({'utkast': 'ENDELIG'}) }}", CALL),
    "parties mutated": ("{{ parter.append(parter[0]) }}", CALL),
    "method reached": ("{{ tittel.center }}",
                       "not allowed in a placeholder (access to attribute 'center'"),
    "str.format": ("{{ '{:>999999999}'.format(1) }}", CALL),
    "python internals": ("{{ ''.__class__.__mro__ }}",
                         "not allowed in a placeholder (access to attribute '__class__'"),
    "range": ("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}"
              "{% endfor %}", CALL),
    "globals": ("{{ lipsum }}", "unknown placeholder ('lipsum' is undefined)"),
    "namespace": ("{% set ns = namespace(x=1) %}", CALL),
    "huge power": ("{{ 10 ** 10 ** 10 }}", "stopped: a number with more than 60 digits"),
    "huge string": ("{{ 'x' * 10 ** 9 }}",
                    f"stopped: a value grows beyond {MAX_VALUE:,} characters"),
    "percent format": ("{{ '%999999999d' % 1 }}", "stopped: formatting with '%' is not"),
    "doubling": ("{% set x = tittel %}" + "{% set x = x ~ x %}" * 30 + "{{ x }}",
                 f"stopped: a value grows beyond {MAX_VALUE:,} characters"),
    "doubling with +": ("{% set x = tittel %}" + "{% set x = x + x %}" * 30 + "{{ x }}",
                        f"stopped: a value grows beyond {MAX_VALUE:,} characters"),
    "replace amplifies": ("{{ (tittel * 100)|replace('', tittel * 100) }}",
                          f"stopped: a value grows beyond {MAX_VALUE:,} characters"),
    "join amplifies": ("{{ (tittel * 1000)|list|join(tittel * 1000) }}",
                       f"stopped: a value grows beyond {MAX_VALUE:,} characters"),
    "filter not there": ("{{ tittel|center(1000000000) }}", "No filter named 'center'"),
    "nested loops": ("{% for a in tittel * 1000 %}{% for b in tittel * 1000 %}"
                     "{% for c in tittel %}{% endfor %}{% endfor %}{% endfor %}",
                     "stopped: rendering takes more than 0.2 seconds"),
    "huge output": ("{% for a in tittel * 1000 %}{{ tittel * 1000 }}{% endfor %}",
                    f"stopped: the text renders to more than {MAX_OUTPUT:,} characters"),
    "include": ("{% include '/etc/passwd' %}", "'{% include %}' is not allowed in a text"),
    "import": ("{% import 'x.j2' as x %}", "'{% import %}' is not allowed in a text"),
    "from import": ("{% from 'x.j2' import y %}",
                    "'{% from … import %}' is not allowed in a text"),
    "extends": ("{% extends 'x.j2' %}", "'{% extends %}' is not allowed in a text"),
    "recursive macro": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
                        "'{% macro %}' is not allowed in a text"),
    "recursive loop": ("{% for p in parter recursive %}{{ p }}{% endfor %}",
                       "a recursive loop is not allowed in a text"),
    "division by zero": ("{{ 1 / 0 }}", "cannot be computed (division by zero)"),
    "type error": ("{{ tittel - 1 }}", "cannot be computed (unsupported operand"),
    "sum of lists": ("{{ ([[1]] * 30000)|sum(start=[])|length }}", "stopped: sum adds numbers"),
    "aliased list": ("{% set a = tittel * 20000 %}{% set b = [a, a, a, a, a, a, a, a, a, a] %}"
                     "{% set c = [b, b, b, b, b, b, b, b, b, b] %}{{ c|string|length }}",
                     f"stopped: a value grows beyond {MAX_VALUE:,} characters"),
    "aliased output": ("{% set a = tittel * 20000 %}{{ (a, a, a, a, a, a, a, a, a, a) }}",
                       f"stopped: a value grows beyond {MAX_VALUE:,} characters"),
    "slow without a loop": ("{% set a = tittel * 4000 %}"
                            + "{{ a|list|sort|unique|list|length }}" * 400,
                            "stopped: rendering takes more than 0.2 seconds"),
    "nested brackets": ("{{ " + "(" * 400 + "1" + ")" * 400 + " }}",
                        "placeholders nested too deeply"),
}


@pytest.mark.parametrize("place", sorted(PLACES))
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_hostile_placeholder_is_a_located_message(tmp_path: Path, attack: str,
                                                    place: str, monkeypatch) -> None:
    import generator.compose.sandbox as sandbox

    victim = tmp_path / "victim.txt"
    text, expected = ATTACKS[attack]
    if "rendering takes more than" in expected:
        # The time limit as such, quicker to test. The other attacks keep the real limit, so
        # on a busy machine they still meet the limit they are about before the clock.
        monkeypatch.setattr(sandbox, "TIME_LIMIT", 0.2)
    _case(tmp_path, text.replace("{victim}", str(victim)), place)
    result = _check(tmp_path, "fiendtlig.yaml")
    assert result.exit_code == 1, result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith(PLACES[place] + expected), first
    assert "hint:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not victim.exists()


@pytest.mark.parametrize("command", ["check", "text", "build", "verify", "diff"])
def test_no_command_lets_a_text_write_a_file(tmp_path: Path, command: str) -> None:
    """The text that wrote any file through the library object in the context (a clause
    override saw it), in every command that composes a case."""
    victim = tmp_path / "victim.txt"
    text = ATTACKS["library object"][0].replace("{victim}", str(victim))
    _case(tmp_path, text, "tillegg")
    names = ["fiendtlig.yaml"]
    if command == "diff":
        names.insert(0, str(FIXTURES / "minimal.yaml"))
    result = _check(tmp_path, *names, command=command)
    assert result.exit_code == 1
    assert CALL in result.stderr
    assert not victim.exists()


def test_a_text_cannot_change_another_case_of_the_same_run(tmp_path: Path) -> None:
    """One case tries to rewrite the labels cached for the run, and its own parties; the
    next case composed in the same process is made as if the first did not exist."""
    templates = templates_dir()
    clean = load_case(FIXTURES / "minimal.yaml")
    before = compose(clean, templates)[0]
    hostile = load_case(_case(tmp_path, "{{ etiketter.update({'utkast': 'ENDELIG'}) }}"
                              "{{ parter.pop() }}"))
    with pytest.raises(Exception) as raised:
        compose(hostile, templates)
    assert CALL in str(raised.value.problems[0])
    after = compose(load_case(FIXTURES / "minimal.yaml"), templates)[0]
    assert after == before
    assert after.draft_label == "Utkast"
    lib = library(templates, "samarbeidsavtale", "nb")
    assert lib.labels["utkast"] == "Utkast"


def test_the_context_is_plain_frozen_data() -> None:
    templates = templates_dir()
    loaded = load_case(FIXTURES / "minimal.yaml")
    lib = library(templates, "samarbeidsavtale", "nb")
    context = build_context(loaded, lib)

    def walk(value, path="context"):
        if isinstance(value, Frozen):
            for key, item in value.items():
                walk(item, f"{path}.{key}")
        elif isinstance(value, tuple):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")
        else:
            assert value is None or isinstance(value, str | int | float), path
            assert not callable(value), path

    walk(context)
    assert "_lib" not in context
    with pytest.raises(TypeError):
        context["tittel"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        freeze({"path": Path("/etc")})


def test_a_text_is_refused_before_it_runs_in_the_word_template_context() -> None:
    """render() refuses a context that holds anything but plain frozen data (a samdok bug)."""
    with pytest.raises(TypeError):
        render("{{ x }}", {"x": Path("/")}, "test")
    with pytest.raises(PlaceholderError) as raised:
        render("{{ x.parent }}", {"x": freeze({"a": "b"})}, "test")
    assert "unknown placeholder" in str(raised.value)


def test_ordinary_placeholders_still_work(tmp_path: Path) -> None:
    text = ("{% for p in parter %}{{ p.navn|upper }}{% if not loop.last %}, {% endif %}"
            "{% endfor %} ({{ parter|length }}): {{ tittel|replace('lønningskontor', 'lønn') }} "
            "{{ 'a' ~ 'b' }} {{ 2 * 3 + 1 }} {{ parter[0].navn }}")
    path = _case(tmp_path, text)
    loaded = load_case(path)
    context = build_context(loaded, library(templates_dir(), "samarbeidsavtale", "nb"))
    assert re.fullmatch(r"LILLEHAMMER, GAUSDAL \(2\): Samarbeidsavtale om felles lønn ab 7 "
                        r"Lillehammer", context["formål"]), context["formål"]


def test_a_case_has_one_rendering_budget_for_all_its_texts(tmp_path: Path, monkeypatch) -> None:
    """A limit per text alone lets a case of many slow texts run for hours: the texts of one
    case share CASE_TIME_LIMIT seconds, and each text spends from it."""
    import generator.compose.sandbox as sandbox

    budget = sandbox.Budget(5.0)
    render("{% for p in parter %}{{ p }}{% endfor %}", {"parter": ("a", "b")}, "test",
           budget=budget)
    assert 0 < budget.left < 5.0
    budget.left = 0.0
    with pytest.raises(PlaceholderError) as raised:
        render("{% for p in parter %}{{ p }}{% endfor %}", {"parter": ("a", "b")}, "test",
               budget=budget)
    assert "the texts of this case take more than" in str(raised.value)

    monkeypatch.setattr(sandbox, "TIME_LIMIT", 100.0)
    monkeypatch.setattr(sandbox, "CASE_TIME_LIMIT", 0.3)
    slow = "{% for a in tittel * 100 %}{% for b in tittel * 100 %}{% endfor %}{% endfor %}x"
    path = _case(tmp_path, "Formål.")
    text = path.read_text(encoding="utf-8").replace("oppgaver:\n", "oppgaver:\n" + "".join(
        f"  - '{slow} {i}'\n" for i in range(8)))
    path.write_text(text, encoding="utf-8")
    result = _check(tmp_path, "fiendtlig.yaml")
    assert result.exit_code == 1, result.output
    assert "stopped: the texts of this case take more than 0.3 seconds to render in all" in (
        result.stderr)


def test_what_a_text_prints_of_a_mapping_and_a_dotted_join(tmp_path: Path) -> None:
    path = _case(tmp_path, "{{ {'a': 'b'} }} {{ parter|join(', ', attribute='navn') }}")
    context = build_context(load_case(path), library(templates_dir(), "samarbeidsavtale", "nb"))
    assert context["formål"] == "{'a': 'b'} Lillehammer, Gausdal"
    assert repr(freeze({"a": {"b": "c"}})) == "{'a': {'b': 'c'}}"


def test_time_is_bounded_even_without_the_trace_function(monkeypatch) -> None:
    """Another tool's tracer (a debugger, coverage) may stand where samdok's would: every
    operator, filter and printed value of a text looks at the clock as well."""
    import generator.compose.sandbox as sandbox

    monkeypatch.setattr(sandbox, "_traced", lambda deadline, why: None)
    monkeypatch.setattr(sandbox, "TIME_LIMIT", 0.3)
    text = ATTACKS["slow without a loop"][0]
    with pytest.raises(PlaceholderError) as raised:
        render(text, {"tittel": "Samarbeidsavtale om felles lønningskontor"}, "test")
    assert "rendering takes more than 0.3 seconds" in str(raised.value)
