"""Placeholders rendered safely: an immutable Jinja sandbox over plain frozen data, bounded in
time and output, with no loader, no calls and no growth without bound."""

from __future__ import annotations

import datetime as dt
import math
import os
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

import jinja2
from jinja2 import StrictUndefined, UndefinedError, nodes, pass_environment
from jinja2 import TemplateError as JinjaError
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError
from jinja2.filters import make_attrgetter
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from .. import errors

# A clause is a few kilobytes; a whole 357-party agreement about 200 KB. A text that renders
# to more than a million characters, or keeps the processor for seconds, is an attack or an
# accident, and is stopped with a message instead of taking the machine's memory or time.
MAX_OUTPUT = 1_000_000  # characters a text may render to
MAX_VALUE = 200_000  # characters (or items) of any one value a text computes
MAX_DIGITS = 60  # digits of a whole number an operator may work on (budgets have 12)
TIME_LIMIT = 2.0  # seconds of rendering per text
CASE_TIME_LIMIT = 30.0  # seconds for all the texts of one case together

# Statements that reach beyond the text (other templates) or define code (macros, which may
# recurse without end). No loader is configured either, so they could not find a file.
REFUSED = {
    nodes.Extends: "'{% extends %}'", nodes.Include: "'{% include %}'",
    nodes.Import: "'{% import %}'", nodes.FromImport: "'{% from … import %}'",
    nodes.Macro: "'{% macro %}'", nodes.CallBlock: "'{% call %}'",
    nodes.Block: "'{% block %}'", nodes.Call: "calling a function",
}
# Filters a text may use: each takes time and space in proportion to its input, or is
# wrapped below so that it does. Others (center, indent, format, wordwrap, …) are not there.
TEXT_FILTERS = ("upper", "lower", "capitalize", "title", "trim", "length", "count", "first",
                "last", "default", "d", "string", "list", "sort", "unique", "reverse", "round",
                "int", "float", "abs", "sum", "min", "max", "wordcount", "join", "replace")


class PlaceholderError(errors.TemplateError):
    """A text's placeholders do not render: what went wrong, a hint, and the line in the text."""

    def __init__(self, where: str, detail: str, hint: str, line: int | None = None):
        self.where, self.detail, self.line = where, detail, line
        at = f" line {line}" if line else ""
        super().__init__(f"{where}{at}: {detail}", hint)

    def __reduce__(self):  # pickled with its parts (from a worker process)
        return PlaceholderError, (self.where, self.detail, self.hint, self.line)


class _Limit(Exception):
    """A text went past one of the bounds above."""


class Frozen(Mapping):
    """A read-only mapping, as freeze() makes it of a dict: no method changes it, and a
    template reaches its values by key only."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]):
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:  # as a dict prints, should a text print a whole mapping
        return repr(self._data)


PLAIN = frozenset({type(None), bool, int, float, Decimal, dt.date, str, Markup, tuple, Frozen})


def freeze(value: Any) -> Any:
    """Plain, immutable data for a template: strings, numbers, dates, and tuples and read-only
    mappings of them. Anything else (an object, a path, a function) is a bug in samdok."""
    if value is None or isinstance(value, bool | int | float | Decimal | dt.date | Frozen):
        return value  # a Frozen holds frozen values only: freeze() is what makes one
    if isinstance(value, Markup):  # a Word table's XML, placed as it is
        return Markup(str(value))
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return Frozen({str(k): freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    raise TypeError(f"not plain data for a template: {type(value).__name__}")


def _weight(value: Any) -> int:
    """Roughly how many characters a value stands for (what a bound is counted in)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list | tuple):
        return len(value) + sum(_weight(v) for v in value)
    if isinstance(value, Mapping):
        return len(value) + sum(_weight(v) for v in value.values())
    return 1


# The deadline of the text being rendered in this thread: checked by the trace function and,
# so that time is bounded even where tracing is not in effect (another tool's tracer, a step
# in a library), at every operator, filter, literal and printed value of a text.
_clock = threading.local()


def _tick() -> None:
    if time.monotonic() > getattr(_clock, "deadline", float("inf")):
        raise _Limit(_clock.why)


def _bounded(size: int) -> None:
    if size > MAX_VALUE:
        raise _Limit(f"a value grows beyond {MAX_VALUE:,} characters")


def _checked(value: Any) -> Any:
    """A value a text made (a list or mapping written out, a value printed), within bounds.

    Counted before anything is turned into text: [a, a, a] holds one text three times and
    costs nothing until it is printed."""
    _tick()
    _bounded(_weight(value))
    return value


def _check_number(value: Any) -> None:
    if isinstance(value, int) and value.bit_length() > MAX_DIGITS * 3.33:
        raise _Limit(f"a number with more than {MAX_DIGITS} digits")


def _items(environment: Any, value: Any, attribute: Any) -> Any:
    """The values of a filter's input, or the named part of each ('navn', 'a.b'), read the
    way the sandbox reads any value."""
    if attribute is None:
        return value
    return map(make_attrgetter(environment, attribute), value)


@pass_environment
def _join(environment: Any, value: Any, separator: str = "", attribute: Any = None) -> str:
    _tick()
    items = [str(v) for v in _items(environment, value, attribute)]
    _bounded(sum(map(len, items)) + len(str(separator)) * max(len(items) - 1, 0))
    return str(separator).join(items)


@pass_environment
def _sum(environment: Any, value: Any, attribute: Any = None, start: Any = 0) -> Any:
    _tick()
    # Numbers only: adding lists or texts one by one takes time that grows with the square
    # of their length, inside one call no time limit can interrupt.
    total = start
    for item in (start, *_items(environment, value, attribute)):
        if isinstance(item, bool) or not isinstance(item, int | float | Decimal):
            raise _Limit("sum adds numbers only")
        _check_number(item)
        if item is not start:
            total = total + item
    _check_number(total)
    return total


def _replace(value: Any, old: str, new: str, count: int | None = None) -> str:
    _tick()
    text, old, new = str(value), str(old), str(new)
    found = text.count(old) if old else len(text) + 1
    if count is not None and count >= 0:
        found = min(found, count)
    _bounded(len(text) + found * max(len(new) - len(old), 0))
    return text.replace(old, new, -1 if count is None else count)


def _excerpt(text: str, words: int = 6) -> str:
    """The first few words of a text as it is printed, enough to prove it is in the PDF: of
    its first paragraph, list item or sub-point, without the marker ("+ [id] ", "- ", "## ")
    that is printed as a label or not at all."""
    from .clauses import blocks  # clauses renders with this module: imported when used

    first = next(iter(blocks(str(text))), None)
    return " ".join(getattr(first, "text", "").split()[:words])


class _Generator(CodeGenerator):
    """Jinja's code generator, with '~' (joining texts) and the lists, tuples and mappings a
    text writes out bounded like the other operators."""

    def visit_Concat(self, node: nodes.Concat, frame) -> None:  # noqa: N802 (Jinja's name)
        self.write("environment.bounded_concat(context, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")

    def _bounded_literal(self, visit, node, frame) -> None:
        self.write("environment.checked(")
        visit(node, frame)
        self.write(")")

    def visit_List(self, node: nodes.List, frame) -> None:  # noqa: N802
        self._bounded_literal(super().visit_List, node, frame)

    def visit_Dict(self, node: nodes.Dict, frame) -> None:  # noqa: N802
        self._bounded_literal(super().visit_Dict, node, frame)

    def visit_Tuple(self, node: nodes.Tuple, frame) -> None:  # noqa: N802
        if node.ctx == "load":  # not the names a loop or a set assigns to
            self._bounded_literal(super().visit_Tuple, node, frame)
        else:
            super().visit_Tuple(node, frame)


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja that evaluates data and nothing else: no attribute that is callable (no method of
    a text, list or mapping), no call at all, arithmetic and joining bounded."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})
    code_generator_class = _Generator

    def __init__(self, filters: tuple[str, ...] | None = None, **options: Any):
        super().__init__(undefined=StrictUndefined, loader=None, **options)
        self.globals.clear()  # no range(), dict(), lipsum(), cycler(), namespace()
        if filters is not None:
            kept = {name: self.filters[name] for name in filters}
            self.filters.clear()
            self.filters.update(kept, join=_join, replace=_replace, sum=_sum)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # str.center(10**9), str.format and their kind allocate without bound; data needs
        # no method, so none is reachable.
        return not callable(value) and super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> None:
        return None  # str.format is a method like any other: not reachable

    def is_safe_callable(self, obj: Any) -> bool:
        return False  # a recursive loop's loop(…), a macro: nothing is called

    checked = staticmethod(_checked)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _tick()
        _check_number(left)
        _check_number(right)
        if operator == "%" and isinstance(left, str):
            raise _Limit("formatting with '%' is not available")
        if operator == "**" and isinstance(right, int | float) and isinstance(left, int | float):
            base = abs(left)
            if base > 1 and right > 0 and right * math.log10(base) > MAX_DIGITS:
                raise _Limit(f"a number with more than {MAX_DIGITS} digits")
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, str | list | tuple) and isinstance(times, int):
                    _bounded(_weight(sequence) * max(times, 0))
        if operator == "+" and isinstance(left, str | list | tuple):
            _bounded(_weight(left) + _weight(right))
        return super().call_binop(context, operator, left, right)

    def bounded_concat(self, context: Any, values: tuple[Any, ...]) -> str:
        _tick()
        _bounded(sum(_weight(v) for v in values))
        return markup_join(values) if context.eval_ctx.autoescape else str_join(values)


@cache
def text_environment() -> Sandbox:
    """Jinja for clause texts and the texts of a case file."""
    env = Sandbox(TEXT_FILTERS, trim_blocks=True, lstrip_blocks=True,
                  keep_trailing_newline=False, autoescape=False, finalize=_checked)
    env.filters["utdrag"] = _excerpt
    return env


class _WordSandbox(Sandbox):
    """The sandbox for Word templates, keeping what it compiled: docxtpl compiles the whole
    document XML for every document it renders, and every council's submission (hundreds in
    a build) is rendered from the same template; compiling took 40 % of writing one."""

    KEPT = 64  # sources: the XML parts and core properties of a few templates

    def __init__(self) -> None:
        super().__init__()
        self._kept: OrderedDict[tuple[str, bool], Any] = OrderedDict()

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        key = (source, bool(self.autoescape))  # docxtpl sets autoescape before rendering
        if key in self._kept:
            self._kept.move_to_end(key)
            return self._kept[key]
        template = self._kept[key] = super().from_string(source)
        if len(self._kept) > self.KEPT:
            self._kept.popitem(last=False)
        return template


@cache
def word_environment() -> Sandbox:
    """Jinja for the tags of a Word template (a project's own, trusted file): the same sandbox
    over the same plain data, with Jinja's standard filters; one per process, keeping the
    templates it compiled (the environment holds no state of a rendering)."""
    return _WordSandbox()


def _refused(tree: nodes.Template) -> None:
    """Refuse statements that reach other templates or define code, before compiling."""
    for node_type, name in REFUSED.items():
        for node in tree.find_all(node_type):
            raise PlaceholderError("", f"{name} is not allowed in a text",
                                   "a text may show values ({{ parter_navn }}) and use if and "
                                   "for; see 'Template variables' in README.md", node.lineno)
    for loop in tree.find_all(nodes.For):
        if loop.recursive:
            raise PlaceholderError("", "a recursive loop is not allowed in a text",
                                   "loop over the values as they are", loop.lineno)


@lru_cache(maxsize=4096)
def _compiled(source: str):
    """Each text parsed, checked and compiled once: a submission to 357 councils renders the
    same clauses for each."""
    env = text_environment()
    tree = env.parse(source)
    _refused(tree)
    return env.from_string(tree)


class Budget:
    """Seconds of rendering left for the texts of one case: a limit per text alone would let
    a case of thousands of slow texts run for hours."""

    def __init__(self, seconds: float | None = None):
        self.left = CASE_TIME_LIMIT if seconds is None else seconds


# Where the code a text runs lives: the text itself (compiled by Jinja), Jinja, this module.
_RENDERING_CODE = ("<template>", os.path.dirname(jinja2.__file__), __file__)


def _traced(deadline: float, why: str):
    """A trace function that stops rendered template code once the deadline has passed.

    Jinja compiles a text to Python code whose file name is "<template>"; only those frames
    are traced, line by line, so a loop over loops is stopped wherever it is. No single step
    of a text takes long: every operator, filter and literal is bounded in size above, so
    what runs in C between two looks at the clock is short.
    """
    def local(frame, event, arg):
        if event == "line" and time.monotonic() > deadline:
            raise _Limit(why)
        return local

    def calls(frame, event, arg):
        # Every call is a moment to look at the clock too: a filter's own Python code (the
        # key function of sort, once per item) runs outside the text's lines. The limit is
        # raised only in the text's own code and Jinja's: Python also calls a garbage
        # collector callback or a finaliser between any two steps, drops what it raises, and
        # a trace function that raised is switched off, so the text would render on unbounded.
        filename = frame.f_code.co_filename
        if time.monotonic() > deadline and filename.startswith(_RENDERING_CODE):
            raise _Limit(why)
        return local if filename == "<template>" else None

    return calls


def render(text: str, context: Mapping[str, Any], where: str, *, trusted: bool = False,
           budget: Budget | None = None) -> str:
    """Render one text with plain data; every failure is a PlaceholderError naming where.

    An untrusted text (one from a case file) is also bounded in time: TIME_LIMIT seconds,
    and what is left of its case's budget. A trusted one (the project's clause library) is
    bounded in size only."""
    for name, value in context.items():
        if type(value) not in PLAIN:  # a bug in samdok, never the user's input
            raise TypeError(f"{name}: a template context holds plain frozen data only, "
                            f"not {type(value).__name__}")
    try:
        template = _compiled(text)
    except PlaceholderError as exc:
        raise PlaceholderError(where, exc.detail, exc.hint, exc.line) from None
    except JinjaError as exc:
        raise PlaceholderError(where, exc.message or "broken placeholder",
                               "check that every {{ has its }} and every {% its %}; filters "
                               f"you can use: {', '.join(sorted(TEXT_FILTERS))}, utdrag",
                               getattr(exc, "lineno", None)) from None
    except (RecursionError, SyntaxError, MemoryError):
        raise PlaceholderError(where, "placeholders nested too deeply",
                               "write the text with fewer brackets inside each other") from None
    start = time.monotonic()
    limit, why = TIME_LIMIT, f"rendering takes more than {TIME_LIMIT:g} seconds"
    if budget is not None and budget.left < limit:
        limit = max(budget.left, 0.0)
        why = (f"the texts of this case take more than {CASE_TIME_LIMIT:g} seconds to render "
               "in all")
    out: list[str] = []
    size = 0
    previous = sys.gettrace()
    if not trusted:
        _clock.deadline, _clock.why = start + limit, why
        sys.settrace(_traced(start + limit, why))
    try:
        for chunk in template.generate(context):
            _tick()
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise _Limit(f"the text renders to more than {MAX_OUTPUT:,} characters")
            out.append(chunk)
    except SecurityError as exc:
        raise _security(where, exc) from None
    except UndefinedError as exc:
        raise PlaceholderError(where, f"unknown placeholder ({exc.message})",
                               "see 'Template variables' in README.md for the names you can "
                               "use") from None
    except _Limit as exc:
        raise PlaceholderError(where, f"stopped: {exc}",
                               "a text may show values and loop over the lists it is given; "
                               "write it out instead of computing it") from None
    except JinjaError as exc:
        raise PlaceholderError(where, exc.message or "broken placeholder",
                               "check the placeholders of this text",
                               getattr(exc, "lineno", None)) from None
    except (ArithmeticError, TypeError, ValueError, LookupError, RecursionError) as exc:
        # The text computed something impossible (1/0, 'a' - 1, …): its own fault, reported
        # where it stands.
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PlaceholderError(where, f"cannot be computed ({detail})",
                               "a text may show values; check the expression between {{ and }}"
                               ) from None
    finally:
        if not trusted:
            sys.settrace(previous)
            _clock.deadline = float("inf")
            if budget is not None:
                budget.left -= time.monotonic() - start
    return "".join(out)


def _security(where: str, exc: Exception) -> PlaceholderError:
    return PlaceholderError(where, f"not allowed in a placeholder ({exc})",
                            "placeholders may only name the values listed under 'Template "
                            "variables' in README.md")
