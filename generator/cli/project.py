"""Commands about a project's cases and register: new, status, kommune, schema."""

from __future__ import annotations

import sys

import click

from ..errors import EXIT_INVALID, CaseError
from .group import main, report_problems


@main.command()
@click.argument("query", nargs=-1, required=True)
def kommune(query: tuple[str, ...]) -> None:
    """Look up municipalities in the register by number or name (any part of it).

    Prints number, official name, county and population, one municipality per line.
    """
    from ..model.norsk import date, number
    from ..model.register import look_up

    # Unquoted words arrive as separate arguments: `samdok kommune Deatnu - Tana`.
    text = " ".join(query)
    found, hint = look_up(text)
    if not found:
        click.echo(f"no municipality matches {text!r}", err=True)
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

    from ..model.schema import json_schema, reference_markdown

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
@click.option("--språk", "--sprak", "language", type=click.Choice(["nb", "nn"]), default="nb",
              show_default=True, help="Language of the case: nb (bokmål) or nn (nynorsk).")
@click.option("--saksframlegg", "submission", is_flag=True,
              help="Also a joint case submission (saksframlegg) to every council.")
@click.option("-o", "--output", type=click.Path(), help="File to write (default: cases/<id>.yaml).")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
def new(form: str, parties: tuple[str, ...], case_id: str | None, title: str | None,
        language: str, submission: bool, output: str | None, force: bool) -> None:
    """Write a commented starter case for a cooperation form and its parties (a service
    agreement for tjenestekjøp)."""
    from ..base.project import templates_dir
    from ..model import caseid
    from ..model.scaffold import new_case

    if len(parties) < 2:
        raise click.UsageError("name at least two parties with -p")
    if case_id is not None and (why := caseid.problem(case_id)):
        raise click.BadParameter(f"{case_id!r} {why}; hint: e.g. --id "
                                 f"{caseid.suggestion(case_id)}", param_hint="'--id'")
    path = new_case(templates_dir(), form, list(parties), case_id, title, output,
                    language=language, submission=submission, force=force)
    click.echo(f"wrote {path}; next: fill in the «…» texts, then samdok check {path}")


@main.command()
@click.argument("cases", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON for scripts (stable keys; see README).")
def status(cases: tuple[str, ...], as_json: bool) -> None:
    """Show where CASES stand (default: every case in cases/): each council's decision with
    its date, whether the agreement is in force and from when, and what is left.

    Reads the case files only (no rules, no rendering). Exit code 0 whatever the state; 1
    only for a case file that is not valid.
    """
    import json

    from ..base.project import case_files, shown
    from ..model.case import load_case
    from ..model.decisions import standing
    from ..review import status as report

    problems, found, invalid = [], [], []
    for path in case_files(cases):
        try:
            loaded = load_case(path, shown(path))
        except CaseError as exc:
            problems += exc.problems
            invalid.append(shown(path))
            continue
        found.append((loaded.id, shown(path), standing(loaded.case)))
    if problems and not found:
        raise CaseError(problems)
    # One invalid file hides no other case's status: the valid ones are shown, the invalid
    # ones' problems follow on stderr, and the exit code still says a file is not valid.
    if as_json:
        out = {"version": report.JSON_VERSION,
               "cases": [report.as_json(*item) for item in found]}
        if invalid:
            out["invalid"] = invalid
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for item in found:
            click.echo("\n".join(report.as_lines(*item)))
    if problems:
        report_problems(CaseError(problems), f"no status was shown for {', '.join(invalid)}")
        sys.exit(EXIT_INVALID)
