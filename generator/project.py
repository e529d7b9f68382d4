"""Where things are: the case files, the templates folder and the output folder of a project."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import CaseError, Problem

PACKAGE = Path(__file__).resolve().parent


def templates_dir() -> Path:
    """The templates in use: $SAMDOK_TEMPLATES, ./templates, or the standard ones shipped."""
    candidates = [
        os.environ.get("SAMDOK_TEMPLATES"),
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
    """The case files named, or every case in ./cases when none is named."""
    if names:
        return [Path(n) for n in names]
    folder = Path.cwd() / "cases"
    found = sorted(p for p in folder.glob("*.yaml") if p.is_file()) if folder.is_dir() else []
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
