"""Composing a case file with libyaml's parser where it reads exactly as ruamel's own one."""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml.composer import Composer
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import (
    CollectionEndEvent,
    MappingStartEvent,
    NodeEvent,
    SequenceStartEvent,
)
from ruamel.yaml.main import CParser  # None where ruamel.yaml.clib is not installed
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode
from ruamel.yaml.resolver import VersionedResolver

# ruamel's pure-Python parser takes about 15 ms for a small case file, and most of samdok's
# time to check one; libyaml (ruamel.yaml.clib) makes the same events in well under 1 ms,
# and ruamel's composer and resolver make the nodes from them as before. The two parsers
# differ in a few places, so a text goes to libyaml only where they were found to agree
# (tests/model/test_fast_yaml.py compares them on every case file in the project and on
# generated texts), and everything else, every error included, goes to the pure one:
#   - characters YAML 1.1 (libyaml) and 1.2 (ruamel) read differently or where the two
#     count lines, columns or indentation apart: CR, NEL, LS, PS, tab, BOM;
#   - a directive (%YAML changes how ruamel resolves values), a block scalar that keeps its
#     trailing lines (|+) or has a comment right after its indicator (|#), a quoted or
#     bracketed key with its value right after the ':' ("":a, YAML 1.2 only), a line over
#     1000 characters (a key longer than 1024 is 1.2's business too), anchors, aliases and
#     tags (the node starts at another place);
#   - an empty value (libyaml places it elsewhere), a root that is not a mapping, nesting
#     deeper or nodes more than samdok allows (the pure parser says where).
_OTHERWISE_READ = re.compile(
    "[\r\x85\u2028\u2029\t\ufeff]|^%|[|>][0-9+-]*[+#]|[\"'\\]}] *:\\S"
    # a block scalar whose first line holds only spaces; a document end marker (...)
    "|[|>][0-9-]* *(?:#[^\n]*)?\n +(?:\n|$)|^\\.\\.\\.(?:[ #\n]|$)",
    re.MULTILINE)
LONGEST_LINE = 1000


class _NotHere(Exception):
    """The text is one the pure parser must read."""


class _Events:
    """libyaml's events for ruamel's composer, refusing what libyaml may read otherwise."""

    def __init__(self, text: str, max_depth: int, max_nodes: int):
        self._parser = CParser(text)
        self._depth = 0
        self._max_depth = max_depth
        self._nodes = max_nodes

    def check_event(self, *choices: Any) -> bool:
        return self._parser.check_event(*choices)

    def peek_event(self) -> Any:
        return self._parser.peek_event()

    def get_event(self) -> Any:
        event = self._parser.get_event()
        if getattr(event, "anchor", None) is not None or getattr(event, "tag", None) is not None:
            raise _NotHere  # an alias event carries its anchor's name
        if isinstance(event, NodeEvent):
            self._nodes -= 1
            if self._nodes < 0:
                raise _NotHere
        if isinstance(event, MappingStartEvent | SequenceStartEvent):
            self._depth += 1
            if self._depth > self._max_depth:
                raise _NotHere
        elif isinstance(event, CollectionEndEvent):
            self._depth -= 1
        return event

    def dispose(self) -> None:
        self._parser.dispose()


class _Loader:
    """What ruamel's composer asks of its loader: the events, a resolver, no depth limit of
    its own (as YAML() has none by default)."""

    max_depth = 0

    class _scanner:  # noqa: N801 (ruamel's name)
        # The YAML version the resolver asks for at every scalar: none set by a directive
        # (no %YAML reaches libyaml), so ruamel's default, 1.2, as the pure parser's. Without
        # it the resolver found out through two AttributeErrors a scalar.
        yaml_version = None

    def __init__(self, text: str, max_depth: int, max_nodes: int):
        # A str that is not UTF-8 (a lone surrogate) raises UnicodeEncodeError here.
        self._parser = _Events(text, max_depth, max_nodes)
        self._resolver = VersionedResolver(loader=self)  # YAML 1.2, as the pure parser's


def compose(text: str, max_depth: int, max_nodes: int) -> Node | None:
    """The node tree the pure parser would make of text, or None where it must read it (and
    where it nests deeper than max_depth or holds more than max_nodes nodes)."""
    if (CParser is None or _OTHERWISE_READ.search(text)
            or max(map(len, text.split("\n"))) > LONGEST_LINE):
        return None
    try:
        loader = _Loader(text, max_depth, max_nodes)
    except UnicodeError:
        return None
    try:
        node = Composer(loader=loader).get_single_node()
    except (YAMLError, UnicodeError, _NotHere):
        return None
    finally:
        loader._parser.dispose()
    if not isinstance(node, MappingNode) or not _as_pure(node):
        return None
    return node


def _as_pure(root: Node) -> bool:
    """Give plain scalars the style the pure parser gives them (None, not ''); False where a
    value is empty."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, ScalarNode):
            if not node.style:
                if node.value == "":
                    return False
                node.style = None
        else:
            for item in node.value:
                stack.extend(item if isinstance(item, tuple) else (item,))
    return True
