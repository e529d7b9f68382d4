"""The samdok command group: settings read once, and every error turned into its message and
exit code in one place, for every command."""

from __future__ import annotations

import sys
import traceback

import click

from .. import __version__
from ..errors import EXIT_ENVIRONMENT, CaseError, SamdokError

# How the count of problems in case files ends, per command: what did not happen because
# of them. Only build builds, so only build says "nothing was built".
OUTCOMES = {
    "build": "nothing was built",
    "verify": "nothing was verified",
    "diff": "nothing was compared",
    "text": "nothing was printed",
    "status": "no status was shown",
}

# What click raises to end a command on purpose (usage errors, --help, a prompt aborted):
# click reports these itself.
_CLICKS = (click.ClickException, click.exceptions.Exit, click.exceptions.Abort)


class SamdokCommand(click.Command):
    """A samdok command: it runs with the environment's settings read, checked and in force
    (after its options are parsed, so --help works whatever the environment holds)."""

    def invoke(self, ctx: click.Context):
        from .. import settings

        with settings.installed(settings.Settings.read()):
            return super().invoke(ctx)


class SamdokGroup(click.Group):
    """A click group whose commands (SamdokCommand) run with the signal handlers installed,
    and whose errors become text and an exit code, never a traceback; a fault in samdok
    itself is reported as such (exit 3, with its traceback)."""

    command_class = SamdokCommand

    def invoke(self, ctx: click.Context):
        from ..base.interrupts import Interrupted, installed

        try:
            # SIGTERM (a CI cancel, `timeout`) and SIGHUP (a closed terminal) end a command
            # as Ctrl-C does: workers stopped, temporary folders removed.
            with installed():
                return super().invoke(ctx)
        except CaseError as exc:
            report_problems(exc, OUTCOMES.get(ctx.invoked_subcommand or ""))
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
        except _CLICKS:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug of samdok's, said to be one
            report_internal(exc)
            sys.exit(EXIT_ENVIRONMENT)


def report_problems(exc: CaseError, outcome: str | None) -> None:
    """Every problem of a CaseError on its own lines, then their count and what did not
    happen because of them."""
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    files = len({p.file for p in exc.problems})
    click.echo(f"{len(exc.problems)} problem(s) in {files} file(s)"
               + (f"; {outcome}." if outcome else "."), err=True)


def report_internal(exc: Exception) -> None:
    """An exception samdok did not expect: its traceback, for the report of the bug, and a
    message that says it is samdok's fault, not the input's."""
    click.echo("".join(traceback.format_exception(exc)), err=True, nl=False)
    click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
    click.echo("    hint: this is a fault in samdok, not in your files; please report it "
               "with the traceback above", err=True)


@click.group(cls=SamdokGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
