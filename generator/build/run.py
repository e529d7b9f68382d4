"""The course of a build of named case files: cases unchanged since their last build are not
even read, the rest are checked and built."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import state

Report = Callable[[str], None]


def build_files(paths: list[Path], templates: Path, out: Path, *, strict: bool = False,
                final: bool = False, force: bool = False, warn: Report = print,
                report: Report = print, **options) -> list[Path]:
    """Build the case files at paths into out/<case-id>/ (pipeline.build, with `options`);
    return the files written.

    A case whose file, templates and samdok are as they were at its last build is said to be
    up to date without being read: a rebuild after editing one case of many stays quick (and
    loads no Word or PDF library when nothing is to be done). A final build always reads
    them, to check they are marked final and committed; `force` rebuilds them."""
    recorded = state.BuildState(out, templates, final)
    current = {} if force or final else {path: found for path in paths
                                         if (found := recorded.current_case(path))}
    for case_id, documents in current.values():
        report(state.up_to_date(case_id, documents))
    rest = [path for path in paths if path not in current]
    if not rest:
        return []

    from .pipeline import build, check_cases

    checked = check_cases(rest, templates, strict=strict, warn=warn,
                          taken={case_id: path for path, (case_id, _) in current.items()})
    return build(checked, templates, out, report=report, final=final, force=force,
                 recorded=recorded, **options)
