"""Commands that build, check and verify cases."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import EXIT_INVALID
from .group import STRICT, main


def _checked(cases: tuple[str, ...] | list[Path], strict: bool,
             taken: dict[str, Path] | None = None):
    from ..base.project import case_files, templates_dir
    from ..build.pipeline import check_cases

    return check_cases(case_files(cases), templates_dir(), strict=strict,
                       warn=lambda text: click.echo(text, err=True), taken=taken)


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
    from ..build.state import BuildState, up_to_date

    # Cases whose file, templates and samdok are as they were at their last build are not
    # even read: a rebuild after editing one case of many stays quick. A final build always
    # reads them, to check they are marked final and committed.
    out, paths = Path(output), case_files(cases)
    recorded = BuildState(out, templates_dir(), final)
    current = {} if force or final else {path: found for path in paths
                                         if (found := recorded.current_case(path))}
    for case_id, documents in current.values():
        click.echo(up_to_date(case_id, documents))
    rest = [path for path in paths if path not in current]
    if not rest:
        return

    from ..build.pipeline import build as run_build

    checked = _checked(rest, strict, taken={case_id: path for path, (case_id, _)
                                             in current.items()})
    written = run_build(checked, templates_dir(), out, verbose=ctx.obj["verbose"], final=final,
                        jobs=jobs, force=force, progress=_progress, recorded=recorded)
    for path in written:
        click.echo(f"wrote {shown(path)}")


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
        click.echo(f"ok  {item.loaded.source.file} ({item.loaded.id}: "
                   f"{', '.join(d.kind for d in item.documents)})")


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
    from ..base.project import shown, templates_dir
    from ..build import freshness
    from ..pdf.convert import default_jobs
    from ..pdf.verify import verify_documents

    failures = 0
    for item in _checked(cases, strict):
        folder, documents = Path(output) / item.loaded.id, item.documents
        names = [f"{d.file_stem}{suffix}" for d in documents for suffix in (".docx", ".pdf")]
        verdict = freshness.check(item.loaded.path, folder, names, templates_dir(),
                                  [d.kind for d in documents], item.loaded.case.language,
                                  output)
        hint = verdict.command
        if verdict.unknown:
            click.echo(f"STALE    {shown(folder)}/: cannot tell what these documents were built "
                       f"from: {verdict.unknown}; hint: {hint}", err=True)
            failures += len(documents)
            continue
        if verdict.stale:
            # Outdated documents are not read: what they say is not what the case says now.
            click.echo(f"STALE    {shown(folder)}/: built from other inputs than there are "
                       f"now: {'; '.join(verdict.stale)}; hint: {hint}", err=True)
            failures += len(documents)
            continue
        for name, what in verdict.touched.items():
            if (folder / name).with_suffix(".pdf").exists():  # else "not built yet" below
                click.echo(f"CHANGED  {shown(folder / name)}: {what}; hint: {hint}", err=True)
        for document, (pdf, findings) in zip(documents, verify_documents(
                documents, item.loaded.case.form, folder, hint, jobs or default_jobs()),
                strict=True):
            for finding in findings:
                click.echo(f"MISSING  {finding}", err=True)
            if findings or {pdf.name, f"{document.file_stem}.docx"} & set(verdict.touched):
                failures += 1
            else:
                click.echo(f"ok  {shown(pdf)}: built from the inputs as they are now; every "
                           "required clause found; PDF/A-2b, tagged")
    if failures:
        click.echo(f"{failures} document(s) failed verification", err=True)
        sys.exit(EXIT_INVALID)
