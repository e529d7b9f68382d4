"""Reading a case file: safe YAML, with the line and column of every key and value kept."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    CollectionEndEvent,
    MappingStartEvent,
    NodeEvent,
    SequenceStartEvent,
)
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.parser import Parser
from ruamel.yaml.scanner import Scanner, ScannerError

from ..base import files
from ..errors import CaseError, Problem, shorten
from . import fastyaml, hygiene

FieldPath = tuple[str | int, ...]


@dataclass
class LoadedFile:
    """Plain data from one YAML file, and where in the file each part of it stands."""

    file: str
    data: Any
    # path -> (line, column), both 1-based; the value's position, and separately the key's
    values: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    # characters with a real but invisible use (soft hyphen, joiners, tab), to be shown
    warnings: list[Problem] = field(default_factory=list)
    # with load_yaml(collect=True): what is wrong with single values (an impossible date, a
    # refused tag, a duplicate key), left for validation to report with everything else
    errors: list[Problem] = field(default_factory=list)
    text: str = ""  # the file as parsed, to place a finding inside a value

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
    """`parter[1].kommune` style name of a field path (an invisible character in a key shown
    as <U+XXXX>, so a message never carries it to the terminal)."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (
            f".{hygiene.visible(str(part))}" if out else hygiene.visible(str(part)))
    return out


def texts(data: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    """(path, text) for every text value in plain data from a file, in file order."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from texts(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from texts(value, (*path, index))


# Limits on what one file may make samdok hold. A case for all 357 municipalities with a
# submission to each council is about 100 KB; the limits are a hundred times that and more,
# so no real case meets them, while a hostile or broken file stops with a message before it
# costs gigabytes of memory or a RecursionError.
MAX_FILE_BYTES = 10_000_000  # the file as it is on disk, checked before it is parsed
# Text after aliases are expanded: one 1 MB text aliased a thousand times is a small file
# and a gigabyte of document. Twice the file limit, so a file of plain text never meets it.
MAX_EXPANDED_BYTES = 20_000_000
# Mappings and lists inside each other. A case nests six levels at most
# (saksframlegg.kommuner.<nr>.behandling[0].utvalg); ruamel's composer, the builder below and
# pydantic recurse once or more per level, and Python stops at 1000 frames.
MAX_DEPTH = 50
# Keys and values in the file itself, counted as they are parsed. A submission to all 357
# councils holds about 6,500; 10 MB of '[[[…' hold 4 million, and took 107 s and 1.8 GB to
# refuse before this limit (now 15 s: ruamel's own parser, which reads what libyaml leaves
# and says where, takes about 100 µs a node; `nox -s bench` prints it).
MAX_FILE_NODES = 100_000


class _TooDeep(Exception):
    """Raised by the parser when a collection opens below MAX_DEPTH levels."""

    def __init__(self, mark: Any):
        self.mark = mark


class _TooMany(_TooDeep):
    """Raised by the parser at the key or value after the first MAX_FILE_NODES."""


class _DepthLimitedParser(Parser):
    """ruamel's parser, counting how deep collections nest as the composer takes events, so
    the (recursive) composer never goes deeper than MAX_DEPTH (one pass over the file), and
    how many nodes it makes."""

    def get_event(self) -> Any:
        event = super().get_event()
        if isinstance(event, NodeEvent):
            self.samdok_nodes = getattr(self, "samdok_nodes", 0) + 1
            if self.samdok_nodes > MAX_FILE_NODES:
                raise _TooMany(event.start_mark)
        if isinstance(event, MappingStartEvent | SequenceStartEvent):
            self.samdok_depth = getattr(self, "samdok_depth", 0) + 1
            if self.samdok_depth > MAX_DEPTH:
                raise _TooDeep(event.start_mark)
        elif isinstance(event, CollectionEndEvent):
            self.samdok_depth -= 1
        return event


class _TooDeepAhead(Exception):
    """Raised by the scanner at a '[' or '{' that is certainly below MAX_DEPTH levels."""

    def __init__(self, mark: Any):
        self.mark = mark


class _DepthLimitedScanner(Scanner):
    """ruamel's scanner, stopping at a '[' or '{' below MAX_DEPTH levels of the collections
    it knows of. Along a line of them it reads up to 1024 characters ahead of the parser,
    and each one it holds makes the next slower: a line of '[' took half a second to refuse.
    It counts fewer levels than the parser (an implicit pair in a flow list, a list at its
    key's indentation are levels the parser adds), so the parser's count says where."""

    def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:
        if len(self.indents) + self.flow_level >= MAX_DEPTH:
            raise _TooDeepAhead(self.reader.get_mark())
        super().fetch_flow_collection_start(TokenClass, to_push)

    def scan_yaml_directive_value(self, start_mark: Any) -> Any:
        # ruamel reads YAML 1.1 and 1.2; any other version stopped it with an AssertionError
        # or a KeyError instead of a message.
        version = super().scan_yaml_directive_value(start_mark)
        if version not in ((1, 1), (1, 2)):
            raise ScannerError("while scanning a directive", start_mark,
                               f"found YAML version {version[0]}.{version[1]}; a case file "
                               "is YAML 1.2 (or 1.1)", self.reader.get_mark())
        return version

    def scan_flow_scalar_non_spaces(self, double: Any, start_mark: Any) -> Any:
        try:
            return super().scan_flow_scalar_non_spaces(double, start_mark)
        except (ValueError, OverflowError):  # chr() of "\U00110000", "\UFFFFFFFF"
            raise ScannerError("while scanning a double-quoted scalar", start_mark,
                               "found an escape for a character Unicode does not have "
                               "(the last is \\U0010FFFF)", self.reader.get_mark()) from None


def _compose(text: str) -> Any:
    """The YAML node tree of text; _TooDeep where collections first nest too deep, _TooMany
    where the nodes pass MAX_FILE_NODES."""
    node = fastyaml.compose(text, MAX_DEPTH, MAX_FILE_NODES)
    if node is not None:
        return node
    try:
        return _yaml().compose(text)
    except _TooDeepAhead as ahead:
        mark = ahead.mark
    end = mark.index
    # The text before that '[' holds at most MAX_DEPTH flow levels, so it is read quickly;
    # the parser stops at the first collection below MAX_DEPTH levels in it, or at a syntax
    # error in it, as it would have in the whole text. What is only the end of the cut is
    # not a problem of the file: then the '[' itself is the first too deep.
    try:
        _yaml().compose(text[:end])
    except MarkedYAMLError as exc:
        if exc.problem_mark is not None and exc.problem_mark.index < end:
            raise
    raise _TooDeep(mark)


def _yaml() -> YAML:
    # typ="safe": its scalar constructors make plain types only; pure=True: the pure parser
    # is the reference (fastyaml uses libyaml only where it reads the same). Only compose()
    # and the scalar constructors are used: _Builder below makes the containers.
    yaml = YAML(typ="safe", pure=True)
    yaml.Scanner = _DepthLimitedScanner
    yaml.Parser = _DepthLimitedParser
    return yaml


def read_text(path: Path, shown: str, data: bytes | None = None) -> str:
    """File contents as text (UTF-8, BOM allowed), or a CaseError that says what is wrong.
    With `data`, those bytes are the file's contents (a version from git) and path is not read."""
    if data is None:
        if not path.exists():
            raise CaseError([Problem(shown, None, None, "", "file not found",
                                     "check the path; cases usually live in cases/<id>.yaml")])
        if path.is_dir():
            raise CaseError([Problem(shown, None, None, "", "is a folder, not a case file",
                                     "name a .yaml file inside it")])
        try:
            data = files.read_at_most(path, MAX_FILE_BYTES)  # /dev/zero has no end
        except OSError as exc:
            raise CaseError([Problem(shown, None, None, "", f"cannot be read: {exc.strerror}",
                                     "check that the file exists and that you may read it")]
                            ) from None
    if len(data) > MAX_FILE_BYTES:
        raise CaseError([Problem(
            shown, None, None, "", f"the file is larger than {MAX_FILE_BYTES:,} bytes",
            "a case file holds text and figures: the largest real ones are about 100 KB; "
            "check that this is the file you meant")])
    return _decoded(data, shown)


def _decoded(raw: bytes, shown: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CaseError([Problem(shown, line, None, "", "the file is not valid UTF-8",
                                 "save the file as UTF-8 (in most editors: 'Save with encoding')")]
                        ) from None
    return text.replace("\r\n", "\n")


# The plain YAML types a case file may hold; any other tag (!!python/..., custom !tags) is
# refused, so nothing in a file can name code to run.
SCALAR_TAGS = {f"tag:yaml.org,2002:{t}" for t in
               ("str", "int", "float", "bool", "null", "timestamp")}
MAP_TAG, SEQ_TAG = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
# Aliases may repeat a part of the file; a "billion laughs" file repeats it exponentially.
# No real case has more than a few thousand values, so stop long before memory is at risk.
MAX_NODES = 200_000
# A whole number longer than Python can write in digits (4300): a 0x or 0o number has no such
# limit when it is read, and would stop samdok wherever it is printed.
MAX_INT_BITS = 14_000


def load_yaml(path: Path, shown: str | None = None, data: bytes | None = None,
              collect: bool = False) -> LoadedFile:
    """Parse a YAML file safely; every syntax problem becomes a located CaseError.

    The file is composed into YAML nodes and turned into plain data here, node by node, so
    every value keeps its line and column, duplicate keys and impossible dates are located
    problems, unknown tags are refused and alias expansion is bounded. With `data`, those
    bytes are parsed instead of reading path.
    """
    shown = shown or str(path)
    text = read_text(path, shown, data)
    raw = _raw_problems(shown, text)
    if raw:
        # Parse a copy with each such character replaced by U+FFFD (same length, so every
        # line and column stays true), to report the file's other problems in the same run;
        # the raw problems are errors, so nothing is ever built from the copy.
        text = hygiene.RAW.sub("\ufffd", text)
    try:
        node = _compose(text)
    except MarkedYAMLError as exc:
        raise CaseError(raw + [_syntax_problem(shown, text, exc)]) from None
    except _TooMany as exc:
        raise CaseError(raw + [Problem(
            shown, exc.mark.line + 1, exc.mark.column + 1, _field_at(text, exc.mark.line + 1),
            f"the file holds more than {MAX_FILE_NODES:,} keys and values",
            "a case file holds a few thousand at most; check that this is the file you "
            "meant")]) from None
    except _TooDeep as exc:
        raise CaseError(raw + [Problem(
            shown, exc.mark.line + 1, exc.mark.column + 1, _field_at(text, exc.mark.line + 1),
            f"lists and mappings are nested more than {MAX_DEPTH} levels deep",
            "a case file nests a few levels at most; look for a '[' or '{' too many")]
                        ) from None
    except YAMLError as exc:  # unmarked errors are rare; still no traceback
        raise CaseError(raw + [Problem(shown, None, None, "", f"YAML error: {exc}")]) from None
    loaded = LoadedFile(shown, None, text=text)
    if node is not None:
        builder = _Builder(loaded, _yaml().constructor, text)
        loaded.values[()] = _pos(node)
        try:
            loaded.data = builder.build(node, ())
        except CaseError as exc:  # a limit was met: stop building, say what else was found
            raise CaseError(raw + builder.problems + exc.problems) from None
        loaded.warnings = builder.warnings
        if (raw or builder.problems) and not collect:
            raise CaseError(sorted(raw + builder.problems + builder.warnings,
                                   key=lambda p: (p.line or 0, p.column or 0)))
        loaded.errors = raw + builder.problems
    elif raw:
        raise CaseError(raw)
    return loaded


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    """Plain data from composed YAML nodes, recording positions and collecting problems."""

    def __init__(self, loaded: LoadedFile, constructor: Any, text: str):
        self.loaded = loaded
        self.constructor = constructor
        self.text = text
        self.count = 0
        self.bytes = 0
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def problem(self, node: Node, path: FieldPath, message: str, hint: str) -> None:
        line, col = _pos(node)
        self.problems.append(Problem(self.loaded.file, line, col, dotted(path), message, hint))

    def _too_much(self, node: Node, field: str, message: str) -> CaseError:
        """The error for a file that grows past a limit as it is read: all of it is refused."""
        line, col = _pos(node)
        return CaseError([Problem(self.loaded.file, line, col, field, message,
                                  "write the values out, or use fewer '*' aliases")])

    def build(self, node: Node, path: FieldPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self._too_much(node, dotted(path), f"the file expands to more than "
                                 f"{MAX_NODES:,} values (aliases repeating aliases)")
        if len(path) > MAX_DEPTH:  # aliases inside aliases nest deeper than the file does
            raise self._too_much(node, dotted(path[:4]) + "…", "lists and mappings are nested "
                                 f"more than {MAX_DEPTH} levels deep (aliases inside aliases)")
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            if node.tag != SEQ_TAG:
                return self._refuse(node, path)
            out = []
            for index, item in enumerate(node.value):
                sub = (*path, index)
                self.loaded.values.setdefault(sub, _pos(item))
                out.append(self.build(item, sub))
            return out
        return self._scalar(node, path)

    def _mapping(self, node: MappingNode, path: FieldPath) -> Any:
        if node.tag != MAP_TAG:
            return self._refuse(node, path)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(key_node, path, "merge keys ('<<') are not supported",
                             "write the keys out in full")
                continue
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, path, "a key must be a plain word or number",
                             "write 'key: value'")
                continue
            key = self._scalar(key_node, path, key=True)
            sub = (*path, key)
            if key in out:
                self.problem(key_node, sub, f"duplicate key '{key}' (first on line "
                             f"{self.loaded.keys[sub][0]})",
                             "each key may appear only once in a mapping; remove or rename one")
                continue
            self.loaded.keys.setdefault(sub, _pos(key_node))
            self.loaded.values.setdefault(sub, _pos(value_node))
            out[key] = self.build(value_node, sub)
        return out

    def _scalar(self, node: Node, path: FieldPath, key: bool = False) -> Any:
        if node.tag not in SCALAR_TAGS:
            return self._refuse(node, path)
        self.bytes += len(node.value.encode("utf-8", "surrogatepass"))
        if self.bytes > MAX_EXPANDED_BYTES:
            raise self._too_much(node, dotted(path), "the file expands to more than "
                                 f"{MAX_EXPANDED_BYTES:,} bytes of text (aliases repeating "
                                 "long texts)")
        try:
            value = self.constructor.construct_object(node, deep=True)
            if type(value) is int and value.bit_length() > MAX_INT_BITS:
                raise ValueError("too long")  # 0x and 0o numbers have no digit limit of their own
        except (ValueError, OverflowError, KeyError, MarkedYAMLError) as exc:
            # What a value's tag cannot make of it: an impossible date, a number too long to
            # read, and (written out with a tag) !!bool x (KeyError), !!timestamp x
            # (ConstructorError).
            shown = shorten(node.value, 40)
            detail = (exc.problem if isinstance(exc, MarkedYAMLError)
                      else "neither true nor false" if isinstance(exc, KeyError) else str(exc))
            if node.tag.endswith("timestamp"):
                self.problem(node, path, f"'{shown}' is not a real date ({detail})",
                             "check the day and month; dates are written YYYY-MM-DD")
            elif node.tag.endswith("int") and len(node.value) > 100:  # 4300 digits at most
                self.problem(node, path, f"'{shown}' is too long a number to read",
                             "write the figure in digits; no real figure has more than a "
                             "dozen")
            elif node.tag.endswith("int"):  # a tag on something else: !!int x
                self.problem(node, path, f"'{shown}' is not a whole number",
                             "write the figure in digits")
            else:
                self.problem(node, path, f"'{shown}' cannot be read ({shorten(detail, 40)})",
                             "write a plain number or text")
            return node.value
        if isinstance(value, str):
            self._check_text(node, path, value, key)
        return value

    def _check_text(self, node: Node, path: FieldPath, value: str, key: bool) -> None:
        """Report every character the text may not hold, at its own line and column."""
        found = hygiene.findings(value)
        if not found:
            return
        start, end = node.start_mark.index, node.end_mark.index
        source = self.text[start:end]
        for finding in found:
            offset = next(hygiene.source_offsets(source, finding.char, node.style == '"'), None)
            line, col = (_position(self.text, node.start_mark, start + offset)
                         if offset is not None else _pos(node))
            more = f" ({finding.count} times in this text)" if finding.count > 1 else ""
            what = "key" if key else "text"
            problem = Problem(self.loaded.file, line, col, dotted(path),
                              f"the {what} holds {hygiene.describe(finding.char)}{more}, "
                              f"{finding.message}", finding.hint, finding.severity)
            (self.problems if finding.severity == "error" else self.warnings).append(problem)

    def _refuse(self, node: Node, path: FieldPath) -> None:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        self.problem(node, path, f"the YAML tag '{tag}' is not allowed in a case file",
                     "remove the tag (the word starting with '!'); case files hold plain "
                     "text, numbers, dates, lists and mappings")
        return None


def _position(text: str, mark: Any, index: int) -> tuple[int, int]:
    """1-based line and column of text[index], counted from a mark before it the way ruamel
    counts (a line ends at "\n" or a lone "\r"; a byte order mark takes no column)."""
    between = text[mark.index:index]
    breaks = between.count("\n") + between.count("\r")
    if not breaks:
        return mark.line + 1, mark.column + 1 + len(between) - between.count("\ufeff")
    last = max(between.rfind("\n"), between.rfind("\r"))
    rest = between[last + 1:]
    return mark.line + 1 + breaks, len(rest) - rest.count("\ufeff") + 1


def _raw_problems(shown: str, text: str) -> list[Problem]:
    """Every character YAML would refuse or silently turn into something else, each at its
    line and column; one problem per character and line."""
    problems, seen = [], set()
    line, line_start, counted = 1, 0, 0
    for index, char in hygiene.raw_findings(text):
        breaks = text.count("\n", counted, index)  # counted once, however many findings
        if breaks:
            line += breaks
            line_start = text.rfind("\n", counted, index) + 1
        counted = index
        if (line, char) in seen:
            continue
        seen.add((line, char))
        judged = hygiene.judge(char)
        problems.append(Problem(
            shown, line, index - line_start + 1, _field_at(text, line),
            f"the file holds {hygiene.describe(char)}" + (f", {judged[1]}" if judged else ""),
            judged[2] if judged else "delete it"))
    return problems


def _syntax_problem(shown: str, text: str, exc: MarkedYAMLError) -> Problem:
    problem = (exc.problem or "syntax error").strip().split("\n")[0]
    context = (exc.context or "").strip().split("\n")[0]
    mark = exc.problem_mark or exc.context_mark
    # "end of stream" is where YAML gave up; where the unclosed thing began is more useful.
    # So is where a flow mapping or list ("{...", "[...") began, when it is never closed.
    if exc.context_mark and (mark is None or "end of stream" in problem or "flow" in context):
        mark = exc.context_mark
    line = mark.line + 1 if mark else None
    col = mark.column + 1 if mark else None
    message = f"YAML syntax error: {context + ': ' if context else ''}{problem}"
    hint = "check indentation (spaces only) and that every 'key: value' has a space after ':'"
    if "duplicate key" in problem or type(exc).__name__ == "DuplicateKeyError":
        hint = "each key may appear only once in a mapping; remove or rename one of them"
    elif "quoted scalar" in context:
        hint = "a quoted text must end with the same quote mark it started with"
    elif "flow" in context:
        hint = "a '{' or '[' that starts here needs its '}' or ']', with ', ' between items"
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
