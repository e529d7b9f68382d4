"""libyaml reads a case file only where it reads it as ruamel's own parser does: the same
nodes, values, styles and places, compared on every YAML file of the project and on
generated texts; everything else (every error included) the pure parser reads."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.errors import CaseError
from generator.model import fastyaml, source
from tests.helpers import ROOT

FILES = sorted(p for folder in ("cases", "templates", "tests/cases", "generator/data")
               for p in (ROOT / folder).rglob("*.yaml") if p.is_file())
EXAMPLES = sorted((ROOT / "cases").glob("*.yaml"))


def _text(path: Path) -> str:
    return source.read_text(path, path.name)


def _shape(node: Node | None, seen: dict | None = None) -> object:
    """Everything of a node tree samdok reads: tag, value, style, where each node starts."""
    if node is None:
        return None
    seen = {} if seen is None else seen
    if id(node) in seen:
        return ("same node as", seen[id(node)])
    seen[id(node)] = len(seen)
    mark = node.start_mark
    where = (mark.line, mark.column, mark.index)
    if isinstance(node, ScalarNode):  # and where it ends: a problem in a text is placed in it
        return ("scalar", node.tag, node.value, node.style, where, node.end_mark.index)
    if isinstance(node, SequenceNode):
        return ("list", node.tag, node.flow_style, where,
                tuple(_shape(item, seen) for item in node.value))
    assert isinstance(node, MappingNode)
    return ("mapping", node.tag, node.flow_style, where,
            tuple((_shape(k, seen), _shape(v, seen)) for k, v in node.value))


def _pure(text: str) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a reused anchor
        try:
            return _shape(YAML(typ="safe", pure=True).compose(text))
        except YAMLError:
            return "refused"


def _agrees(text: str) -> bool:
    """libyaml's reading is the pure one's, or libyaml leaves the text to the pure parser."""
    fast = fastyaml.compose(text, source.MAX_DEPTH, source.MAX_FILE_NODES)
    return fast is None or _shape(fast) == _pure(text)


def test_libyaml_is_there_and_reads_the_example_cases():
    # the speed is only there with ruamel.yaml.clib installed (a dependency in pyproject)
    assert fastyaml.CParser is not None
    for path in EXAMPLES:
        fast = fastyaml.compose(_text(path), source.MAX_DEPTH, source.MAX_FILE_NODES)
        assert fast is not None, path.name


def _texts() -> dict[Path, str]:
    texts = {}
    for path in FILES:
        try:
            texts[path] = _text(path)
        except CaseError:
            continue  # not UTF-8 or too large: refused before any parser sees it
    return texts


def test_every_yaml_file_of_the_project_reads_the_same():
    texts = _texts()
    assert [path.name for path, text in texts.items() if not _agrees(text)] == []
    read = [path for path, text in texts.items()
            if fastyaml.compose(text, source.MAX_DEPTH, source.MAX_FILE_NODES) is not None]
    assert len(read) > len(texts) // 2  # most of them by libyaml


def test_every_file_libyaml_reads_loads_alike_without_it(monkeypatch):
    def loaded(path: Path) -> object:
        try:
            file = source.load_yaml(path, path.name, collect=True)
        except CaseError as exc:
            return [str(p) for p in exc.problems]
        return (file.data, file.values, file.keys, file.warnings, file.errors)

    read = [path for path, text in _texts().items()
            if fastyaml.compose(text, source.MAX_DEPTH, source.MAX_FILE_NODES) is not None]
    with_libyaml = [loaded(path) for path in read]
    monkeypatch.setattr(fastyaml, "CParser", None)
    assert [loaded(path) for path in read] == with_libyaml


# Pieces of YAML, the awkward ones included, put together at random: flow and block
# collections, quoting and escapes, block scalars, anchors, tags, directives, documents,
# comments, the line breaks and blanks YAML 1.1 and 1.2 read differently.
PIECES = ["[", "{", "]", "}", ", ", ",", "a: ", "b", "kommune: 3405", "\n", "\n  ", "\n    ",
          "- ", "'x y' ", '"a\\tb" ', '"\\u00e5" ', '"\\/" ', '"\\x41" ', "# c\n", ": ", ":",
          "\t", "? ", "&x ", "*x", "---\n", "...\n", "|\n  tekst\n", ">-\n  a\n  b\n",
          "|+\n\n", "!!str ", "!!int 5", "!x ", "2026-01-01", "1_000", "0o17", "0x1F", "yes",
          "~", "null", ".inf", "1e3", "æøå", "😀", "\u00a0", " ", "  ", "'", '"', "\\", "@",
          "`", "%", "%YAML 1.1\n", "%TAG !e! tag:e.no,2026:\n", "-", "--- |\n x\n", "'it''s'",
          '"multi\n  line"', "a\n  b", "[a, b]: c", "{a: 1, b}", "- - x", "-\n  - y",
          "key:    value   # k\n", "\r", "\x85", "\u2028", "\ufeff", "tittel: Avtale\n",
          "parter:\n  - kommune: 3405\n", "formål: |\n  Tekst.\n\n  Mer.\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=40))
def test_generated_texts_read_the_same(pieces: list[str]):
    assert _agrees("".join(pieces))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_edited_example_cases_read_the_same(data: st.DataObject):
    text = list(_text(data.draw(st.sampled_from(EXAMPLES))))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 5))
        text[at:at + cut] = data.draw(st.sampled_from(PIECES))
    assert _agrees("".join(text))


@pytest.mark.parametrize("text", [
    "%YAML 1.1\n---\ntittel: yes\n",  # 1.1 reads yes as true: the pure parser's business
    "tittel: &a Avtale\nkopi: *a\n",
    "tittel: !!str 2026\n",
    "tittel:\n",
    "tittel: |+\n  Avtale\n\n",
    "tittel: Avtale\r\n",
    "tittel:\tAvtale\n",
    "- Avtale\n",
    "tittel: " + "[" * 60 + "]" * 60 + "\n",
    # found by an adversarial review: YAML 1.2 reads these otherwise than libyaml (1.1)
    "a: [\"\":a]\n",
    "a: [[] :a]\n",
    "a:\n- |#\n",
    "k" * 1100 + ": x\n",
    "a: |\n \n  x\n",  # pure: more indented follow-up line than the first
    "a: a\n...\n...\n",  # pure: a second document
])
def test_what_libyaml_may_read_otherwise_is_left_to_the_pure_parser(text: str):
    assert fastyaml.compose(text, source.MAX_DEPTH, source.MAX_FILE_NODES) is None


def test_a_text_that_is_not_utf8_is_left_to_the_pure_parser():
    # libyaml takes UTF-8: a str with half a character (a lone surrogate) cannot be encoded
    assert fastyaml.compose("tittel: \ud800\n", source.MAX_DEPTH, source.MAX_FILE_NODES) is None


def test_a_text_with_more_nodes_than_allowed_is_left_to_the_pure_parser():
    # which refuses it and says where (tests/model/test_security_text.py)
    text = "tittel: x\nliste:\n" + "- 1\n" * 15  # 20 nodes: the mapping, 4, the list, 14
    assert fastyaml.compose(text, source.MAX_DEPTH, 20) is not None
    assert fastyaml.compose(text, source.MAX_DEPTH, 19) is None
