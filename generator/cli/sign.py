"""Commands that sign PDFs and check their signatures."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import EXIT_INVALID, shorten
from .group import main


@main.command()
@click.argument("pdf", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--pkcs12", "pkcs12", required=True, metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="The signer's certificate and private key (.p12 or .pfx). Its password is "
                   "read from $SAMDOK_PKCS12_PASSWORD, or asked for.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Signed file (default: NAME-signert.pdf beside NAME.pdf; a file whose name "
                   "already ends in -signert is signed in place).")
def sign(pdf: Path, pkcs12: Path, output: Path | None) -> None:
    """Sign PDF with a PAdES signature, as an incremental update that keeps earlier
    signatures valid. Parties sign one after another, each into a new signature field."""
    from ..signing.sign import sign_file

    signed = sign_file(pdf, pkcs12, output, _password)
    click.echo(f"signed by {signed.signer} in field {signed.field}: wrote {signed.output}")
    if signed.pdfa is None:
        click.echo(f"note: {pdf} is not PDF/A; the archive expects PDF/A (samdok build makes it)",
                   err=True)


def _password(pkcs12: Path) -> str:
    """From the environment or a hidden prompt; never an option, so it stays out of shell
    history and process lists."""
    from ..errors import SigningError
    from ..settings import PASSWORD_VARIABLE, current

    password = current().pkcs12_password
    if password is not None:
        return password
    if not sys.stdin.isatty():
        raise SigningError(f"no password for {pkcs12}",
                           hint=f"set {PASSWORD_VARIABLE}, or run samdok sign in a terminal "
                                "to be asked")
    return click.prompt(f"Password for {pkcs12}", hide_input=True, default="",
                        show_default=False)


@main.command()
@click.argument("pdf", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--trust", multiple=True, metavar="CERT",
              type=click.Path(dir_okay=False, path_type=Path),
              help="A trust root's certificate (PEM or DER); repeat for more. Without it, "
                   "trust is not checked.")
@click.pass_context
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


