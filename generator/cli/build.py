"""Commands that build, check and verify cases."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from ..errors import EXIT_INVALID
from .group import STRICT, main


def _checked(cases: tuple[str, ...], strict: bool):
    from ..base.project import case_files, templates_dir
    from ..build.pipeline import check_cases

    return check_cases(case_files(cases), templates_dir(), strict=strict, warn=_warn)


@main.command()
@click.argument("cases", nargs=-1, type=click.Path())
@click.option("-o", "--output", default="build", show_default=True, type=click.Path(),
              help="Output folder; documents go to OUTPUT/<case-id>/.")
@click.option("--final", is_flag=True,
              help="Build the final version: no draft stamp or watermark. Refuses unless the "
                   "case is marked final (status: endelig) and it and the templates are "
                   "committed to git.")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Processes writing Word files and LibreOffice workers converting at once  "
                   "[default: one per core]")
@click.option("--force", is_flag=True, help="Rebuild documents that are up to date.")
@STRICT
@click.pass_context
def build(ctx: click.Context, cases: tuple[str, ...], output: str, final: bool,
          jobs: int | None, force: bool, strict: bool) -> None:
    """Build Word and PDF documents for CASES (default: every case in cases/).

    Drafts carry a stamp (draft number, date, the case's git commit) in the footer and an
    UTKAST watermark; every build writes OUTPUT/<case-id>/manifest.json. Documents whose
    inputs are unchanged since they were built are skipped.
    """
    from ..base.project import case_files, shown, templates_dir
    from ..build.run import build_files

    written = build_files(case_files(cases), templates_dir(), Path(output), strict=strict,
                          final=final, force=force, warn=_warn, report=click.echo,
                          verbose=ctx.obj["verbose"], jobs=jobs, progress=_progress)
    for path in written:
        click.echo(f"wrote {shown(path)}")


def _warn(text: str) -> None:
    click.echo(text, err=True)


class _Bar:
    """A progress bar over rendering and conversion, for a terminal and a build of some size."""

    def __init__(self, total: int):
        self.bar = click.progressbar(length=2 * total, label="Building",
                                     item_show_func=lambda name: name, show_pos=True)
        self.bar.__enter__()

    def step(self, phase: str, name: str) -> None:
        self.bar.update(1, f"{phase} {name}")

    def close(self) -> None:
        self.bar.__exit__(None, None, None)


def _progress(total: int):
    """A bar on a terminal when there are more than a few documents, else a line each."""
    from ..build.pipeline import Progress

    if total > 5 and sys.stdout.isatty():
        return _Bar(total)
    return Progress(total, click.echo)


@main.command()
@click.argument("cases", nargs=-1, type=click.Path())
@STRICT
def check(cases: tuple[str, ...], strict: bool) -> None:
    """Validate CASES and their required content, without rendering anything."""
    checked = _checked(cases, strict)
    for item in checked:
        kinds = Counter(d.kind for d in item.documents)  # one submission per council
        listed = ", ".join(kind if n == 1 else f"{kind} ×{n}" for kind, n in kinds.items())
        click.echo(f"ok  {item.loaded.source.file} ({item.loaded.id}: {listed})")


@main.command()
@click.argument("cases", nargs=-1, type=click.Path())
@click.option("-o", "--output", default="build", show_default=True, type=click.Path(),
              help="Folder the documents were built into.")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Processes reading the councils' PDFs of a case submission at once  "
                   "[default: one per core]")
@STRICT
def verify(cases: tuple[str, ...], output: str, jobs: int | None, strict: bool) -> None:
    """Prove the built PDFs of CASES are what a build makes of them now, and read them back.

    Fails when a case, its git state, the templates, samdok or LibreOffice changed since the
    build, or an output changed after it. Reads every PDF back for every required clause,
    and checks it for the archive: PDF/A-2b, tagged, language, title, embedded fonts.
    """
    from ..base.project import templates_dir
    from ..build.verification import verify_built
    from ..pdf.convert import default_jobs

    failures = verify_built(_checked(cases, strict), output, templates_dir(),
                            jobs or default_jobs(), lambda text, err: click.echo(text, err=err))
    if failures:
        click.echo(f"{failures} document(s) failed verification", err=True)
        sys.exit(EXIT_INVALID)
