"""Drafts and final builds: the draft stamp, the watermark, and the gate a final build passes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..base import gitinfo, reproducible
from ..base.project import PACKAGE, shown
from ..errors import Problem, TemplateError
from ..model import norsk
from .document import Document

try:  # the stamp shows the date in Norway; without tz data (rare) it falls back to UTC
    from zoneinfo import ZoneInfo

    NORWAY: dt.tzinfo = ZoneInfo("Europe/Oslo")
except Exception:  # noqa: BLE001 - any failure to load tz data means "use UTC"
    NORWAY = dt.UTC


@dataclass(frozen=True)
class Provenance:
    """Where a case's build comes from: its git state and the one date the build writes."""

    case: Path
    commit: str | None  # short hash of the last commit that changed the case file
    dirty: bool  # the case file differs from that commit, or git does not know it
    head: str | None  # full hash of HEAD in the case's repository
    when: dt.datetime  # reproducible.fixed_time(case)


def provenance(case: Path) -> Provenance:
    """Git state and build date of one case file."""
    found = gitinfo.state(case)
    return Provenance(case, found.commit, found.dirty, gitinfo.head(case),
                      reproducible.fixed_time(case))


def stamp(document: Document, origin: Provenance) -> str:
    """The footer's draft stamp: "Utkast 3 · 23.11.2026 · a1b2c3d".

    The date is the build's fixed date (the case's last commit, or SOURCE_DATE_EPOCH); it is
    left out when there is neither, rather than printing 1980. A case with uncommitted
    changes shows the label 'ikke_innsjekket' instead of a commit that is not what was built.
    """
    labels = with_standard_labels(document.labels, document.kind, document.language)
    parts = [document.draft_label or labels["utkast"]]
    if origin.when.timestamp() > reproducible.FALLBACK_EPOCH:
        parts.append(norsk.short_date(origin.when.astimezone(NORWAY).date(), document.language))
    parts.append(origin.commit if origin.commit and not origin.dirty
                 else labels["ikke_innsjekket"])
    return " · ".join(parts)


def as_draft(document: Document, origin: Provenance) -> Document:
    """The document with the draft stamp in its footer and the watermark on every page."""
    labels = with_standard_labels(document.labels, document.kind, document.language)
    return dataclasses.replace(document, draft_stamp=stamp(document, origin),
                               watermark=labels["vannmerke"])


def with_standard_labels(labels: dict[str, str], kind: str, language: str) -> dict[str, str]:
    """A clause library's labels, with those it lacks (a project's own library that predates
    the draft stamp or samdok diff) taken from the standard library shipped with samdok."""
    from .clauses import library

    for folder in (PACKAGE / "_templates", PACKAGE.parent / "templates"):
        if (folder / "klausuler" / f"{kind}.{language}.yaml").is_file():
            return {**library(folder, kind, language).labels, **labels}
    if not labels:
        raise TemplateError(f"no clause library for '{kind}' in language '{language}'",
                            hint="reinstall samdok, or set SAMDOK_TEMPLATES")
    return labels


def as_final(document: Document) -> Document:
    """The document without stamp or watermark (a final build)."""
    return dataclasses.replace(document, draft_label="", draft_stamp="", watermark="")


def final_problems(case: Path, status: str, templates: Path) -> list[Problem]:
    """Why a case may not be built with --final: not marked final, or uncommitted changes to
    the case file or the templates in use (the build would not be reproducible from git)."""
    where = shown(case)
    problems = []
    if status != "endelig":
        problems.append(Problem(where, None, None, "status",
                                f"the case is not marked final (status: {status})",
                                "set 'status: endelig' and commit, or build without --final "
                                "to get a stamped draft"))
    if gitinfo.repository(case) is None:
        problems.append(Problem(where, None, None, "", "the case file is not in a git work tree",
                                "a final build must come from committed files: git init, "
                                "git add and git commit the case and its templates"))
        return problems
    changed = gitinfo.changes(case)
    if gitinfo.state(case).commit is None and not changed:
        changed = [f"?? {where}"]
    if gitinfo.repository(templates) is not None:
        changed += gitinfo.changes(templates)
    if changed:
        problems.append(Problem(where, None, None, "",
                                "uncommitted changes: " + ", ".join(changed),
                                "commit them (git add … && git commit), or build without "
                                "--final to get a stamped draft"))
    return problems
