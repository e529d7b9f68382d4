"""`samdok new`: a commented starter case for a cooperation form, from templates/ny/sak.yaml.j2."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from . import costs, files, register, rules
from .errors import SamdokError


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
    """Write a new file whole (files.write_atomic: a link at path is replaced, never written
    through); never overwrite unless forced."""
    if (path.exists() or path.is_symlink()) and not force:
        raise SamdokError(f"{path} exists already; hint: choose another name with -o, "
                          "or add --force to replace it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        files.write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise SamdokError(f"{path}: cannot write ({exc.strerror}); hint: check the folder "
                          "and its permissions, or choose another file with -o") from None
