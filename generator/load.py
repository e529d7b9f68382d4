"""Reading a case file: safe YAML, with the line and column of every key and value kept."""

from __future__ import annotations

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
        raise CaseError([_syntax_problem(shown, exc)]) from None
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


def _syntax_problem(shown: str, exc: MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    col = mark.column + 1 if mark else None
    problem = (exc.problem or exc.context or "syntax error").strip()
    hint = "check indentation (spaces only) and that every 'key: value' has a space after ':'"
    if "duplicate key" in problem or type(exc).__name__ == "DuplicateKeyError":
        problem = problem.split("\n")[0]
        hint = "each key may appear only once in a mapping; remove or rename one of them"
    elif "\t" in problem or "tab" in problem.lower():
        hint = "YAML does not allow tab characters for indentation; use spaces"
    return Problem(shown, line, col, "", f"YAML syntax error: {problem}", hint)
