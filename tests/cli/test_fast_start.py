"""Fast start: the help and `samdok check` never import the Word and PDF stacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.processes  # each probe is a fresh process: what it imports is measured

HEAVY = {"docxtpl", "docx", "docxcompose", "pdfplumber", "pdfminer", "pikepdf", "pyhanko"}

# Runs the command line as `python -m generator` does, and on the way out (atexit runs after
# click's sys.exit) lists the top-level packages that were imported.
PROBE = """
import atexit, runpy, sys
atexit.register(lambda: print("LOADED", *sorted({m.split(".")[0] for m in sys.modules}),
                              file=sys.stderr))
sys.argv = ["samdok", *sys.argv[1:]]
runpy.run_module("generator", run_name="__main__")
"""


def loaded_by(args: list[str], cwd: Path, env: dict[str, str] | None = None
              ) -> tuple[subprocess.CompletedProcess, set[str]]:
    result = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd,
                            env={**os.environ, **(env or {})}, capture_output=True, text=True,
                            timeout=120)
    lines = [line for line in result.stderr.splitlines() if line.startswith("LOADED ")]
    assert len(lines) == 1, result.stderr
    return result, set(lines[0].split()[1:])


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["check"]])
def test_help_and_check_leave_the_word_and_pdf_stacks_unloaded(project: Path, args) -> None:
    result, loaded = loaded_by(args, project)
    assert result.returncode == 0, result.stderr
    assert {"generator", "click"} <= loaded  # the probe saw the command line run
    assert not loaded & HEAVY, sorted(loaded & HEAVY)
    if args == ["check"]:
        assert "ok  cases/roros-os-holtalen.yaml" in result.stdout


def test_the_probe_does_see_the_word_stack_when_it_is_used(project: Path) -> None:
    # The same probe on a build that renders Word, then fails in a stand-in LibreOffice,
    # lists docxtpl: the check above is not passing by accident.
    fake = project / "fake-soffice"
    fake.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    fake.chmod(0o755)
    result, loaded = loaded_by(["build", "cases/roros-os-holtalen.yaml"], project,
                               {"SAMDOK_SOFFICE": str(fake)})
    assert result.returncode == 3, result.stderr
    assert {"docxtpl", "docx"} <= loaded
