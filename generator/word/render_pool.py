"""Word files for a whole build, written in forked worker processes when there are cores."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..base import interrupts
from ..base.lifeline import die_with_parent
from ..base.reproducible import normalise_docx
from ..compose.document import Document
from ..errors import EXIT_ENVIRONMENT, SamdokError
from .writer import write_docx

# The Word libraries are loaded with this module, before any fork: the workers inherit them.
# Only a build imports this module (pipeline.build), never `samdok check` or `--help`.

# Below this many documents a pool costs more than it saves (each worker reads the templates
# again).
POOL_FROM = 16

# A document, the .docx to write it to, and the case's fixed date to pin that file to.
Job = tuple[Document, Path, dt.datetime]

# The work of the current build, read by the forked workers: inherited, never pickled.
_work: tuple[list[Job], Path] | None = None


class WorkerDied(SamdokError):
    """A process writing Word files ended without a word: killed (the OOM killer, a kill)."""

    exit_code = EXIT_ENVIRONMENT


def write_all(work: list[Job], templates: Path, jobs: int) -> Iterator[int]:
    """Write each (document, .docx path, date) of work, its dates pinned to the date
    (reproducible.normalise_docx); yield each one's index, in order, as it is written.

    With `jobs` above 1 and enough documents, `jobs` forked processes share the work (a
    submission to 357 councils renders in half the time on two cores); elsewhere (one core,
    few documents, no fork on the system) it is done here, one by one. An error in a worker
    is raised here as it was raised there; a worker that dies (killed by the system) fails
    the build with WorkerDied; on any error or Ctrl-C the workers are ended, and they die
    with this process when it is killed.
    """
    global _work
    if jobs < 2 or len(work) < POOL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        for index, job in enumerate(work):
            _write(job, templates)
            yield index
        return
    _work = (work, templates)
    context = multiprocessing.get_context("fork")
    before = set(multiprocessing.active_children())
    # The workers are forked inside `held`, so none is started between an interrupt and
    # the cleanup that ends them; they are started by this thread (fork workers are started
    # on the first submit), so their parent-death signal comes when this process ends.
    with interrupts.held():
        pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_initialise,
                                   initargs=(os.getpid(),))
    try:
        with interrupts.held():
            results = pool.map(_write_one, range(len(work)), chunksize=4)
        yield from results
    except BrokenProcessPool:
        raise WorkerDied("a process writing the Word files was killed (by the system when "
                         "memory ran out, or by a kill); nothing was replaced", hint="build "
                         "again, with fewer --jobs if memory is short") from None
    finally:
        with interrupts.held():
            # On an error or Ctrl-C the work left is not wanted: the workers are killed, not
            # waited for.
            for worker in set(multiprocessing.active_children()) - before:
                worker.kill()
            pool.shutdown(wait=True, cancel_futures=True)
            _work = None


def _initialise(parent: int) -> None:
    # Ctrl-C and a hang-up reach the whole process group: the parent stops the build and
    # ends the workers. SIGTERM is how a pool ends its workers: the default, not samdok's.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    interrupts.in_child()
    die_with_parent(parent)


def _write_one(index: int) -> int:
    assert _work is not None  # set before the pool forked
    work, templates = _work
    _write(work[index], templates)
    return index


def _write(job: Job, templates: Path) -> None:
    document, path, when = job
    write_docx(document, templates, path)
    # Pinned here, in the worker that wrote it, not in one process after the build.
    normalise_docx(path, when)
