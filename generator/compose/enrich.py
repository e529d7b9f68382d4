"""Enrichment: a validated case plus the clause library becomes the document model."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import weakref
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..errors import CaseError, TemplateError
from ..model import costs, decisions, hygiene, norsk, register
from ..model.case import Area, Case, LoadedCase, Party
from ..model.commencement import effective_date
from ..model.crosschecks import AGREEMENTS
from ..model.source import dotted
from ..model.withdrawal import default_citation
from . import adoption, notice, outline
from .clauses import Library, PlaceholderError, StandardClause, blocks, library, render
from .document import (
    Block,
    Clause,
    Document,
    Item,
    Paragraph,
    Signatory,
    SubHeading,
    Table,
)
from .names import municipality_name
from .sandbox import Budget, freeze

# Up to this many parties a council's case submission names them all in its resolution and
# prints the whole cost table. Beyond, it counts them ("de 357 deltakerkommunene") and prints
# the council's own row and the sum: the agreement attached right behind it names them all
# and has the whole table, and pages of other councils' names and figures in each copy help
# no reader (they made a 357-party submission 12 pages long and six times slower to convert).
MANY_PARTIES = 30

# Each case's texts share one rendering budget (sandbox.Budget), for as long as it is loaded.
_budgets: weakref.WeakKeyDictionary[LoadedCase, Budget] = weakref.WeakKeyDictionary()


def compose(loaded: LoadedCase, templates: Path) -> list[Document]:
    """Every document the case asks for, as document models: the agreements, then one case
    submission per council (each with the agreement attached)."""
    case = loaded.case
    outline.check_brackets(loaded)
    agreements = [compose_document(loaded, kind, templates)
                  for kind in dict.fromkeys(case.documents) if kind in AGREEMENTS]
    documents = list(agreements)
    if "saksframlegg" in case.documents:
        documents += [compose_submission(loaded, templates, party.municipality, agreements[0])
                      for party in case.parties]
    if notice.KIND in case.documents and decisions.standing(case).all_adopted:
        # Only once every council adopted it: the letter says the cooperation is established
        # (until then validation warns that it is not built).
        documents.append(notice.compose_notice(loaded, templates, agreements[0]))
    return documents


def compose_document(loaded: LoadedCase, kind: str, templates: Path,
                     extra: dict[str, Any] | None = None,
                     references: Mapping[str, str] | None = None, **fields: Any) -> Document:
    """One document model: clauses in the case's outline (by default the library's order),
    case overrides applied, then numbered, and cross-references resolved.

    `extra` adds context values (a council's own figures); `references` what [[id]] prints
    for ids of another document (the attached agreement); `fields` set Document fields.
    """
    case = loaded.case
    lib = library(templates, kind, case.language)
    # A fresh top level per document over frozen values: no text can change what another
    # document, or another case of the same run, is made from.
    context = {**build_context(loaded, lib), **freeze(extra or {})}
    agreement = kind in AGREEMENTS
    # The case's `klausuler` change the agreement; a submission's sections are its own.
    overrides = case.clauses if agreement else {}

    def present(std: StandardClause) -> bool:
        return not std.when or _present(context, std.when)

    slots = (outline.arrange(loaded, lib, kind, present) if agreement
             else [outline.Slot(std) for std in lib.clauses if present(std)])
    drafts: list[tuple[StandardClause, str, str]] = []  # clause, heading, rendered text
    for slot in slots:
        std = slot.std
        override = overrides.get(std.id)
        # A library heading may depend on the form («Rapportering og instruksjon» only where
        # there is a host to instruct); a case's own heading is taken as written.
        heading = slot.heading or (override.heading if override and override.heading else (
            render(std.heading, context, f"{lib.path.name}: heading of '{std.id}'",
                   trusted=True).strip() if "{" in std.heading else std.heading))
        if slot.text:
            rendered = case_text(loaded, (*slot.path, "tekst"), slot.text, context)
        elif override and override.text:
            rendered = case_text(loaded, ("klausuler", std.id, "tekst"), override.text,
                                 context)
        else:
            rendered = render(std.text, context, f"{lib.path.name}: clause '{std.id}'",
                              trusted=True)
        if slot.addition:
            rendered += "\n\n" + case_text(loaded, (*slot.path, "tillegg"), slot.addition,
                                           context)
        elif override and override.addition:
            rendered += "\n\n" + case_text(loaded, ("klausuler", std.id, "tillegg"),
                                           override.addition, context)
        drafts.append((std, heading, rendered))

    if agreement:
        _insert_new_clauses(loaded, lib, context, drafts)

    clauses = []
    for number, (std, heading, rendered) in enumerate(drafts, start=1):
        content = (blocks(rendered, number if agreement else None)
                   + _computed(std.content, context, loaded, lib))
        evidence = tuple(
            phrase.strip()
            for template in std.evidence
            for phrase in render(template, context, f"{lib.path.name}: bevis for '{std.id}'",
                                 trusted=True)
            .splitlines()
            if phrase.strip()
        )
        clauses.append(Clause(std.id, number, heading, tuple(content), evidence,
                              numbered=agreement))
    # Numbers are known only now that the order is: sub-points and cross-references last.
    outline.check_anchors(loaded, clauses, references)
    numbers = outline.anchors(clauses, references)
    clauses = [outline.resolve(loaded, clause, numbers) for clause in clauses]

    signing = case.signing if agreement else None
    place = signing.place if signing else ""
    date = norsk.date(signing.date, case.language) if signing and signing.date else ""
    place_and_date = ", ".join(part for part in (place, date) if part)
    defaults: dict[str, Any] = dict(
        kind=kind,
        case_id=loaded.id,
        title=case.title,
        subtitle=case.subtitle or "",
        language=case.language,
        clauses=tuple(clauses),
        signatories=tuple(_signatories(loaded, lib)) if agreement else (),
        place_and_date=place_and_date,
        signing_place=place,
        signing_date=date,
        draft_label=(f"{lib.labels['utkast']} {case.draft}" if case.draft else lib.labels["utkast"])
        if case.status == "utkast" else "",
        labels=dict(lib.labels),
        anchors=outline.anchors([c for c in clauses if agreement]),
    )
    document = Document(**{**defaults, **fields})
    outline.check_unreferenced(loaded, document)
    return document


def case_text(loaded: LoadedCase, path: tuple[str | int, ...], text: str,
              context: Mapping[str, Any]) -> str:
    """Render a text from the case file; a broken placeholder is a problem at its place."""
    try:
        rendered = render(text, context, f"{loaded.source.file}: {dotted(path)}",
                          budget=_budgets.setdefault(loaded, Budget()))
    except PlaceholderError as exc:
        where = f" (line {exc.line} of the text)" if exc.line and exc.line > 1 else ""
        raise CaseError([loaded.source.problem(path, exc.detail + where, exc.hint)]) from None
    # The file passed text hygiene at load, but a placeholder can write what the file does
    # not hold ({{ '\u202e' }}, {{ '\ud800' }}): the rendered text passes the same check.
    # The characters refused there cannot come from the file or the context, so a placeholder
    # made them; the harmless warned ones (soft hyphen, tab) may have been in the file.
    found = [f for f in hygiene.findings(rendered) if f.severity == "error"]
    if found:
        raise CaseError([loaded.source.problem(
            path, f"a placeholder writes {hygiene.describe(f.char)}, {f.message}",
            "write the text itself instead of making it with a placeholder")
            for f in found])
    return rendered


def _present(context: dict[str, Any], path: str) -> bool:
    """Whether a dotted context value ("saksframlegg.konklusjon") is there and not empty."""
    value: Any = context
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return bool(value)


def compose_submission(loaded: LoadedCase, templates: Path, number: str,
                       agreement: Document) -> Document:
    """One council's copy of the joint case submission, with the agreement attached."""
    case, lang = loaded.case, loaded.case.language
    lib = library(templates, "saksframlegg", lang)
    copy = case.submission.councils[number]
    m = register.lookup(number)
    common = build_context(loaded, lib)  # computed once per case, shared by every copy
    extra: dict[str, Any] = {
        # The council as its resolution names it, and as its own head does (names.py).
        "kommune": {"navn": m.name, "nummer": m.number,
                    "kommune": municipality_name(m, "vedtak", case.name_form),
                    "offisielt_navn": municipality_name(m, "hode", case.name_form)},
        "andre_kommuner": norsk.and_list(
            [p["kommune"] for p in common["parter"] if p["nummer"] != m.number], lang),
        "vedtaksorgan": copy.route[-1].committee,
        "avtale": {"tittel": agreement.title, "type": _agreement_type(case, lib, agreement)},
        # Many parties: counted rather than listed, and only this council's row of the cost
        # table; the agreement behind the submission lists them all.
        "mange_parter": len(case.parties) > MANY_PARTIES,
        "antall_parter": len(case.parties),
        **_council_share(loaded, lib, number),
        **_council_decisions(loaded, agreement, copy, number, lang),
    }
    base = {**common, **freeze(extra)}
    texts = {}
    for key, value in (("sammendrag", case.submission.summary),
                       ("saksopplysninger", case.submission.facts),
                       ("vurdering", case.submission.assessment),
                       ("konklusjon", case.submission.conclusion)):
        texts[key] = case_text(loaded, ("saksframlegg", key), value, base) if value else ""
    texts["vedtakspunkter"] = [case_text(loaded, ("saksframlegg", "vedtakspunkter", i), p, base)
                               for i, p in enumerate(case.submission.points)]
    texts["vedlegg"] = [agreement.title, *case.submission.attachments]
    extra["saksframlegg"] = texts
    header = {
        "kommune": municipality_name(m, "hode", case.name_form),
        "arkivsak": copy.case_number,
        "arkiv": copy.archive_code or "",
        "saksbehandler": copy.officer,
        "dato": norsk.short_date(copy.date, lang),
        "behandling": [{"saksnr": r.number or "", "utvalg": r.committee,
                        "møtedato": norsk.short_date(r.date, lang)} for r in copy.route],
    }
    return compose_document(
        loaded, "saksframlegg", templates, extra, stem=f"saksframlegg-{m.number}",
        references=agreement.anchors, header=header, attachments=(agreement,),
        title=case.submission.title or case.title, subtitle="")


# The forms whose agreement sets up a host-municipality cooperation whatever its title
# (kommuneloven § 20-4 første ledd); for the other forms only a samarbeidsavtale establishes
# the body, a tjenesteavtale works under one that exists.
HOST_FORMS = ("vertskommune", "vertskommune_med_nemnd")


def _agreement_type(case, lib: Library, agreement: Document) -> str:
    """What the resolution calls the agreement: a framework agreement by the name it gives
    itself («godkjenner grunnavtalen …»), else the document kind («samarbeidsavtalen»). The
    definite form is made only of a name ending in «avtale» (the same in bokmål and nynorsk)."""
    name = (case.agreement_name or "").strip()
    if agreement.kind == "samarbeidsavtale" and name.lower().endswith("avtale"):
        return name[0].lower() + name[1:] + "n"
    return _phrase(lib, "avtaletype", agreement.kind)


def _council_decisions(loaded: LoadedCase, agreement: Document, copy, number: str,
                       lang: str) -> dict[str, Any]:
    """What this council's resolution decides besides adopting the agreement: whether it is
    the host, whether the agreement establishes the cooperation (so the council elects its
    members of the body), the members it elects, and who signs for it.

    The person authorised to sign is the one the agreement's signature page names for this
    party (samdok's own rule; no statute says who signs); without one, the page leaves the
    name blank and the resolution authorises the chief executive, as before.
    """
    case = loaded.case
    host = register.lookup(case.host).number if case.host is not None else None
    establishes = agreement.kind == "samarbeidsavtale" or case.form in HOST_FORMS
    body = (case.committee if case.form == "vertskommune_med_nemnd"
            else case.assembly if case.form in ("politisk_råd", "oppgavefellesskap", "iks")
            else None)
    elected = None
    if establishes and body is not None:
        count = body.members if isinstance(body.members, int) else next(
            (n for ref, n in body.members.items() if register.lookup(ref).number == number),
            None)
        if count is not None:
            elected = {"antall": count, "medlemmer": norsk.and_list(copy.members, lang),
                       "antall_navn": len(copy.members),
                       "varamedlemmer": norsk.and_list(copy.deputies, lang),
                       "antall_vara": len(copy.deputies)}
    party = next(p for p in case.parties if register.lookup(p.municipality).number == number)
    rep = party.representative
    return {"er_vertskommune": host == number,
            "etablerer": establishes,
            "valg": elected,
            "signerer": {"navn": rep.name, "tittel": rep.title} if rep else None}


def _council_share(loaded: LoadedCase, lib: Library, number: str) -> dict[str, str]:
    """This council's share and amount, as printed in the cost table of the same case."""
    case = loaded.case
    if not (case.economy and case.economy.distribution):
        return {"andel": "", "andel_tekst": "", "beløp": "", "budsjettår": ""}
    table = cost_table(loaded, lib)
    index = [p.municipality for p in case.parties].index(number)
    row = table.rows[index]
    kind = next(k for k in ("andel", "andel_av_resten") if _label(lib, k) in table.header)
    share_label = _label(lib, kind)
    budget = case.economy.budget or {}
    year = case.submission.budget_year or (next(iter(budget)) if budget else None)
    amount = ""
    if year is not None and year in budget:
        amount = row[table.header.index(f"{_label(lib, 'budsjett')} {year}")]
    return {"andel": row[table.header.index(share_label)],
            "andel_tekst": _phrase(lib, "andel_tekst", kind),
            "beløp": amount, "budsjettår": str(year or "")}


def _insert_new_clauses(loaded: LoadedCase, lib: Library, context: dict[str, Any],
                        drafts: list[tuple[StandardClause, str, str]]) -> None:
    """Clauses the case adds (ids not in the library) go after the clause named in 'etter'."""
    known = {std.id for std in lib.clauses}
    problems = []
    for clause_id, override in loaded.case.clauses.items():
        if clause_id in known:
            continue
        path = ("klausuler", clause_id)
        ids = [std.id for std, _, _ in drafts]
        if not (override.heading and override.text and override.after):
            problems.append(loaded.source.problem(
                path, f"'{clause_id}' is not a standard clause id",
                f"standard ids: {', '.join(sorted(known))}; a new clause needs "
                "'overskrift', 'tekst' and 'etter' (the id it follows)", key=True))
            continue
        if override.after not in ids:
            problems.append(loaded.source.problem(
                (*path, "etter"), f"no clause '{override.after}' to place it after",
                f"use one of: {', '.join(ids)}"))
            continue
        rendered = case_text(loaded, ("klausuler", clause_id, "tekst"), override.text, context)
        std = StandardClause(clause_id, override.heading, override.text)
        drafts.insert(ids.index(override.after) + 1, (std, override.heading, rendered))
    if problems:
        raise CaseError(problems)


def _per_case(function):
    """Remember a function of (case, clause library) for as long as the case is loaded.

    A submission to 357 councils asks for the same context and cost table for every copy;
    computing them once per case keeps composing linear. The results are only read.
    """
    memo: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @functools.wraps(function)
    def remembered(loaded: LoadedCase, lib: Library):
        results = memo.setdefault(loaded, {})
        if id(lib) not in results:  # libraries are cached for the whole run (clauses.py)
            results[id(lib)] = function(loaded, lib)
        return results[id(lib)]

    return remembered


@_per_case
def build_context(loaded: LoadedCase, lib: Library) -> Mapping[str, Any]:
    """The values clause texts and Word templates see, under the case file's Norwegian names:
    plain frozen data (sandbox.freeze), computed once per case and only read after."""
    case, lang = loaded.case, loaded.case.language
    parties = [register.lookup(p.municipality) for p in case.parties]
    populations = [population(p) for p in case.parties]
    ctx: dict[str, Any] = {
        "tittel": case.title,
        "undertittel": case.subtitle or "",
        "etiketter": lib.labels,
        "parter": [
            {
                "navn": m.name,
                "offisielt_navn": m.official_name,
                "kommune": municipality_name(m, "parter", case.name_form),
                "nummer": m.number,
                "fylke": m.county,
                "folketall": norsk.number(figure, lang),
                "folketall_per": norsk.date(date, lang),
            }
            for m, (figure, date) in zip(parties, populations, strict=True)
        ],
        "parter_liste": norsk.and_list(
            [municipality_name(m, "parter", case.name_form) for m in parties], lang),
        "parter_navn": norsk.and_list([m.name for m in parties], lang),
        "samarbeidsform": render(lib.phrases["samarbeidsform"][case.form],
                                 freeze(_framework(case, lib)), "samarbeidsform", trusted=True),
        **_framework(case, lib),
        # The form as the case file writes it (`iks`, `vertskommune`, …): clause texts state
        # what the law says for that form only.
        "samarbeidsform_kode": case.form,
        "samarbeidsområder": bool(case.areas),
        **_commencement(case, lang),
        # Each council's decision, once any is recorded (the adoption record, the notice).
        "vedtak": adoption.record(case, lib),
        "navn": case.name or "",
        "vertskommune": _municipality(case.host, case.name_form),
        "kontorkommune": _municipality(case.office, case.name_form),
        "hovedkontor": _municipality(case.head_office, case.name_form),
        "nemnd": _body(case.committee, lib, lang, len(parties)),
        "representantskap": _body(case.assembly, lib, lang, len(parties)),
        "styre": {
            "medlemmer": case.board.members or "", "laveste": case.board.lowest or "",
            "høyeste": case.board.highest or "", "tekst": "",
            "ansattevalgte": "" if case.board.employee_elected == "nei"
            else case.board.employee_elected,
        } if case.board else None,
        # ja / nei as the case says it; "" when the case does not say (the clause is silent)
        "eget_rettssubjekt": ("" if case.legal_entity is None
                              else "ja" if case.legal_entity else "nei"),
        "overføring": ({"dato": norsk.date(case.transfer, lang), "tekst": ""}
                       if isinstance(case.transfer, dt.date) else None),
        "eierandeler": _shares(case.ownership, lang),
        "ansvarsandeler": _shares(case.liability, lang),
        "låneadgang": {
            "tillatt": case.borrowing.allowed,
            "ramme": norsk.kroner(case.borrowing.ceiling, lang) if case.borrowing.ceiling else "",
        } if case.borrowing else None,
    }
    if case.economy:
        ctx["økonomi"] = _economy(case, lib, ctx, populations)
    if case.withdrawal:
        months = case.withdrawal.notice_months
        ctx["uttreden"] = {
            "oppsigelsestid_måneder": months,
            "oppsigelsestid": render(lib.phrases["måneder"], {"n": months},
                                     "fraser.måneder", trusted=True) if months else "",
            # The statute whose default notice applies (validation allowed `lov` only where
            # one does); the clause states it with this citation.
            "lov": (default_citation(case.form, case.documents, lang) or "")
            if case.withdrawal.by_law else "",
            "virkning": case.withdrawal.effective or "",
            "tekst": "",
        }
    # «Avtalen trer i kraft …» completed, for the resolution and the diff: a fixed date as
    # it stands (so a project's own older clause library needs no new phrase for it).
    ctx["ikrafttredelse_tekst"] = (
        render(_phrase(lib, "ikrafttredelse"), freeze(ctx), "fraser.ikrafttredelse",
               trusted=True).strip()
        if case.takes_effect and case.takes_effect.on_adoption else ctx["ikrafttredelse"])
    # Free texts from the case may use the placeholders above, and the texts before them;
    # render them last, each against frozen values, so no text can change what others see.
    ctx = dict(freeze(ctx))

    def with_text(key: str, path: tuple[str | int, ...], text: str) -> None:
        ctx[key] = freeze({**ctx[key], "tekst": case_text(loaded, path, text, ctx)})

    for key, value in (("bakgrunn", case.background), ("formål", case.purpose),
                       ("vertskommuneprinsipp", case.host_principle),
                       ("samarbeidsorgan", case.joint_body), ("inntreden", case.entry),
                       ("innskudd", case.contributions), ("oppløsning", case.dissolution),
                       ("tjeneste", case.service), ("rapportering", case.reporting),
                       ("arbeidsgiveransvar", case.employer), ("myndighet", case.authority),
                       ("merforbruk", case.deficit)):
        ctx[key] = case_text(loaded, (key,), value, ctx) if value else ""
    # Texts that complete a sentence of the clause, which adds the full stop.
    for key, value in (("arkivansvar", case.archives), ("underretning", case.notification)):
        ctx[key] = _completing(case_text(loaded, (key,), value, ctx)) if value else ""
    if isinstance(case.transfer, str):
        ctx["overføring"] = freeze({"dato": "", "tekst": _completing(
            case_text(loaded, ("overføring",), case.transfer, ctx))})
    ctx["oppgaver"] = tuple(case_text(loaded, ("oppgaver", i), t, ctx)
                            for i, t in enumerate(case.tasks))
    for key, model in (("nemnd", case.committee), ("representantskap", case.assembly),
                       ("styre", case.board)):
        if model and model.text:
            with_text(key, (key, "tekst"), model.text)
    if case.economy:
        ctx["økonomi"] = freeze({**ctx["økonomi"], "prinsipper": [
            case_text(loaded, ("økonomi", "prinsipper", i), p, ctx)
            for i, p in enumerate(case.economy.principles)]})
        if case.economy.text:
            with_text("økonomi", ("økonomi", "tekst"), case.economy.text)
    if case.withdrawal and case.withdrawal.text:
        with_text("uttreden", ("uttreden", "tekst"), case.withdrawal.text)
    ctx.update(_fields(loaded, ctx))
    return freeze(ctx)


def _framework(case: Case, lib: Library) -> dict[str, Any]:
    """What a framework agreement calls itself and the forms its service agreements take, in
    words (fraser.tjenesteavtaleform); the case's own text about them comes with _fields."""
    if case.form != "rammeavtale":
        return {"avtalenavn": "", "tjenesteavtaler": None}
    forms = case.service_agreements.forms if case.service_agreements else []
    return {"avtalenavn": case.agreement_name or "rammeavtale",
            "tjenesteavtaler": {
                "former": list(forms),
                "former_tekst": norsk.or_list(
                    [_phrase(lib, "tjenesteavtaleform", f) for f in forms], case.language),
                "tekst": ""} if forms else None}


def _fields(loaded: LoadedCase, ctx: Mapping[str, Any]) -> dict[str, Any]:
    """Goals, principles, phases, financing, personnel policy, organs and the service
    agreements' text as template values; every text from the case is rendered as a case text
    (placeholders allowed, located messages), against the frozen context before it."""
    case = loaded.case

    def text(path: tuple[str | int, ...], value: str | None) -> str:
        return case_text(loaded, path, value, ctx) if value else ""

    out: dict[str, Any] = {
        "mål": [text(("mål", i), g) for i, g in enumerate(case.goals)],
        "prinsipper": [text(("prinsipper", i), p) for i, p in enumerate(case.principles)],
        "finansiering": text(("finansiering",), case.financing),
        "personalpolitikk": text(("personalpolitikk",), case.personnel),
        "faser": None,
        "organer": [
            {"navn": organ.name, "type": organ.kind, "lovbestemt": organ.statutory,
             "medlemmer": [text(("organer", i, "medlemmer", j), m)
                           for j, m in enumerate(organ.members)],
             "mandat": text(("organer", i, "mandat"), organ.mandate)}
            for i, organ in enumerate(case.organs)],
    }
    if case.phases:
        out["faser"] = {
            "tidshorisont": text(("faser", "tidshorisont"), case.phases.horizon),
            "plan": [{"navn": phase.name, "tid": phase.time or "",
                      "innhold": text(("faser", "plan", i, "innhold"), phase.content)}
                     for i, phase in enumerate(case.phases.plan)],
            "tekst": text(("faser", "tekst"), case.phases.text)}
    if ctx.get("tjenesteavtaler") and case.service_agreements.text:
        out["tjenesteavtaler"] = {**ctx["tjenesteavtaler"], "tekst": text(
            ("tjenesteavtaler", "tekst"), case.service_agreements.text)}
    return out


def _commencement(case: Case, lang: str) -> dict[str, Any]:
    """When the agreement takes effect, for the clause texts: the day where it is known
    (`ikrafttredelse`), whether it waits for every council's adoption, and the date of one
    conditional on adoption."""
    terms = case.takes_effect
    if terms is None:
        return {"ikrafttredelse": "", "ikrafttredelse_vedtak": False,
                "ikrafttredelse_tidligst": ""}
    # Once every council's adoption is recorded, «vedtatt» has its date (the last adoption).
    known = effective_date(case, decisions.standing(case).last_adoption)
    return {"ikrafttredelse": norsk.date(known, lang) if known else "",
            "ikrafttredelse_vedtak": terms.on_adoption,
            "ikrafttredelse_tidligst": norsk.date(terms.date, lang)
            if terms.on_adoption and terms.date else ""}


def _municipality(ref, name_form: str) -> dict[str, str] | None:
    """A referenced party as template values ({navn, kommune, nummer}), or None; «kommune»
    names it as the parties clause does."""
    if ref is None:
        return None
    m = register.lookup(ref)
    return {"navn": m.name, "kommune": municipality_name(m, "parter", name_form),
            "nummer": m.number}


def _completing(text: str) -> str:
    """A case text that ends a sentence of the clause: without its own final full stop."""
    text = text.rstrip()
    return text[:-1].rstrip() if text.endswith(".") else text


def _body(body, lib: Library, lang: str, parties: int = 0) -> dict[str, str] | None:
    """Members of a representantskap or nemnd, in words: the same for all, or per party, and
    the total (IKS-loven § 4 tredje ledd nr. 8 asks for both)."""
    if body is None:
        return None
    total = (body.members * parties if isinstance(body.members, int)
             else sum(body.members.values()))
    phrases = lib.phrases

    def members(n: int) -> str:
        return render(phrases["medlemmer"], {"n": n}, "fraser.medlemmer", trusted=True)

    if isinstance(body.members, int):
        text = render(phrases["medlemmer_hver"], {"antall": members(body.members)},
                      "fraser.medlemmer_hver", trusted=True)
    else:
        parts = [f"{register.lookup(ref).name} {members(n)}" for ref, n in body.members.items()]
        text = render(phrases["medlemmer_fordelt"], {"fordeling": norsk.and_list(parts, lang)},
                      "fraser.medlemmer_fordelt", trusted=True)
    return {"medlemmer_tekst": text, "tekst": "", "totalt": str(total)}


def _shares(mapping, lang: str) -> list[dict[str, str]]:
    """Ownership or liability shares per party, in the order written, as '50 %'/'20,5 %'."""
    out = []
    for ref, value in (mapping or {}).items():
        decimals = 0 if float(value).is_integer() else 1
        out.append({"navn": register.lookup(ref).name,
                    "prosent": norsk.percent(value / 100, lang, decimals)})
    return out


def _economy(case: Case, lib: Library, ctx: dict[str, Any],
             populations: list[tuple[int, dt.date]]) -> dict[str, Any]:
    """What the cost key's phrase (fraser.nøkkel.<key>) and free texts say about the economy."""
    lang, distribution = case.language, case.economy.distribution
    if distribution is None:
        # Principles without figures: no key, so no cost table and no share or amount in any
        # resolution; the clause states only the principles and the text.
        return {"nøkkel": "", "nøkkel_tekst": "", "tekst": "", "prinsipper": []}
    economy: dict[str, Any] = {"nøkkel": distribution.key, "tekst": "", "prinsipper": []}
    dates = {date for _, date in populations}
    # Only when every figure has the same date: otherwise no single date is true, and the
    # phrases point to the table, where each party's figure stands with its date. Leaving it
    # undefined makes a free text that uses it fail loudly instead of printing a blank.
    if len(dates) == 1:
        economy["folketall_per"] = norsk.date(dates.pop(), lang)
    if distribution.base_percent is not None:
        base = Fraction(distribution.base_percent)
        economy["grunnandel"] = _agreed_percent(base, lang)
        economy["restandel"] = _agreed_percent(100 - base, lang)
    if distribution.base_amount is not None:
        economy["grunnbeløp"] = norsk.kroner(distribution.base_amount, lang)
    if distribution.unit is not None:
        economy["enhet"] = distribution.unit
    context = freeze(ctx)
    if distribution.key in costs.BY_POPULATION:
        economy["etter_folketall"] = render(_phrase(lib, "etter_folketall"),
                                            {**context, "økonomi": freeze(economy)},
                                            "fraser.etter_folketall", trusted=True)
    economy["nøkkel_tekst"] = render(_phrase(lib, "nøkkel", distribution.key),
                                     {**context, "økonomi": freeze(economy)},
                                     f"fraser.nøkkel.{distribution.key}", trusted=True)
    return economy


def _agreed_percent(percent: Fraction, lang: str) -> str:
    """A percentage from the case, to as many decimals as it was written with: 30 %, 20,5 %."""
    places = costs.decimals(percent)
    return norsk.percent(Decimal(percent.numerator) / Decimal(percent.denominator) / 100, lang,
                         places)


def _label(lib: Library, name: str) -> str:
    # A project's own clause library may predate a label; say which, rather than a KeyError.
    if name not in lib.labels:
        raise TemplateError(f"{lib.path}: no label '{name}' under 'etiketter'", hint="copy it "
                            "from the standard clause library in samdok's templates/klausuler")
    return lib.labels[name]


def _phrase(lib: Library, *path: str) -> str:
    value: Any = lib.phrases
    for part in path:
        if not isinstance(value, Mapping) or part not in value:
            raise TemplateError(f"{lib.path}: no phrase '{'.'.join(path)}' under 'fraser'",
                                hint="copy it from the standard clause library in samdok's "
                                "templates/klausuler")
        value = value[part]
    return value


def population(party: Party) -> tuple[int, dt.date]:
    """A party's population and the date it refers to: the case's figure, else the register's."""
    if party.population is not None and party.population_date is not None:
        return party.population, party.population_date
    found = register.lookup(party.municipality)
    return found.population, found.population_date


def cost_inputs(case: Case) -> tuple[costs.Key, list[costs.Figures]]:
    """The case's cost key and each party's figures, as the plain data costs.py works on."""
    distribution = case.economy.distribution

    def by_number(mapping: dict | None) -> dict[str | None, Any]:
        return {register.normalise_number(k): v for k, v in (mapping or {}).items()}

    percents, units = by_number(distribution.percentages), by_number(distribution.units)
    figures = []
    for party in case.parties:
        number = register.lookup(party.municipality).number
        percent = percents.get(number)
        figures.append(costs.Figures(
            population=population(party)[0],
            percent=Fraction(percent) if percent is not None else None,
            units=units.get(number)))
    base = distribution.base_percent
    key = costs.Key(distribution.key, base_percent=Fraction(base) if base is not None else None,
                    base_amount=distribution.base_amount)
    return key, figures


def _computed(name: str | None, ctx: Mapping[str, Any], loaded: LoadedCase,
              lib: Library) -> list[Block]:
    if name is None:
        return []
    if name == "samarbeidsområder":
        return _areas(loaded, lib)
    if name in ("kostnadsfordeling", "kostnadsfordeling_saksframlegg"):
        if not (loaded.case.economy and loaded.case.economy.distribution):
            return []  # no economy, or principles without a cost key: nothing to compute
        table = cost_table(loaded, lib)
        # The short form only where the library asks for it: its text then says so.
        if name == "kostnadsfordeling_saksframlegg" and ctx.get("mange_parter"):
            numbers = [p.municipality for p in loaded.case.parties]
            own = table.rows[numbers.index(ctx["kommune"]["nummer"])]
            table = dataclasses.replace(table, rows=(own,))
        return [table]
    raise CaseError([loaded.source.problem((), f"unknown computed content '{name}'")])


def _areas(loaded: LoadedCase, lib: Library) -> list[Block]:
    out: list[Block] = []
    for g, group in enumerate(loaded.case.areas, start=1):
        out.append(SubHeading(group.heading, f"{norsk.letter(g)}."))
        if group.note:
            out.append(Paragraph(group.note))
        for a, area in enumerate(group.areas, start=1):
            text = area if isinstance(area, str) else _area_text(area, lib)
            out.append(Item(text, f"{norsk.roman(a)}."))
    return out


def _area_text(area: Area, lib: Library) -> str:
    text = area.name
    if area.host is not None:
        host = register.lookup(area.host)
        phrase = render(lib.phrases["vertskommune_for"], {"kommune": host.name}, "fraser",
                        trusted=True)
        text += f" ({phrase})"
    if area.note:
        text += f" – {area.note}"
    return text


@_per_case
def cost_table(loaded: LoadedCase, lib: Library) -> Table:
    """The parties' shares of the costs, and amounts per budget year that add up exactly.

    Columns follow the key: Kommune, then the population with its date (keys that use it) or
    the counted units (enheter), then the share in percent and one amount per budget year.
    """
    case, lang = loaded.case, loaded.case.language
    key, figures = cost_inputs(case)
    budget = case.economy.budget or {}
    amounts = {year: costs.distribute(total, key, figures) for year, total in budget.items()}

    header = [_label(lib, "kommune")]
    rows = [[register.lookup(p.municipality).name] for p in case.parties]
    total = [_label(lib, "sum")]
    if key.name in costs.BY_POPULATION:
        populations = [population(p) for p in case.parties]
        dates = {date for _, date in populations}
        if len(dates) == 1:
            header.append(f"{_label(lib, 'folketall')} {norsk.short_date(dates.pop(), lang)}")
            cells = [norsk.number(figure, lang) for figure, _ in populations]
        else:
            # Figures of different dates: each carries its own, so no reader takes a figure
            # for a count on a day it was not made.
            header.append(_label(lib, "folketall_per_dato"))
            cells = [f"{norsk.number(figure, lang)} ({norsk.short_date(date, lang)})"
                     for figure, date in populations]
        total.append(norsk.number(sum(figure for figure, _ in populations), lang))
    elif key.name == "enheter":
        header.append(f"{_label(lib, 'antall')} {case.economy.distribution.unit}")
        cells = [norsk.number(f.units, lang) for f in figures]
        total.append(norsk.number(sum(f.units for f in figures), lang))
    else:
        cells = []
    for row, cell in zip(rows, cells, strict=False):
        row.append(cell)

    if key.name == "grunnbeløp_og_folketall":
        # The same base amount is a different share of each year's budget, so a single share
        # column would be true for one year at most. What holds for every year is each party's
        # share of what is left after the base amounts (its population share); the amount
        # columns give the whole, base amount included, year by year.
        header.append(_label(lib, "andel_av_resten"))
        fractions = costs.shares([f.population for f in figures])
    else:
        header.append(_label(lib, "andel"))
        fractions = costs.exact_shares(key, figures)
    # Agreed percentages are printed as agreed (20,5 %, 33,33 %), computed ones to a tenth;
    # either way rounded by largest remainder, so the column adds up to 100 % as printed.
    places = 1
    if key.name == "prosent":
        places = max([1, *(costs.decimals(f.percent) for f in figures)])
    steps = costs.percent_steps(fractions, places)
    unit = Decimal(100 * 10**places)
    for row, step in zip(rows, steps, strict=True):
        row.append(norsk.percent(Decimal(step) / unit, lang, places))
    total.append(norsk.percent(Decimal(1), lang, places))

    header += [f"{_label(lib, 'budsjett')} {year}" for year in budget]
    for i, row in enumerate(rows):
        row += [norsk.kroner(amounts[year][i], lang) for year in budget]
    total += [norsk.kroner(sum(amounts[year]), lang) for year in budget]
    return Table(tuple(header), tuple(tuple(row) for row in rows), tuple(total))


def _signatories(loaded: LoadedCase, lib: Library):
    for party in loaded.case.parties:
        m = register.lookup(party.municipality)
        rep = party.representative
        yield Signatory(municipality_name(m, "underskrift", loaded.case.name_form),
                        rep.name if rep else "", rep.title if rep else "")
