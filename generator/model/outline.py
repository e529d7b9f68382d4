"""The case's outline (`disposisjon`, `utelat`) as typed values: entries, ids and their bounds."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag
from pydantic_core import PydanticCustomError

# A clause or sub-point id: what a cross-reference [[id]] names and a Word bookmark carries.
# Lower-case letters (Norwegian and Sami included), digits 0-9 and "_", starting with a
# letter; 40 characters at most, so the bookmark that carries it stays short.
MAX_ID = 40
# An outline with more entries than any real agreement has clauses is an accident or an
# attack: a located message, not a 10 000-page document.
MAX_ENTRIES = 200


def _clause_id(value: str) -> str:
    if not is_id(value):
        shown = repr(value if len(value) <= 40 else value[:40] + "…")
        raise PydanticCustomError("bound", "{message}", {
            "message": f"{shown} is not a clause id",
            "hint": "an id is lower-case letters, digits and '_', starting with a letter, at "
                    "most 40 characters, e.g. 'prosjektplan'"})
    return value


def is_id(value: str) -> bool:
    """Whether value is a well-formed clause or sub-point id."""
    return (0 < len(value) <= MAX_ID and value[0].isalpha() and value == value.lower()
            and all(c.isalpha() or c in "0123456789_" for c in value))


ClauseId = Annotated[str, AfterValidator(_clause_id),
                     Field(description="a clause id: lower-case letters, digits and '_', "
                                       "starting with a letter (at most 40)")]


def not_blank(value: str | None) -> str | None:
    """A text that is given must say something: an empty one would silently change nothing."""
    if value is not None and not value.strip():
        raise PydanticCustomError("bound", "{message}", {
            "message": "the text is empty",
            "hint": "write the text, or remove the key; to leave a standard clause out, list "
                    "its id under 'utelat'"})
    return value


GivenText = Annotated[str | None, AfterValidator(not_blank)]


class OutlineEntry(BaseModel):
    """One clause of the outline: a standard clause's id with the case's own heading or text, or the case's own clause (id, overskrift and tekst)."""  # noqa: E501 (one line: the reference shows the first)

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True,
                              use_attribute_docstrings=True)

    id: ClauseId
    """the standard clause's id, or a new id for the case's own clause"""
    heading: GivenText = Field(None, alias="overskrift")
    """the heading (required for the case's own clause; replaces a standard heading)"""
    text: GivenText = Field(None, alias="tekst")
    """the clause text (required for the case's own clause; replaces a standard text)"""
    addition: GivenText = Field(None, alias="tillegg")
    """text added after the standard text"""


def entry_id(entry: str | OutlineEntry) -> str:
    return entry if isinstance(entry, str) else entry.id


# An outline entry is an id (text) or a mapping; only the matching one is tried, so a wrong
# id is one message, not also "expected a mapping". The tags are the names case.py leaves
# out of a located field path.
Entry = Annotated[Annotated[ClauseId, Tag("str")] | Annotated[OutlineEntry, Tag("OutlineEntry")],
                  Discriminator(lambda v: "str" if isinstance(v, str) else "OutlineEntry")]
