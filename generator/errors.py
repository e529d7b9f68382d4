"""Every error samdok reports to a user: its wording, its place in a file, and its exit code."""

from __future__ import annotations

from dataclasses import dataclass

# Exit codes are the command-line contract ; the README lists them under Exit codes.
EXIT_OK = 0
EXIT_INVALID = 1  # invalid case, failed compliance or failed verification
EXIT_USAGE = 2  # wrong command-line use (click uses 2 as well)
EXIT_ENVIRONMENT = 3  # conversion or environment failure (LibreOffice missing, crashed, ...)


def shorten(text: str, most: int) -> str:
    """text on one line, cut to `most` characters, so a message stays readable however long
    the value it quotes."""
    text = " ".join(text.split())
    return text if len(text) <= most else text[:most] + "…"


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file, with where it is and how to fix it."""

    file: str
    line: int | None
    column: int | None
    field: str
    message: str
    hint: str = ""
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        message = f"warning: {self.message}" if self.severity == "warning" else self.message
        text = f"{where}: {self.field}: {message}" if self.field else f"{where}: {message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


def with_hint(message: str, hint: str) -> str:
    """The one way a message and its hint are put together on one line."""
    return f"{message}; hint: {hint}" if hint else message


class SamdokError(Exception):
    """Base class: a failure that is reported as a message and an exit code, never a traceback.

    `hint` says what to do about it; str() is the message with its hint (with_hint), which is
    what the command line prints after "error: "."""

    exit_code = EXIT_INVALID

    def __init__(self, message: str = "", hint: str = ""):
        self.message, self.hint = message, hint
        super().__init__(with_hint(message, hint))

    def __reduce__(self):  # pickled with its hint (from a worker process)
        return type(self), (self.message, self.hint)


class CaseError(SamdokError):
    """A case file (or a file it names) is invalid; carries every problem found."""

    exit_code = EXIT_INVALID

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = sum(1 for p in problems if p.severity == "error")
        super().__init__(f"{errors} problem(s) found")

    def __reduce__(self):  # pickled with its problems (from a worker process)
        return CaseError, (self.problems,)


class SettingError(SamdokError):
    """An environment variable samdok reads holds what it cannot use."""

    exit_code = EXIT_ENVIRONMENT


class TemplateError(SamdokError):
    """A template or a standard clause text cannot be rendered."""

    exit_code = EXIT_INVALID


class VerificationError(SamdokError):
    """A built document lacks something the document model says must be there."""

    exit_code = EXIT_INVALID


class ConversionError(SamdokError):
    """LibreOffice is missing, failed, hung, or produced no PDF."""

    exit_code = EXIT_ENVIRONMENT


class OutputError(SamdokError):
    """The output folder cannot be written."""

    exit_code = EXIT_ENVIRONMENT


class SigningError(SamdokError):
    """A PDF cannot be signed or its signatures do not hold: a missing, damaged or locked
    PKCS#12 file, a PDF that is not there or not a PDF, a broken or missing signature."""

    exit_code = EXIT_INVALID
