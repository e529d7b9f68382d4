"""The case format described from the model itself: JSON Schema for editors, Markdown for people."""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any, Literal

from pydantic import BaseModel, BeforeValidator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from .case import Case

SCHEMA_ID = "https://samdok.invalid/schema/case.json"  # an identifier, not a download address


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a case file, under the case file's Norwegian keys."""
    schema = Case.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "samdok case file",
        **schema,
    }


def reference_markdown() -> str:
    """One table per mapping of the case format: key, type, required, meaning."""
    sections: list[str] = []
    _describe_model(Case, "", sections, set())
    return "\n".join(sections).rstrip() + "\n"


def _describe_model(model: type[BaseModel], path: str, out: list[str], seen: set) -> None:
    if model in seen:
        return
    seen.add(model)
    title = f"`{path}`" if path else "Top level"
    doc = (model.__doc__ or "").strip().splitlines()[0]
    out += [f"#### {title}", "", doc, "", "| key | type | required | meaning |",
            "|---|---|---|---|"]
    nested: list[tuple[str, type[BaseModel]]] = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        sub = f"{path}.{key}" if path else key
        # pydantic moves a field's own Annotated metadata into info.metadata
        kind = (MUNICIPALITY if any(_is_municipality(m) for m in info.metadata)
                else _type(info.annotation, sub, nested))
        out.append(f"| `{key}` | {kind} | "
                   f"{'yes' if info.is_required() else ''} | {_meaning(info)} |")
    out.append("")
    for sub, child in nested:
        _describe_model(child, sub, out, seen)


MUNICIPALITY = "municipality (number or name)"


def _is_municipality(meta: Any) -> bool:
    return getattr(getattr(meta, "func", None), "__name__", "") == "_to_number"


def _meaning(info: FieldInfo) -> str:
    text = (info.description or "").replace("|", "\\|").replace("\n", " ")
    default = info.get_default(call_default_factory=True)
    if default not in (None, [], {}, ()) and not info.is_required():
        text += f" (default: `{default if not isinstance(default, list) else ', '.join(default)}`)"
    return text


def _type(annotation: Any, path: str, nested: list) -> str:
    """A plain description of a type annotation, registering nested models to describe."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        if any(_is_municipality(meta) for meta in args[1:]):
            return MUNICIPALITY
        # A value written in several shapes (ikrafttredelse) is described as it is written.
        shapes = [meta.json_schema_input_type for meta in args[1:]
                  if isinstance(meta, BeforeValidator)
                  and meta.json_schema_input_type is not PydanticUndefined]
        return _type(shapes[0] if shapes else args[0], path, nested)
    if origin in (typing.Union, types.UnionType):
        parts = [_type(a, path, nested) for a in args if a is not type(None)]
        return " or ".join(dict.fromkeys(parts))
    if origin is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin is list:
        return f"list of {_type(args[0], path, nested)}"
    if origin is dict:
        return f"mapping of {_type(args[0], path, nested)} to {_type(args[1], path, nested)}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        nested.append((path, annotation))
        return f"mapping (see `{path}`)"
    return {str: "text", int: "whole number", float: "number", bool: "`true`/`false`",
            dt.date: "date `YYYY-MM-DD`"}.get(annotation, str(annotation))
