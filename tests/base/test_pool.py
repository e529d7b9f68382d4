"""The one pool of forked workers (Word writing, verify): results in order, a killed worker
reported, the workers ended when the work stops."""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest

from generator.base.pool import POOL_FROM, WorkerDied, forked_map


def _where(item: int) -> tuple[int, int]:
    return item, os.getpid()


def _dies_at_five(item: int) -> int:
    if item == 5:
        os.kill(os.getpid(), signal.SIGKILL)
    return item


def test_the_shared_pool_keeps_order_and_works_in_other_processes() -> None:
    done = list(forked_map(_where, list(range(POOL_FROM + 4)), 2, "died"))
    assert [item for item, _ in done] == list(range(POOL_FROM + 4))
    assert os.getpid() not in {pid for _, pid in done}
    assert not multiprocessing.active_children()
    few = list(forked_map(_where, list(range(POOL_FROM - 1)), 2, "died"))
    assert {pid for _, pid in few} == {os.getpid()}  # too few to be worth a pool


def test_a_killed_worker_is_reported_and_the_others_are_ended() -> None:
    with pytest.raises(WorkerDied, match="^a reader was killed$"):
        list(forked_map(_dies_at_five, list(range(POOL_FROM * 4)), 2, "a reader was killed"))
    assert not multiprocessing.active_children()


def test_work_stopped_half_way_ends_the_workers() -> None:
    results = forked_map(_where, list(range(POOL_FROM * 4)), 2, "died")
    next(results)
    assert multiprocessing.active_children()
    results.close()  # as on an error or Ctrl-C in the caller
    assert not multiprocessing.active_children()
