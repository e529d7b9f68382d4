"""A text's time limit holds even when Python code runs on the side as the limit passes.

The limit is a trace function that raises when time is up. An exception raised in a garbage
collector callback or a finaliser is printed and dropped by Python, and a trace function that
raises is switched off: a text whose deadline passed inside such code rendered on without a
limit. (Seen in the suite: hypothesis's gc callback, then 30 seconds of one text.)
"""

from __future__ import annotations

import gc
import sys
import time

import pytest

import generator.compose.sandbox as sandbox
from generator.compose.sandbox import PlaceholderError, render

# Sorting a long list again and again: a few seconds without a limit, far over 0.2 s.
SLOW = "{% set a = tittel * 4000 %}" + "{{ a|list|sort|unique|list|length }}" * 60


def _note(phase: str) -> str:
    return phase


def test_a_gc_callback_at_the_deadline_does_not_lift_the_limit(monkeypatch) -> None:
    monkeypatch.setattr(sandbox, "TIME_LIMIT", 0.2)
    slept = []

    def callback(phase, info):  # Python code the collector runs between any two steps
        if not slept and sys.gettrace() is not None:  # while the text renders
            slept.append(phase)
            time.sleep(0.3)  # the deadline passes in here ...
        _note(phase)  # ... and the limit is raised here, where Python drops it

    gc.callbacks.append(callback)
    try:
        start = time.monotonic()
        with pytest.raises(PlaceholderError) as raised:
            render(SLOW, {"tittel": "Samarbeidsavtale om lønn"}, "formål")
        took = time.monotonic() - start
    finally:
        gc.callbacks.remove(callback)
    assert slept, "no collection ran while the text rendered"
    assert "stopped: rendering takes more than 0.2 seconds" in str(raised.value)
    assert took < 1.5, took
