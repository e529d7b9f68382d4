"""Word files for a whole build, written in forked worker processes when there are cores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from ..base.pool import POOL_FROM, WorkerDied, forked_map
from ..base.reproducible import normalise_docx
from ..compose.document import Document
from .writer import write_docx

# The Word libraries are loaded with this module, before any fork: the workers inherit them.
# Only a build imports this module (pipeline.build), never `samdok check` or `--help`.

__all__ = ["POOL_FROM", "Job", "WorkerDied", "write_all"]

# A document, the .docx to write it to, and the case's fixed date to pin that file to.
Job = tuple[Document, Path, dt.datetime]


def write_all(work: list[Job], templates: Path, jobs: int) -> Iterator[int]:
    """Write each (document, .docx path, date) of work, its dates pinned to the date
    (reproducible.normalise_docx); yield each one's index, in order, as it is written.

    With `jobs` above 1 and enough documents, `jobs` forked processes share the work (a
    submission to 357 councils renders in half the time on two cores); elsewhere (one core,
    few documents, no fork on the system) it is done here, one by one (base/pool.py). An
    error in a worker is raised here as it was raised there; a worker that dies (killed by
    the system) fails the build with WorkerDied; on any error or Ctrl-C the workers are
    ended, and they die with this process when it is killed.
    """
    indexed = list(enumerate(work))
    yield from forked_map(lambda item: _write_indexed(item, templates), indexed, jobs,
                          "a process writing the Word files was killed (by the system when "
                          "memory ran out, or by a kill); nothing was replaced; hint: build "
                          "again, with fewer --jobs if memory is short")


def _write_indexed(item: tuple[int, Job], templates: Path) -> int:
    index, job = item
    _write(job, templates)
    return index


def _write(job: Job, templates: Path) -> None:
    document, path, when = job
    write_docx(document, templates, path)
    # Pinned here, in the worker that wrote it, not in one process after the build.
    normalise_docx(path, when)
