"""The command line: a thin layer over the pipeline; errors become messages and exit codes."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from .. import __version__
from ..errors import EXIT_INVALID, CaseError, SamdokError, shorten

# How the count of problems in case files ends, per command: what did not happen because
# of them. Only build builds, so only build says "nothing was built".
OUTCOMES = {
    "build": "nothing was built",
    "verify": "nothing was verified",
    "diff": "nothing was compared",
    "text": "nothing was printed",
    "status": "no status was shown",
}


def _handle_errors(command):
    """Report samdok's errors as text with their exit code, never as a traceback."""
    outcome = OUTCOMES.get(command.__name__)

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from ..base.interrupts import Interrupted, installed

        try:
            # SIGTERM (a CI cancel, `timeout`) and SIGHUP (a closed terminal) end a command
            # as Ctrl-C does: workers stopped, temporary folders removed.
            with installed():
                return command(*args, **kwargs)
        except CaseError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            files = len({p.file for p in exc.problems})
            click.echo(f"{len(exc.problems)} problem(s) in {files} file(s)"
                       + (f"; {outcome}." if outcome else "."), err=True)
            sys.exit(exc.exit_code)
        except SamdokError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except Interrupted as exc:
            try:  # after a hang-up the terminal may be gone
                click.echo(f"{exc.what}; earlier outputs are unchanged", err=True)
            except OSError:
                pass
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
@_handle_errors
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
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Processes reading the councils' PDFs of a case submission at once  "
                   "[default: one per core]")
@STRICT
@_handle_errors
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


@main.command()
@click.argument("cases", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON for scripts (stable keys; see README).")
@_handle_errors
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

    problems, found = [], []
    for path in case_files(cases):
        try:
            loaded = load_case(path, shown(path))
        except CaseError as exc:
            problems += exc.problems
            continue
        found.append((loaded.id, shown(path), standing(loaded.case)))
    if problems:
        raise CaseError(problems)
    if as_json:
        click.echo(json.dumps({"version": report.JSON_VERSION,
                               "cases": [report.as_json(*item) for item in found]},
                              ensure_ascii=False, indent=2))
        return
    for item in found:
        click.echo("\n".join(report.as_lines(*item)))


@main.command()
@click.argument("query", nargs=-1, required=True)
@_handle_errors
def kommune(query: tuple[str, ...]) -> None:
    """Look up municipalities in the register by number or name (any part of it).

    Prints number, official name, county and population, one municipality per line.
    """
    from ..model.norsk import date, number
    from ..model.register import folded_matches, former_note, named, search, suggestion

    # Unquoted words arrive as separate arguments: `samdok kommune Deatnu - Tana`.
    text = " ".join(query)
    found = search(text)
    # A number or name that only an ended municipality had is about that one: what became of
    # it is the answer, not other names that happen to contain the text.
    note = "" if named(text) or folded_matches(text) else former_note(text)
    if not found or note:
        click.echo(f"no municipality matches {text!r}", err=True)
        hint = note or suggestion(text)
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
@click.argument("old")
@click.argument("new", required=False)
@click.option("--html", "html_file", type=click.Path(dir_okay=False),
              help="Also write the comparison as one self-contained HTML page.")
@click.option("--docx", "docx_file", type=click.Path(dir_okay=False),
              help="Also write the new version as Word with tracked changes (a redline).")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON instead.")
@click.option("--color/--no-color", default=None, help="Colour the text (default: on a tty).")
@_handle_errors
def diff(old: str, new: str | None, html_file: str | None, docx_file: str | None,
         as_json: bool, color: bool | None) -> None:
    """Compare two versions of a case, clause by clause.

    OLD and NEW are case files, .docx files samdok built (perhaps edited since), or FILE@REV
    for a version in git. With only OLD: FILE@REV against the working copy, or FILE at HEAD
    against the working copy.
    """
    import json

    from ..base.project import templates_dir
    from ..review.case_diff import compare_documents
    from ..review.diff import compare
    from ..review.report import to_html, to_json, to_terminal
    from ..review.versions import labels, load, split

    if new is None:
        path, revision = split(old)
        old, new = (f"{old}@HEAD", old) if revision is None else (old, str(path))
    templates = templates_dir()
    # A .docx is one document: the case on the other side is compared as that same document
    # (its kind, and the council's copy of the same file name).
    old_path, new_path = split(old)[0], split(new)[0]
    if new_path.suffix.lower() == ".docx" and old_path.suffix.lower() != ".docx":
        after, read_back, new_documents = load(new, templates)
        before, _, old_documents = load(old, templates, after.document.kind, new_path.stem)
    else:
        before, _, old_documents = load(old, templates)
        stem = old_path.stem if old_path.suffix.lower() == ".docx" else before.document.file_stem
        after, read_back, new_documents = load(new, templates, before.document.kind, stem)
    words = labels(after, templates)
    comparison = compare(before, after, words)
    # Two case files: every other document they build too (each council's submission).
    if old_documents and new_documents:
        comparison.documents = compare_documents(old_documents, new_documents,
                                                 before.document.kind, old, new)
    if as_json:
        click.echo(json.dumps(to_json(comparison), ensure_ascii=False, indent=2))
    else:
        tty = sys.stdout.isatty() if color is None else color
        click.echo(to_terminal(comparison, words, tty), nl=False, color=tty)
    if html_file:
        Path(html_file).write_text(to_html(comparison, words), encoding="utf-8")
    if docx_file:
        from ..review.redline import write_redlines

        write_redlines(comparison, templates, Path(docx_file), read_back)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_handle_errors
def text(file: str) -> None:
    """Print FILE as plain Markdown: a .docx through pandoc, a case file as its document.

    Made for git: with a textconv driver, `git diff` shows cases and committed documents as
    readable text (see README.md).
    """
    path = Path(file)
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
@_handle_errors
def new(form: str, parties: tuple[str, ...], case_id: str | None, title: str | None,
        language: str, submission: bool, output: str | None, force: bool) -> None:
    """Write a commented starter case for a cooperation form and its parties (a service
    agreement for tjenestekjøp)."""
    from ..base.project import templates_dir
    from ..model import caseid, register
    from ..model.scaffold import default_title, starter_case, write_new

    if len(parties) < 2:
        raise click.UsageError("name at least two parties with -p")
    if case_id is not None and (why := caseid.problem(case_id)):
        raise click.BadParameter(f"{case_id!r} {why}; hint: e.g. --id "
                                 f"{caseid.suggestion(case_id)}", param_hint="'--id'")
    found = [register.find(p) for p in parties]
    names = [m.name for m in found]
    case_id = case_id or caseid.slug(names[:3])
    title = title or default_title(form, names, language)
    path = Path(output or f"cases/{case_id}.yaml")
    text = starter_case(templates_dir(), form, [m.number for m in found], case_id, title,
                        str(path), language=language, submission=submission)
    write_new(path, text, force)
    click.echo(f"wrote {path}; next: fill in the «…» texts, then samdok check {path}")


@main.command()
@click.argument("pdf", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--pkcs12", "pkcs12", required=True, metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="The signer's certificate and private key (.p12 or .pfx). Its password is "
                   "read from $SAMDOK_PKCS12_PASSWORD, or asked for.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Signed file (default: NAME-signert.pdf beside NAME.pdf; a file whose name "
                   "already ends in -signert is signed in place).")
@_handle_errors
def sign(pdf: Path, pkcs12: Path, output: Path | None) -> None:
    """Sign PDF with a PAdES signature, as an incremental update that keeps earlier
    signatures valid. Parties sign one after another, each into a new signature field."""
    from ..signing import sign as signing

    out = output or signing.default_output(pdf)
    signing.check_output(pdf, out)
    data = signing.read_pdf(pdf)
    credential = signing.read_pkcs12(pkcs12)
    signer = signing.load_signer(credential, pkcs12, _password(pkcs12))
    signing.require_signing_usage(signer, pkcs12)
    signed = signing.sign(pdf, data, signer, out)
    click.echo(f"signed by {signed.signer} in field {signed.field}: wrote {signed.output}")
    if signed.pdfa is None:
        click.echo(f"note: {pdf} is not PDF/A; the archive expects PDF/A (samdok build makes it)",
                   err=True)


def _password(pkcs12: Path) -> str:
    """From the environment or a hidden prompt; never an option, so it stays out of shell
    history and process lists."""
    import os

    from ..errors import SigningError
    from ..signing.sign import PASSWORD_VARIABLE

    password = os.environ.get(PASSWORD_VARIABLE)
    if password is not None:
        return password
    if not sys.stdin.isatty():
        raise SigningError(f"no password for {pkcs12}: set {PASSWORD_VARIABLE}, or run "
                           "samdok sign in a terminal to be asked")
    return click.prompt(f"Password for {pkcs12}", hide_input=True, default="",
                        show_default=False)


@main.command()
@click.argument("pdf", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--trust", multiple=True, metavar="CERT",
              type=click.Path(dir_okay=False, path_type=Path),
              help="A trust root's certificate (PEM or DER); repeat for more. Without it, "
                   "trust is not checked.")
@click.pass_context
@_handle_errors
def signatures(ctx: click.Context, pdf: Path, trust: tuple[Path, ...]) -> None:
    """List the signatures in PDF and check them: signer, time, whether the signed content is
    intact, whether anything but the next signatures was added afterwards, and (with --trust)
    trust. With -v, what pyHanko found behind each finding.

    Exit code 1 when a signature is broken or damaged, its certificate may not sign, a revision
    after the first signature did more than add the next signature, bytes follow the last
    signature, or (with --trust) a certificate does not chain to a given root.
    """
    from ..signing.sign import check_signatures

    verbose = bool(ctx.obj and ctx.obj.get("verbose"))
    report = check_signatures(pdf, list(trust))
    for number, check in enumerate(report.signatures, start=1):
        when = f"{check.time:%Y-%m-%d %H:%M:%S %Z}".strip() if check.time else "no time given"
        click.echo(f"{number}. {check.field}: {check.signer}")
        if not check.damage:
            click.echo(f"   signed:   {when} (the signer's clock)")
        if check.damage:
            click.echo(f"   intact:   NO: {check.damage}")
        else:
            click.echo("   intact:   " + ("yes, the signed content is unchanged" if check.intact
                                          else "NO: the signed content was changed or the "
                                          "signature is damaged"))
        if check.usage:
            click.echo(f"   usage:    NO: the certificate may not sign: {check.usage}")
        click.echo(f"   coverage: {'' if check.covers or check.damage else 'NO: '}"
                   f"{check.coverage}")
        click.echo(f"   trusted:  {'' if check.trusted is not False else 'NO: '}"
                   f"{check.trust_note}")
        if verbose and check.detail:
            click.echo(f"   details:  {shorten(check.detail, 2000)}")
    for finding in report.findings:
        click.echo(f"NO: revision {finding.revision + 1} {finding.text}", err=True)
        if verbose and finding.detail:
            click.echo(f"    details: {shorten(finding.detail, 2000)}", err=True)
    if report.uncovered_bytes:
        click.echo(f"NO: {report.uncovered_bytes} byte(s) after the last signature are not "
                   "covered by any signature: the file was changed after signing", err=True)
    count = len(report.signatures)
    if not report.ok:
        failed = sum(1 for s in report.signatures if not s.ok)
        problems = [f"{failed} of {count} signature(s) fail"] if failed else []
        if report.findings:
            problems.append("the file was changed between or after signatures (revision "
                            + ", ".join(str(f.revision + 1) for f in report.findings) + ")")
        if report.uncovered_bytes:
            problems.append("the file changed after the last signature")
        click.echo(f"{pdf}: {' and '.join(problems)}", err=True)
        sys.exit(EXIT_INVALID)
    click.echo(f"{pdf}: {count} signature(s), all intact; nothing but signing changed the "
               "file after any of them")


if __name__ == "__main__":
    main()
