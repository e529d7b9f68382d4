"""Every setting samdok takes from its environment (SAMDOK_* and SOURCE_DATE_EPOCH): read once,
validated, and handed to the stages."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from .errors import SettingError

DEFAULT_TIMEOUT = 180.0  # seconds without progress; SAMDOK_CONVERT_TIMEOUT overrides it
LONGEST_TIMEOUT = 86400.0  # a day; more is a mistake (and overflows a selector's wait)
LAST_EPOCH = 253402300799  # 9999-12-31T23:59:59Z: the last time a date can hold
PASSWORD_VARIABLE = "SAMDOK_PKCS12_PASSWORD"


@dataclass(frozen=True)
class Settings:
    """What the environment says, checked: each field names the variable it comes from."""

    templates: str | None = None  # SAMDOK_TEMPLATES: the templates folder to use
    soffice: str | None = None  # SAMDOK_SOFFICE: the LibreOffice program to run
    convert_timeout: float = DEFAULT_TIMEOUT  # SAMDOK_CONVERT_TIMEOUT, seconds
    source_date_epoch: int | None = None  # SOURCE_DATE_EPOCH, whole seconds
    # SAMDOK_PKCS12_PASSWORD; kept out of repr so that no message or log ever shows it.
    pkcs12_password: str | None = field(default=None, repr=False)

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings of `environ` (default: this process's environment); SettingError
        naming the variable when one holds what samdok cannot use."""
        env = os.environ if environ is None else environ
        return cls(templates=env.get("SAMDOK_TEMPLATES") or None,
                   soffice=env.get("SAMDOK_SOFFICE") or None,
                   convert_timeout=_timeout(env.get("SAMDOK_CONVERT_TIMEOUT")),
                   source_date_epoch=_epoch(env.get("SOURCE_DATE_EPOCH", "")),
                   pkcs12_password=env.get(PASSWORD_VARIABLE))


def _timeout(value: str | None) -> float:
    if not value:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    # Not nan (every comparison false: no timeout, and a busy loop) nor inf (a traceback).
    if not (0 < seconds <= LONGEST_TIMEOUT):
        raise SettingError(f"SAMDOK_CONVERT_TIMEOUT={value} is not a number of seconds "
                           f"above 0 and at most {LONGEST_TIMEOUT:g}",
                           hint="e.g. SAMDOK_CONVERT_TIMEOUT=300, or unset it for the default "
                                f"({DEFAULT_TIMEOUT:g})")
    return seconds


def _epoch(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or int(value) > LAST_EPOCH:
        raise SettingError(f"SOURCE_DATE_EPOCH={value} is not a time: whole seconds since "
                           f"1970 up to {LAST_EPOCH} (year 9999) are",
                           hint="e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct), or unset it")
    return int(value)


# The settings of the command running now, put in place by the command line for the length of
# one command (and inherited by its forked workers). Code called outside a command (a test,
# a library user) reads the environment as it is at that moment instead.
_current: Settings | None = None


def current() -> Settings:
    """The settings in force: the running command's, else the environment's now."""
    return _current if _current is not None else Settings.read()


@contextmanager
def installed(settings: Settings) -> Iterator[Settings]:
    """`settings` in force for the stages called inside the block."""
    global _current
    before, _current = _current, settings
    try:
        yield settings
    finally:
        _current = before
