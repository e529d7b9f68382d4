"""Signals that end a command (Ctrl-C, SIGTERM, SIGHUP): raised once, as Interrupted, and held
off while a child process is started or outputs are moved into place."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

# Windows has neither SIGHUP nor signal masks; there only Ctrl-C is handled.
ENDING = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
               if hasattr(signal, name))
_MASKS = hasattr(signal, "pthread_sigmask")

_WHAT = {"SIGINT": "interrupted", "SIGTERM": "terminated (SIGTERM)",
         "SIGHUP": "hung up (SIGHUP)"}


class Interrupted(KeyboardInterrupt):
    """A signal asked samdok to stop; a KeyboardInterrupt, so every cleanup that runs on Ctrl-C
    runs for it too. Exit code 128 + the signal number, as a shell reports it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    @property
    def what(self) -> str:
        return _WHAT.get(signal.Signals(self.signum).name, "stopped by a signal")


_received: list[int] = []  # the signal being handled, while its cleanup runs


def _handler(signum: int, frame) -> None:
    if _received:  # the cleanup of the first one runs: a second Ctrl-C must not cut it short
        return
    _received.append(signum)
    raise Interrupted(signum)


@contextmanager
def installed() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP raise Interrupted in the block (only the first of them: the
    cleanup it starts is not interrupted again); the handlers before it come back after it.
    A signal that is ignored (nohup, a background job) stays ignored."""
    previous = {}
    for signum in ENDING:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, _handler)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _received.clear()


@contextmanager
def held() -> Iterator[None]:
    """The ending signals wait until the block is done, then are handled: a child process
    started in the block is recorded before an interrupt can stop the cleanup from knowing it.
    A child started in the block inherits the mask: it calls `in_child` first."""
    if not _MASKS:
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, ENDING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def in_child() -> None:
    """In a child process started inside `held`: the ending signals unblocked again."""
    if _MASKS:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, ENDING)
