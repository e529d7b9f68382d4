"""Where things are: the case files, the templates folder and the output folder of a project."""

from __future__ import annotations

import sys
from pathlib import Path

from .. import settings
from ..errors import CaseError, Problem

PACKAGE = Path(__file__).resolve().parent.parent  # generator/


def templates_dir(configured: settings.Settings | None = None) -> Path:
    """The templates in use: $SAMDOK_TEMPLATES, ./templates, or the standard ones shipped."""
    candidates = [
        (configured or settings.current()).templates,
        Path.cwd() / "templates",
        PACKAGE / "_templates",  # inside an installed wheel
        PACKAGE.parent / "templates",  # a source checkout (editable install)
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "klausuler").is_dir():
            return Path(candidate)
    raise CaseError([Problem("templates/", None, None, "", "no templates folder found",
                             "run samdok in the project folder, or set SAMDOK_TEMPLATES")])


def case_files(names: tuple[str, ...] | list[str]) -> list[Path]:
    """The case files named, or every case in ./cases when none is named.

    Hidden files (names starting with '.') are left out of the search, and said so on
    stderr: an editor's backup, or a file made to be overlooked ('...yaml' once wrote
    outside the output folder), is no case anyone meant to build. Named, they are read.
    """
    if names:
        return [Path(n) for n in names]
    folder = Path.cwd() / "cases"
    every = sorted(p for p in folder.glob("*.yaml") if p.is_file()) if folder.is_dir() else []
    found = [p for p in every if not p.name.startswith(".")]
    for hidden in (p for p in every if p.name.startswith(".")):
        print(f"note: skipped {shown(hidden)}: a hidden file (its name starts with '.'); "
              "name it to build it", file=sys.stderr)
    if not found:
        raise CaseError([Problem("cases/", None, None, "", "no case files found",
                                 "name a case file, or run samdok where cases/*.yaml exist")])
    return found


def shown(path: Path) -> str:
    """A path as the user should see it in messages: relative to the working folder if inside."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
