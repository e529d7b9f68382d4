"""The councils' decisions as template values: the agreement's adoption record and the
notice to statsforvalteren read them (the words are the clause library's `fraser.vedtak`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import TemplateError
from ..model import decisions, norsk, register
from ..model.case import Case
from .clauses import Library, render
from .names import municipality_name
from .sandbox import freeze

# A council's state -> its phrase under `fraser.vedtak` (the case file's own words).
PHRASES = {decisions.PENDING: "ikke_behandlet", decisions.ADOPTED: "vedtatt",
           decisions.AMENDED: "vedtatt_med_endringer", decisions.POSTPONED: "utsatt",
           decisions.REJECTED: "avvist", decisions.EARLIER: "eldre_tekst"}


def record(case: Case, lib: Library) -> list[dict[str, Any]]:
    """One entry per council, in the order of the parties, once any outcome is recorded:
    body, date, case numbers, state, amendment, and the sentence that says it (`tekst`).
    Empty when nothing is recorded, so the clause that shows them is left out."""
    if not decisions.recorded(case):
        return []
    phrases = lib.phrases.get("vedtak")
    if not isinstance(phrases, Mapping) or set(PHRASES.values()) - set(phrases):
        raise TemplateError(f"{lib.path}: no phrases 'vedtak' ({', '.join(PHRASES.values())}) "
                            "under 'fraser'", hint="copy them from the standard clause library "
                            "in samdok's templates/klausuler")
    lang, out = case.language, []
    for c in decisions.standing(case).councils:
        # named as each council's resolution names it (names.py)
        m = register.lookup(c.number)
        entry = {"kommune": municipality_name(m, "vedtak", case.name_form),
                 "nummer": c.number, "utvalg": c.body,
                 "dato": norsk.date(c.date, lang) if c.date else "", "saksnr": c.case_number,
                 "arkivsak": c.archive_case, "tilstand": c.state,
                 # one line, so it stays one item of a list
                 "endring": " ".join(c.amendment.split())}
        key = PHRASES[c.state]
        entry["tekst"] = " ".join(render(phrases[key], {"v": freeze(entry)}, f"fraser.vedtak.{key}",
                                         trusted=True).split())
        out.append(entry)
    return out
