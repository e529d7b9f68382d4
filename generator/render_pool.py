"""Word files for a whole build, written in forked worker processes when there are cores."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import signal
from collections.abc import Iterator
from pathlib import Path

from .document import Document
from .docx_writer import write_docx
from .reproducible import normalise_docx

# The Word libraries are loaded with this module, before any fork: the workers inherit them.
# Only a build imports this module (pipeline.build), never `samdok check` or `--help`.

# Below this many documents a pool costs more than it saves (each worker reads the templates
# again).
POOL_FROM = 16

# A document, the .docx to write it to, and the case's fixed date to pin that file to.
Job = tuple[Document, Path, dt.datetime]

# The work of the current build, read by the forked workers: inherited, never pickled.
_work: tuple[list[Job], Path] | None = None


def write_all(work: list[Job], templates: Path, jobs: int) -> Iterator[int]:
    """Write each (document, .docx path, date) of work, its dates pinned to the date
    (reproducible.normalise_docx); yield each one's index, in order, as it is written.

    With `jobs` above 1 and enough documents, `jobs` forked processes share the work (a
    submission to 357 councils renders in half the time on two cores); elsewhere (one core,
    few documents, no fork on the system) it is done here, one by one. An error in a worker
    is raised here as it was raised there; on any error or Ctrl-C the workers are ended.
    """
    global _work
    if jobs < 2 or len(work) < POOL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        for index, job in enumerate(work):
            _write(job, templates)
            yield index
        return
    _work = (work, templates)
    try:
        context = multiprocessing.get_context("fork")
        # Leaving the with block ends the workers (Pool.terminate), whatever happened.
        with context.Pool(jobs, initializer=_ignore_interrupt) as pool:
            yield from pool.imap(_write_one, range(len(work)), chunksize=4)
    finally:
        _work = None


def _ignore_interrupt() -> None:
    # Ctrl-C reaches the whole process group: the parent stops the build and ends the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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
