"""Enrichment: a validated case plus the clause library becomes the document model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import costs, norsk, register
from .case import Area, LoadedCase
from .clauses import Library, StandardClause, blocks, library, render
from .document import Block, Clause, Document, Item, Paragraph, Signatory, SubHeading, Table
from .errors import CaseError


def compose(loaded: LoadedCase, templates: Path) -> list[Document]:
    """Every document the case asks for, as document models."""
    return [compose_document(loaded, kind, templates) for kind in loaded.case.documents]


def compose_document(loaded: LoadedCase, kind: str, templates: Path) -> Document:
    """One document model: clauses in library order, case overrides applied, then numbered."""
    case = loaded.case
    lib = library(templates, kind, case.language)
    context = build_context(loaded, lib)
    where = loaded.source.file

    drafts: list[tuple[StandardClause, str, str]] = []  # clause, heading, rendered text
    for std in lib.clauses:
        if std.when and not context.get(std.when):
            continue
        override = case.clauses.get(std.id)
        heading = override.heading if override and override.heading else std.heading
        text = override.text if override and override.text else std.text
        rendered = render(text, context, f"{lib.path.name}: clause '{std.id}'"
                          if not (override and override.text) else f"{where}: klausuler.{std.id}")
        if override and override.addition:
            rendered += "\n\n" + render(override.addition, context,
                                        f"{where}: klausuler.{std.id}.tillegg")
        drafts.append((std, heading, rendered))

    _insert_new_clauses(loaded, lib, context, drafts)

    clauses = []
    for number, (std, heading, rendered) in enumerate(drafts, start=1):
        content = blocks(rendered) + _computed(std.content, context, loaded)
        evidence = tuple(
            phrase.strip()
            for template in std.evidence
            for phrase in render(template, context, f"{lib.path.name}: bevis for '{std.id}'")
            .splitlines()
            if phrase.strip()
        )
        clauses.append(Clause(std.id, number, heading, tuple(content), evidence))

    signing = case.signing
    place_and_date = ""
    if signing:
        place_and_date = signing.place + (
            f", {norsk.date(signing.date, case.language)}" if signing.date else "")
    return Document(
        kind=kind,
        case_id=loaded.id,
        title=case.title,
        subtitle=case.subtitle or "",
        language=case.language,
        clauses=tuple(clauses),
        signatories=tuple(_signatories(loaded, lib)),
        place_and_date=place_and_date,
        draft_label=(f"{lib.labels['utkast']} {case.draft}" if case.draft else lib.labels["utkast"])
        if case.status == "utkast" else "",
        labels=dict(lib.labels),
    )


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
        rendered = render(override.text, context, f"{loaded.source.file}: klausuler.{clause_id}")
        std = StandardClause(clause_id, override.heading, override.text)
        drafts.insert(ids.index(override.after) + 1, (std, override.heading, rendered))
    if problems:
        raise CaseError(problems)


def build_context(loaded: LoadedCase, lib: Library) -> dict[str, Any]:
    """The values clause texts and Word templates see, under the case file's Norwegian names."""
    case, lang = loaded.case, loaded.case.language
    parties = [register.lookup(p.municipality) for p in case.parties]
    ctx: dict[str, Any] = {
        "tittel": case.title,
        "undertittel": case.subtitle or "",
        "etiketter": lib.labels,
        "parter": [
            {
                "navn": m.name,
                "offisielt_navn": m.official_name,
                "kommune": f"{m.name} kommune",
                "nummer": m.number,
                "fylke": m.county,
                "folketall": norsk.number(m.population, lang),
                "folketall_per": norsk.date(m.population_date, lang),
            }
            for m in parties
        ],
        "parter_liste": norsk.and_list([f"{m.name} kommune" for m in parties], lang),
        "parter_navn": norsk.and_list([m.name for m in parties], lang),
        "samarbeidsform": render(lib.phrases["samarbeidsform"][case.form], {}, "samarbeidsform"),
        "samarbeidsområder": bool(case.areas),
        "ikrafttredelse": norsk.date(case.commencement, lang) if case.commencement else "",
        "navn": case.name or "",
        "vertskommune": _municipality(case.host),
        "kontorkommune": _municipality(case.office),
        "hovedkontor": _municipality(case.head_office),
        "nemnd": _body(case.committee, lib, lang),
        "representantskap": _body(case.assembly, lib, lang),
        "styre": {"medlemmer": case.board.members, "tekst": ""} if case.board else None,
        "eierandeler": _shares(case.ownership, lang),
        "ansvarsandeler": _shares(case.liability, lang),
        "låneadgang": {
            "tillatt": case.borrowing.allowed,
            "ramme": norsk.kroner(case.borrowing.ceiling, lang) if case.borrowing.ceiling else "",
        } if case.borrowing else None,
    }
    if case.economy:
        population_date = min(m.population_date for m in parties)
        economy = {
            "nøkkel": case.economy.distribution.key,
            "folketall_per": norsk.date(population_date, lang),
            "tekst": "",
            "prinsipper": [],
        }
        ctx["økonomi"] = economy
        economy["nøkkel_tekst"] = render(lib.phrases["nøkkel"][economy["nøkkel"]], ctx,
                                         "fraser.nøkkel")
    if case.withdrawal:
        ctx["uttreden"] = {
            "oppsigelsestid_måneder": case.withdrawal.notice_months,
            "oppsigelsestid": render(lib.phrases["måneder"], {"n": case.withdrawal.notice_months},
                                     "fraser.måneder"),
            "virkning": case.withdrawal.effective or "",
            "tekst": "",
        }
    # Free texts from the case may use the placeholders above; render them last.
    file = loaded.source.file
    for key, value in (("bakgrunn", case.background), ("formål", case.purpose),
                       ("vertskommuneprinsipp", case.host_principle),
                       ("samarbeidsorgan", case.joint_body), ("inntreden", case.entry),
                       ("innskudd", case.contributions), ("oppløsning", case.dissolution)):
        ctx[key] = render(value, ctx, f"{file}: {key}") if value else ""
    ctx["oppgaver"] = [render(t, ctx, f"{file}: oppgaver") for t in case.tasks]
    for key, model in (("nemnd", case.committee), ("representantskap", case.assembly),
                       ("styre", case.board)):
        if model and model.text:
            ctx[key]["tekst"] = render(model.text, ctx, f"{file}: {key}.tekst")
    if case.economy:
        ctx["økonomi"]["prinsipper"] = [render(p, ctx, f"{file}: økonomi.prinsipper")
                                        for p in case.economy.principles]
        if case.economy.text:
            ctx["økonomi"]["tekst"] = render(case.economy.text, ctx, f"{file}: økonomi.tekst")
    if case.withdrawal and case.withdrawal.text:
        ctx["uttreden"]["tekst"] = render(case.withdrawal.text, ctx, f"{file}: uttreden.tekst")
    ctx["_lib"] = lib
    return ctx


def _municipality(ref) -> dict[str, str] | None:
    """A referenced party as template values ({navn, kommune, nummer}), or None."""
    if ref is None:
        return None
    m = register.lookup(ref)
    return {"navn": m.name, "kommune": f"{m.name} kommune", "nummer": m.number}


def _body(body, lib: Library, lang: str) -> dict[str, str] | None:
    """Members of a representantskap or nemnd, in words: the same for all, or per party."""
    if body is None:
        return None
    phrases = lib.phrases

    def members(n: int) -> str:
        return render(phrases["medlemmer"], {"n": n}, "fraser.medlemmer")

    if isinstance(body.members, int):
        text = render(phrases["medlemmer_hver"], {"antall": members(body.members)},
                      "fraser.medlemmer_hver")
    else:
        parts = [f"{register.lookup(ref).name} {members(n)}" for ref, n in body.members.items()]
        text = render(phrases["medlemmer_fordelt"], {"fordeling": norsk.and_list(parts, lang)},
                      "fraser.medlemmer_fordelt")
    return {"medlemmer_tekst": text, "tekst": ""}


def _shares(mapping, lang: str) -> list[dict[str, str]]:
    """Ownership or liability shares per party, in the order written, as '50 %'/'20,5 %'."""
    out = []
    for ref, value in (mapping or {}).items():
        decimals = 0 if float(value).is_integer() else 1
        out.append({"navn": register.lookup(ref).name,
                    "prosent": norsk.percent(value / 100, lang, decimals)})
    return out


def _computed(name: str | None, ctx: dict[str, Any], loaded: LoadedCase) -> list[Block]:
    if name is None:
        return []
    if name == "samarbeidsområder":
        return _areas(loaded, ctx["_lib"])
    if name == "kostnadsfordeling":
        return [cost_table(loaded, ctx["_lib"])] if loaded.case.economy else []
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
        text += f" ({render(lib.phrases['vertskommune_for'], {'kommune': host.name}, 'fraser')})"
    if area.note:
        text += f" – {area.note}"
    return text


def cost_table(loaded: LoadedCase, lib: Library) -> Table:
    """The parties' shares of the costs (and amounts per budget year), adding up exactly."""
    case, lang, labels = loaded.case, loaded.case.language, lib.labels
    parties = [register.lookup(p.municipality) for p in case.parties]
    key = case.economy.distribution.key
    weights = [m.population for m in parties] if key == "folketall" else [1] * len(parties)
    fractions = costs.shares(weights)
    budget = case.economy.budget or {}
    amounts = {year: costs.largest_remainder(total, fractions) for year, total in budget.items()}
    # Shown percentages are rounded the same way, so the column adds up to 100,0 % as printed.
    tenths = costs.largest_remainder(1000, fractions)

    header = [labels["kommune"]]
    if key == "folketall":
        header.append(f"{labels['folketall']} {norsk.short_date(parties[0].population_date)}")
    header.append(labels["andel"])
    header += [f"{labels['budsjett']} {year}" for year in budget]

    rows = []
    for i, m in enumerate(parties):
        row = [m.name]
        if key == "folketall":
            row.append(norsk.number(m.population, lang))
        row.append(norsk.percent(tenths[i] / 1000, lang))
        row += [norsk.kroner(amounts[year][i], lang) for year in budget]
        rows.append(tuple(row))
    total = [labels["sum"]]
    if key == "folketall":
        total.append(norsk.number(sum(weights), lang))
    total.append(norsk.percent(1.0, lang))
    total += [norsk.kroner(sum(amounts[year]), lang) for year in budget]
    return Table(tuple(header), tuple(rows), tuple(total))


def _signatories(loaded: LoadedCase, lib: Library):
    for party in loaded.case.parties:
        m = register.lookup(party.municipality)
        rep = party.representative
        yield Signatory(f"{m.name} kommune", rep.name if rep else "", rep.title if rep else "")
