"""Commands that show and compare versions: diff and text."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import SamdokError
from .group import main


@main.command()
@click.argument("old")
@click.argument("new", required=False)
@click.option("--html", "html_file", type=click.Path(dir_okay=False),
              help="Also write the comparison as one self-contained HTML page.")
@click.option("--docx", "docx_file", type=click.Path(dir_okay=False),
              help="Also write the new version as Word with tracked changes (a redline).")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON instead.")
@click.option("--color/--no-color", default=None, help="Colour the text (default: on a tty).")
def diff(old: str, new: str | None, html_file: str | None, docx_file: str | None,
         as_json: bool, color: bool | None) -> None:
    """Compare two versions of a case, clause by clause.

    OLD and NEW are case files, .docx files samdok built (perhaps edited since), or FILE@REV
    for a version in git. With only OLD: FILE@REV against the working copy, or FILE at HEAD
    against the working copy.
    """
    import json

    from ..base.project import templates_dir
    from ..review.case_diff import compare_versions
    from ..review.report import to_json, to_terminal, write_html

    templates = templates_dir()
    comparison, words, read_back = compare_versions(old, new, templates)
    if as_json:
        click.echo(json.dumps(to_json(comparison), ensure_ascii=False, indent=2))
    else:
        tty = sys.stdout.isatty() if color is None else color
        click.echo(to_terminal(comparison, words, tty), nl=False, color=tty)
    if html_file:
        write_html(comparison, words, Path(html_file))
    if docx_file:
        from ..review.redline import write_redlines

        write_redlines(comparison, templates, Path(docx_file), read_back)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def text(file: str) -> None:
    """Print FILE as plain Markdown: a .docx through pandoc, a case file as its document.

    Made for git: with a textconv driver, `git diff` shows cases and committed documents as
    readable text (see README.md).
    """
    path = Path(file)
    if _is_pdf(path):  # read as YAML it would give a syntax error that points nowhere useful
        raise SamdokError(f"{file}: a PDF; samdok text reads case files and Word files",
                          hint="give the .docx built beside it, or check a PDF with "
                               "`samdok verify` (what it proves) or `samdok signatures`")
    if path.suffix.lower() == ".docx":
        from ..review.text import docx_markdown
        from ..review.versions import read

        click.echo(docx_markdown(read(file)[1], file), nl=False)
        return
    from ..base.project import templates_dir
    from ..compose.enrich import compose
    from ..model.case import load_case
    from ..review.text import case_markdown

    loaded = load_case(path, file)
    click.echo(case_markdown(compose(loaded, templates_dir())), nl=False)


def _is_pdf(path: Path) -> bool:
    """True when the file begins as a PDF does, whatever its name (git's textconv may hand
    samdok a temporary name)."""
    try:
        with path.open("rb") as f:
            return f.read(5) == b"%PDF-"
    except OSError:
        return False  # reported as the case file it was taken for
