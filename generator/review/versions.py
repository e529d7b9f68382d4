"""The versions `samdok diff` compares: a case file, CASE@REV from git, or a built .docx."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import click

from ..base import files, gitinfo
from ..compose.clauses import library
from ..compose.document import Document, Table
from ..compose.drafts import with_standard_labels
from ..compose.enrich import build_context, compose
from ..errors import CaseError, Problem
from ..model.case import LoadedCase, load_case
from ..model.source import MAX_FILE_BYTES
from ..word import guard
from ..word.reader import ReadBack, read_docx
from .diff import Facts, Version


def split(arg: str) -> tuple[Path, str | None]:
    """'cases/x.yaml@HEAD~1' -> (cases/x.yaml, 'HEAD~1'); a name that exists as it is, or
    has no '@', is the working copy."""
    if Path(arg).exists() or "@" not in arg:
        return Path(arg), None
    path, revision = arg.rsplit("@", 1)
    return Path(path), revision or "HEAD"


def read(arg: str) -> tuple[Path, bytes]:
    """The file a version argument names, and its contents (at the revision, if given)."""
    path, revision = split(arg)
    # Read no more than the file may be: a Word file's zip, or a case file.
    limit = guard.MAX_SIZE if path.suffix.lower() == ".docx" else MAX_FILE_BYTES
    if revision is not None:
        return path, gitinfo.show(path, revision, arg, limit)
    if not path.is_file():
        raise CaseError([Problem(arg, None, None, "", "file not found",
                                 "give a case file, a .docx samdok built, or FILE@REV for a "
                                 "version in git")])
    try:
        data = files.read_at_most(path, limit)
    except OSError as exc:
        raise CaseError([Problem(arg, None, None, "", f"cannot be read: {exc.strerror}",
                                 "check that the file exists and that you may read it")]
                        ) from None
    if len(data) > limit:
        raise CaseError([Problem(arg, None, None, "", f"the file is larger than {limit:,} bytes",
                                 "check that this is the file you meant")])
    return path, data


def load(arg: str, templates: Path, kind: str | None = None, stem: str | None = None
         ) -> tuple[Version, ReadBack | None, tuple[Document, ...]]:
    """One version as a document model with its facts: a case's first document of `kind`
    (the copy named `stem` if there is one), else its first; for a .docx also what was read
    back (the redline writer annotates that file). Last, every document a case builds (none
    for a .docx), so the other documents can be compared too."""
    path, data = read(arg)
    if path.suffix.lower() == ".docx":
        found = read_docx(data, arg)
        for problem in cost_table_problems(arg, found.document):
            click.echo(str(problem), err=True)
        return Version(arg, found.document, model_facts(found.document)), found, ()
    # Parsed from the bytes read: diff writes nothing, not even a temporary copy. The path
    # still names the case, so a case without 'id' keeps its id (the file name).
    loaded = load_case(path, arg, data)
    documents = tuple(compose(loaded, templates))
    of_kind = [d for d in documents if kind is None or d.kind == kind]
    # A council's copy by its file name: "saksframlegg-3405", or a name ending in it
    # ("endringer-saksframlegg-3405", a redline).
    named = [d for d in of_kind if stem is not None
             and (stem == d.file_stem or stem.endswith(f"-{d.file_stem}"))]
    document = next(iter(named + of_kind), None)
    if document is None:
        raise CaseError([Problem(arg, None, None, "dokumenter",
                                 f"the case builds no '{kind}'", "compare the same kind "
                                 "of document on both sides")])
    return Version(arg, document, case_facts(loaded, document, templates)), None, documents


def document_version(label: str, document: Document) -> Version:
    """A further document of a case (a council's copy of the submission) as a version: its
    clauses and its head; the case's data is compared once, with the agreement."""
    return Version(label, document, Facts(head=head_facts(document)))


def head_facts(document: Document) -> tuple[tuple[str, str], ...]:
    """A document's head as (field, value) pairs, named as the document names them: the
    title; for a council's copy of a submission its municipality, archive case number,
    archive code, officer, date and each meeting's date and case number; the agreed place
    and date and each signatory."""
    words = with_standard_labels(document.labels, document.kind, document.language)
    out = [(words["endring_tittel"], document.title)]
    if document.subtitle:
        out.append((words["endring_undertittel"], document.subtitle))
    head = document.header
    for key in ("kommune", "arkivsak", "arkiv", "saksbehandler", "dato"):
        if head.get(key):
            out.append((words.get(key, key), str(head[key])))
    seen: dict[str, int] = {}
    for meeting in head.get("behandling") or ():
        # A meeting is known by its committee; a committee that meets twice by its count.
        name = str(meeting.get("utvalg", ""))
        seen[name] = seen.get(name, 0) + 1
        where = name if seen[name] == 1 else f"{name} {seen[name]}"
        out.append((f"{words.get('møtedato', 'møtedato')} ({where})", str(meeting["møtedato"])))
        if meeting.get("saksnr"):
            out.append((f"{words.get('utvalgssak', 'saksnr')} ({where})",
                        str(meeting["saksnr"])))
    if document.place_and_date:
        out.append((words["sted_og_dato"], document.place_and_date))
    for signatory in document.signatories:
        who = ", ".join(part for part in (signatory.name, signatory.title) if part)
        out.append((f"{words['underskrift']}: {signatory.party}", who or "–"))
    return tuple(out)


def labels(version: Version, templates: Path) -> dict[str, str]:
    """The fixed words for messages: the version's own, else its clause library's; any the
    library lacks from samdok's standard library."""
    document = version.document
    own = document.labels or library(templates, document.kind, document.language).labels
    return with_standard_labels(own, document.kind, document.language)


def case_facts(loaded: LoadedCase, document: Document, templates: Path) -> Facts:
    """The data a case's reviewers care about, formatted as in the document."""
    case = loaded.case
    context = build_context(loaded, library(templates, document.kind, case.language))
    economy = context.get("økonomi")
    withdrawal = context.get("uttreden")
    return Facts(
        parties=tuple(p["navn"] for p in context["parter"]),
        cost_key=case.economy.distribution.key
        if case.economy and case.economy.distribution else None,
        cost_key_text=(economy["nøkkel_tekst"] or None) if economy else None,
        key_terms={term: economy[term] for term in ("grunnandel", "grunnbeløp", "enhet")
                   if economy and economy.get(term)},
        commencement=context["ikrafttredelse_tekst"] or None,
        notice=(withdrawal["oppsigelsestid"] or withdrawal["lov"] or None) if withdrawal
        else None,
        costs=cost_table(document),
        head=head_facts(document),
    )


def model_facts(document: Document) -> Facts:
    """What the document itself shows of the data: the parties and shares in its cost table."""
    costs = cost_table(document)
    return Facts(parties=tuple(costs) if costs else None, costs=costs)


def cost_table_problems(shown: str, document: Document) -> list[Problem]:
    """Warnings for a cost table that no longer adds up, as a party's edited Word file may
    have it: a column of amounts (or populations, or units) whose rows do not sum to the sum
    row, or shares that do not make 100 %. samdok builds tables that add up exactly, so any
    difference was made by hand; the diff still runs, against the figures as they stand."""
    clause = document.clause("økonomi")
    table = next((b for b in clause.blocks if isinstance(b, Table)), None) if clause else None
    if table is None or table.total is None:
        return []
    problems = []
    for index, heading in enumerate(table.header[1:], start=1):
        cells = [row[index] if index < len(row) else "" for row in table.rows]
        values = [_figure(cell) for cell in cells]
        total = _figure(table.total[index]) if index < len(table.total) else None
        if total is None or any(v is None for v in values):
            continue
        added = sum(values)
        percent = table.total[index].strip().endswith("%")
        where = f"{clause.numbered_heading}, {heading}"
        if added != total:
            shown_sum = _like(table.total[index], added)
            problems.append(Problem(
                shown, None, None, where, f"the rows add up to {shown_sum}, the sum row says "
                f"{table.total[index]}", "the Word file was edited by hand: correct the "
                "figures in the case file and build again, rather than in Word",
                severity="warning"))
        elif percent and total != 100:
            problems.append(Problem(
                shown, None, None, where, f"the shares add up to {table.total[index]}, not "
                "100 %", "correct the shares in the case file and build again",
                severity="warning"))
    return problems


_FIGURE = re.compile(r"^(?:kr)?\s*(-?\d{1,3}(?:[ \u00a0\u202f\u2009]?\d{3})*(?:,\d+)?)\s*%?$")


def _figure(cell: str) -> Decimal | None:
    """A cell's number: "kr 1 419 623" -> 1419623, "33,4 %" -> 33.4, "5 685" -> 5685; None for
    a cell that is not just a number (a population with its date, a name)."""
    match = _FIGURE.match(cell.strip())
    if not match:
        return None
    return Decimal(re.sub(r"[ \u00a0\u202f\u2009]", "", match.group(1)).replace(",", "."))


def _like(example: str, value: Decimal) -> str:
    """value written as the cell `example` is: "kr 2 500 000", "100,1 %", "9 611"."""
    places = len(example.split(",")[1].rstrip(" %\u00a0")) if "," in example else 0
    text = f"{value:,.{places}f}".replace(",", "\u00a0").replace(".", ",")
    if example.strip().startswith("kr"):
        text = "kr\u00a0" + text
    if example.strip().endswith("%"):
        text += "\u00a0%"
    return text


def cost_table(document: Document) -> dict[str, dict[str, str]]:
    """Party -> column heading -> value, from the economy clause's table."""
    clause = document.clause("økonomi")
    table = next((b for b in clause.blocks if isinstance(b, Table)), None) if clause else None
    if table is None:
        return {}
    return {row[0]: dict(zip(table.header[1:], row[1:], strict=False)) for row in table.rows}
