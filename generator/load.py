"""Reading a case file: safe YAML, with the line and column of every key and value kept."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from .errors import CaseError, Problem

FieldPath = tuple[str | int, ...]


@dataclass
class LoadedFile:
    """Plain data from one YAML file, and where in the file each part of it stands."""

    file: str
    data: Any
    # path -> (line, column), both 1-based; the value's position, and separately the key's
    values: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: FieldPath) -> tuple[int | None, int | None]:
        """Position of the value at path, or of its nearest ancestor that exists."""
        path = tuple(path)
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (None, None))

    def where_key(self, path: FieldPath) -> tuple[int | None, int | None]:
        """Position of the key that names path (falls back to where())."""
        return self.keys.get(tuple(path)) or self.where(path)

    def problem(self, path: FieldPath, message: str, hint: str = "", *, key: bool = False,
                severity: str = "error") -> Problem:
        """A Problem located at path in this file."""
        line, col = self.where_key(path) if key else self.where(path)
        return Problem(self.file, line, col, dotted(path), message, hint, severity)


def dotted(path: FieldPath) -> str:
    """`parter[1].kommune` style name of a field path."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _yaml() -> YAML:
    # typ="safe" constructs only plain types (no Python objects from tags); pure=True so
    # behaviour does not depend on whether the C extension is present.
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_duplicate_keys = False
    return yaml


def read_text(path: Path, shown: str) -> str:
    """File contents as text (UTF-8, BOM allowed), or a CaseError that says what is wrong."""
    if not path.exists():
        raise CaseError([Problem(shown, None, None, "", "file not found",
                                 "check the path; cases usually live in cases/<id>.yaml")])
    if path.is_dir():
        raise CaseError([Problem(shown, None, None, "", "is a folder, not a case file",
                                 "name a .yaml file inside it")])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CaseError([Problem(shown, line, None, "", "the file is not valid UTF-8",
                                 "save the file as UTF-8 (in most editors: 'Save with encoding')")]
                        ) from None
    return text.replace("\r\n", "\n")


def load_yaml(path: Path, shown: str | None = None) -> LoadedFile:
    """Parse a YAML file safely; every syntax problem becomes a located CaseError."""
    shown = shown or str(path)
    text = read_text(path, shown)
    yaml = _yaml()
    try:
        node = yaml.compose(text)
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        raise CaseError([_syntax_problem(shown, text, exc)]) from None
    except YAMLError as exc:  # unmarked errors are rare; still no traceback
        raise CaseError([Problem(shown, None, None, "", f"YAML error: {exc}")]) from None
    loaded = LoadedFile(shown, data)
    if node is not None:
        loaded.values[()] = _pos(node)
        _walk(node, data, (), loaded)
    return loaded


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _walk(node: Node, data: Any, path: FieldPath, loaded: LoadedFile) -> None:
    if isinstance(node, MappingNode) and isinstance(data, dict):
        # The safe constructor keeps the file's key order, so nodes and keys pair up in order.
        for (key_node, value_node), key in zip(node.value, data.keys(), strict=False):
            sub = (*path, key)
            loaded.keys[sub] = _pos(key_node)
            loaded.values[sub] = _pos(value_node)
            _walk(value_node, data[key], sub, loaded)
    elif isinstance(node, SequenceNode) and isinstance(data, list):
        for index, (item_node, item) in enumerate(zip(node.value, data, strict=False)):
            sub = (*path, index)
            loaded.values[sub] = _pos(item_node)
            _walk(item_node, item, sub, loaded)


def _syntax_problem(shown: str, text: str, exc: MarkedYAMLError) -> Problem:
    problem = (exc.problem or "syntax error").strip().split("\n")[0]
    context = (exc.context or "").strip().split("\n")[0]
    mark = exc.problem_mark or exc.context_mark
    # "end of stream" is where YAML gave up; where the unclosed thing began is more useful.
    if exc.context_mark and (mark is None or "end of stream" in problem):
        mark = exc.context_mark
    line = mark.line + 1 if mark else None
    col = mark.column + 1 if mark else None
    message = f"YAML syntax error: {context + ': ' if context else ''}{problem}"
    hint = "check indentation (spaces only) and that every 'key: value' has a space after ':'"
    if "duplicate key" in problem or type(exc).__name__ == "DuplicateKeyError":
        hint = "each key may appear only once in a mapping; remove or rename one of them"
    elif "quoted scalar" in context:
        hint = "a quoted text must end with the same quote mark it started with"
    elif "'\\t'" in problem or "tab" in problem.lower():
        hint = "YAML does not allow tab characters for indentation; use spaces"
    return Problem(shown, line, col, _field_at(text, line), message, hint)


_KEY = re.compile(r"^(\s*)(?:-\s+)?([^\s#:'\"{\[][^:#]*?):(?:\s|$)")


def _field_at(text: str, line: int | None) -> str:
    """Best guess at the dotted key path of a line, from indentation (for syntax errors,
    where no parsed data exists yet)."""
    if not line:
        return ""
    lines = text.splitlines()
    path: list[str] = []
    indent = None
    for raw in reversed(lines[: line]):
        match = _KEY.match(raw)
        if not match:
            continue
        depth = match.start(2)  # a key after "- " sits deeper than the dash
        if indent is None or depth < indent:
            path.insert(0, match.group(2).strip())
            indent = depth
            if depth == 0:
                break
    return ".".join(path)
