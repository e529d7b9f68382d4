"""A pool of forked worker processes that end with samdok (Ctrl-C, SIGTERM, a crash, a kill)."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..errors import EXIT_ENVIRONMENT, SamdokError
from . import interrupts
from .lifeline import die_with_parent

# Below this many items a pool costs more than it saves (each worker starts afresh).
POOL_FROM = 16

# The work of the current pool, inherited by the forked workers: never pickled, so the
# function and the items need not be picklable (only the results are).
_work: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


class WorkerDied(SamdokError):
    """A worker process ended without a word: killed (the OOM killer, a kill)."""

    exit_code = EXIT_ENVIRONMENT


def forked_map(function: Callable[[Any], Any], items: Sequence[Any], jobs: int,
               died: str) -> Iterator[Any]:
    """function(item) for each item, in order, yielded as each is done.

    With `jobs` above 1, at least POOL_FROM items and a system that can fork, `jobs` forked
    processes share the items; elsewhere they are done here, one by one. An error in a
    worker is raised here as it was raised there; a worker that dies raises WorkerDied with
    the message `died`; on any error or Ctrl-C the workers are killed, and they die with this
    process when it is killed.
    """
    global _work
    if jobs < 2 or len(items) < POOL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        for item in items:
            yield function(item)
        return
    _work = (function, items)
    # What the parent no longer holds is freed before the fork, not copied into each worker;
    # what it still holds is kept out of the collector's reach, so the workers' collections do
    # not write to (and so copy) the pages they share with the parent.
    gc.collect()
    _trim()
    gc.freeze()
    before = set(multiprocessing.active_children())
    # The workers are forked inside `held`, so none is started between an interrupt and the
    # cleanup that ends them; they are started by this thread (fork workers are started on the
    # first submit), so their parent-death signal comes when this process ends.
    try:
        with interrupts.held():
            pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                       initializer=_initialise, initargs=(os.getpid(),))
        try:
            with interrupts.held():
                results = pool.map(_run_one, range(len(items)), chunksize=4)
            yield from results
        except BrokenProcessPool:
            raise WorkerDied(died) from None
        finally:
            with interrupts.held():
                # On an error or Ctrl-C the work left is not wanted: the workers are killed,
                # not waited for.
                for worker in set(multiprocessing.active_children()) - before:
                    worker.kill()
                pool.shutdown(wait=True, cancel_futures=True)
    finally:
        _work = None
        gc.unfreeze()


def _trim() -> None:
    """Give the memory freed back to the system (glibc keeps it for reuse otherwise), so that
    the workers do not start with it counted in their resident size."""
    import ctypes

    try:
        ctypes.CDLL(None).malloc_trim(0)  # this process's own symbols: libc's among them
    except (OSError, AttributeError, TypeError):  # not glibc: nothing to do
        pass


def _initialise(parent: int) -> None:
    # Ctrl-C and a hang-up reach the whole process group: the parent stops and ends the
    # workers. SIGTERM is how a pool ends its workers: the default, not samdok's.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    interrupts.in_child()
    die_with_parent(parent)


def _run_one(index: int) -> Any:
    assert _work is not None  # set before the pool forked
    function, items = _work
    return function(items[index])
