"""The command line: a thin layer over the pipeline; errors become messages and exit codes."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from . import __version__
from .errors import EXIT_INVALID, CaseError, SamdokError


def _handle_errors(command):
    """Report samdok's errors as text with their exit code, never as a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except CaseError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            files = len({p.file for p in exc.problems})
            click.echo(f"{len(exc.problems)} problem(s) in {files} file(s); nothing was built.",
                       err=True)
            sys.exit(exc.exit_code)
        except SamdokError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted; earlier outputs are unchanged", err=True)
            sys.exit(130)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="samdok")
@click.option("-v", "--verbose", is_flag=True, help="Show commands run and more detail.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """samdok: documents for Norwegian inter-municipal cooperation.

    Reads case files (cases/*.yaml) and builds cooperation agreements in Word and PDF.
    Exit codes: 0 ok, 1 invalid case or failed check, 2 usage, 3 conversion or environment.
    """
    ctx.obj = {"verbose": verbose}


STRICT = click.option("--strict", is_flag=True,
                      help="Treat warnings (such as unknown keys) as errors.")


def _checked(cases: tuple[str, ...] | list[Path], strict: bool,
             taken: dict[str, Path] | None = None):
    from .pipeline import check_cases
    from .project import case_files, templates_dir

    return check_cases(case_files(cases), templates_dir(), strict=strict,
                       warn=lambda text: click.echo(text, err=True), taken=taken)


@main.command()
@click.argument("cases", nargs=-1, type=click.Path())
@click.option("-o", "--output", default="build", show_default=True, type=click.Path(),
              help="Output folder; documents go to OUTPUT/<case-id>/.")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="LibreOffice workers converting at once  [default: one per core]")
@click.option("--force", is_flag=True, help="Rebuild documents that are up to date.")
@STRICT
@click.pass_context
@_handle_errors
def build(ctx: click.Context, cases: tuple[str, ...], output: str, jobs: int | None,
          force: bool, strict: bool) -> None:
    """Build Word and PDF documents for CASES (default: every case in cases/).

    Documents whose inputs are unchanged since the last build are skipped.
    """
    from .project import case_files, shown, templates_dir
    from .state import BuildState, up_to_date

    # Cases whose file, templates and samdok are as they were at their last build are not
    # even read: a rebuild after editing one case of many stays quick.
    out, paths = Path(output), case_files(cases)
    recorded = BuildState(out, templates_dir())
    current = {} if force else {path: found for path in paths
                                if (found := recorded.current_case(path))}
    for case_id, documents in current.values():
        click.echo(up_to_date(case_id, documents))
    rest = [path for path in paths if path not in current]
    if not rest:
        return

    from .pipeline import build as run_build

    checked = _checked(rest, strict, taken={case_id: path for path, (case_id, _)
                                             in current.items()})
    written = run_build(checked, templates_dir(), out, verbose=ctx.obj["verbose"], jobs=jobs,
                        force=force, progress=_progress, recorded=recorded)
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
    from .pipeline import Progress

    if total > 5 and sys.stdout.isatty():
        return _Bar(total)
    return Progress(total, click.echo)


@main.command()
@click.argument("cases", nargs=-1, type=click.Path())
@STRICT
@_handle_errors
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
@STRICT
@_handle_errors
def verify(cases: tuple[str, ...], output: str, strict: bool) -> None:
    """Read the built PDFs of CASES back and prove every required clause is in them."""
    from .project import shown
    from .verify import verify_document

    failures = 0
    for item in _checked(cases, strict):
        for document in item.documents:
            folder = Path(output) / item.loaded.id
            pdf = folder / f"{document.file_stem}.pdf"
            findings = verify_document(document, item.loaded.case.form, pdf,
                                       folder / f"{document.file_stem}.docx")
            for finding in findings:
                click.echo(f"MISSING  {finding}", err=True)
            if findings:
                failures += 1
            else:
                click.echo(f"ok  {shown(pdf)}: every required clause found")
    if failures:
        click.echo(f"{failures} document(s) failed verification", err=True)
        sys.exit(EXIT_INVALID)


@main.command()
@click.argument("query", nargs=-1, required=True)
@_handle_errors
def kommune(query: tuple[str, ...]) -> None:
    """Look up municipalities in the register by number or name (any part of it).

    Prints number, official name, county and population, one municipality per line.
    """
    from .norsk import date, number
    from .register import search, suggestion

    # Unquoted words arrive as separate arguments: `samdok kommune Deatnu - Tana`.
    text = " ".join(query)
    found = search(text)
    if not found:
        click.echo(f"no municipality matches {text!r}", err=True)
        hint = suggestion(text)
        if hint:
            click.echo(f"    hint: {hint}", err=True)
        sys.exit(EXIT_INVALID)
    name_width = max(len(m.official_name) for m in found)
    county_width = max(len(m.county) for m in found)
    for m in found:
        click.echo(f"{m.number}  {m.official_name:<{name_width}}  {m.county:<{county_width}}  "
                   f"folketall {number(m.population)} per {date(m.population_date)}")


@main.command()
@click.option("--markdown", is_flag=True, help="Print the case-file reference as Markdown.")
def schema(markdown: bool) -> None:
    """Print the JSON Schema of case files (for editors), or the reference as Markdown."""
    import json

    from .schema import json_schema, reference_markdown

    if markdown:
        click.echo(reference_markdown(), nl=False)
    else:
        click.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))


@main.command()
@click.option("--form", "form", required=True, help="The cooperation form (samarbeidsform).",
              type=click.Choice(["vertskommune", "vertskommune_med_nemnd", "oppgavefellesskap",
                                 "politisk_råd", "iks", "tjenestekjøp", "rammeavtale"]))
@click.option("-p", "--part", "parties", multiple=True, required=True,
              help="A party, by kommunenummer or name; repeat for each (at least two).")
@click.option("--id", "case_id", help="Case id (default: from the first two party names).")
@click.option("--tittel", "title", help="Title of the agreement.")
@click.option("-o", "--output", type=click.Path(), help="File to write (default: cases/<id>.yaml).")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@_handle_errors
def new(form: str, parties: tuple[str, ...], case_id: str | None, title: str | None,
        output: str | None, force: bool) -> None:
    """Write a commented starter case for a cooperation form and its parties."""
    from . import norsk, register
    from .project import templates_dir
    from .scaffold import slug, starter_case, write_new

    if len(parties) < 2:
        raise click.UsageError("name at least two parties with -p")
    found = [register.find(p) for p in parties]
    names = [m.name for m in found]
    case_id = case_id or slug(names[:3])
    title = title or f"Samarbeidsavtale mellom {norsk.and_list(names)}"
    path = Path(output or f"cases/{case_id}.yaml")
    text = starter_case(templates_dir(), form, [m.number for m in found], case_id, title, str(path))
    write_new(path, text, force)
    click.echo(f"wrote {path}; next: fill in the «…» texts, then samdok check {path}")


if __name__ == "__main__":
    main()
