"""`samdok new`: a commented starter case for a cooperation form, from templates/ny/sak.yaml.j2."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import unicodedata
from fractions import Fraction
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from . import costs, register, rules
from .errors import SamdokError


def slug(names: list[str]) -> str:
    """A case id from names: Røros, Os, Holtålen -> roros-os-holtalen."""
    text = "-".join(names).lower()
    for letter, plain in (("æ", "ae"), ("ø", "o"), ("å", "a")):
        text = text.replace(letter, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def starter_case(templates: Path, form: str, parties: list[str], case_id: str, title: str,
                 file: str, today: dt.date | None = None) -> str:
    """The text of a new case file: every field the form requires, with placeholders."""
    found = [register.find(p) for p in parties]
    fields = {r.field for r in rules.applicable("samarbeidsavtale", form)}
    today = today or dt.date.today()
    shares = costs.largest_remainder(100, [Fraction(1, len(found))] * len(found))
    env = Environment(loader=FileSystemLoader(templates / "ny"), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env.get_template("sak.yaml.j2").render(
        id=case_id, tittel=title, form=form, felt=fields, parter=found,
        andeler=list(zip(found, shares, strict=True)), fil=file, år=today.year + 1,
        ikrafttredelse=dt.date(today.year + 1, 1, 1).isoformat())


def write_new(path: Path, text: str, force: bool = False) -> None:
    """Write a new file whole (temporary file, then rename); never overwrite unless forced."""
    if path.exists() and not force:
        raise SamdokError(f"{path} exists already; hint: choose another name with -o, "
                          "or add --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)
