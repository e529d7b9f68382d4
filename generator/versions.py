"""The versions `samdok diff` compares: a case file, CASE@REV from git, or a built .docx."""

from __future__ import annotations

from pathlib import Path

from . import gitinfo
from .case import LoadedCase, load_case
from .clauses import library
from .compose import build_context, compose
from .diff import Facts, Version
from .document import Document, Table
from .docx_reader import ReadBack, read_docx
from .drafts import with_standard_labels
from .errors import CaseError, Problem


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
    if revision is not None:
        return path, gitinfo.show(path, revision, arg)
    if not path.is_file():
        raise CaseError([Problem(arg, None, None, "", "file not found",
                                 "give a case file, a .docx samdok built, or FILE@REV for a "
                                 "version in git")])
    return path, path.read_bytes()


def load(arg: str, templates: Path, kind: str | None = None) -> tuple[Version, ReadBack | None]:
    """One version as a document model with its facts; for a .docx also what was read back
    (the redline writer annotates that file)."""
    path, data = read(arg)
    if path.suffix.lower() == ".docx":
        found = read_docx(data, arg)
        return Version(arg, found.document, model_facts(found.document)), found
    # Parsed from the bytes read: diff writes nothing, not even a temporary copy. The path
    # still names the case, so a case without 'id' keeps its id (the file name).
    loaded = load_case(path, arg, data)
    documents = compose(loaded, templates)
    document = next((d for d in documents if kind is None or d.kind == kind), None)
    if document is None:
        raise CaseError([Problem(arg, None, None, "dokumenter",
                                 f"the case builds no '{kind}'", "compare the same kind "
                                 "of document on both sides")])
    return Version(arg, document, case_facts(loaded, document, templates)), None


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
        cost_key=case.economy.distribution.key if case.economy else None,
        cost_key_text=economy["nøkkel_tekst"] if economy else None,
        key_terms={term: economy[term] for term in ("grunnandel", "grunnbeløp", "enhet")
                   if economy and economy.get(term)},
        commencement=context["ikrafttredelse"] or None,
        notice=withdrawal["oppsigelsestid"] if withdrawal else None,
        costs=cost_table(document),
    )


def model_facts(document: Document) -> Facts:
    """What the document itself shows of the data: the parties and shares in its cost table."""
    costs = cost_table(document)
    return Facts(parties=tuple(costs) if costs else None, costs=costs)


def cost_table(document: Document) -> dict[str, dict[str, str]]:
    """Party -> column heading -> value, from the economy clause's table."""
    clause = document.clause("økonomi")
    table = next((b for b in clause.blocks if isinstance(b, Table)), None) if clause else None
    if table is None:
        return {}
    return {row[0]: dict(zip(table.header[1:], row[1:], strict=False)) for row in table.rows}
