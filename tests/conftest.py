"""Shared test helpers: run the real command line in a folder, find the example cases."""

from __future__ import annotations

import contextlib
import gc
import shutil
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "cases"
FIXTURES = Path(__file__).resolve().parent / "cases"


def run_samdok(*args: str, cwd: Path, env: dict[str, str] | None = None,
               timeout: float = 300) -> subprocess.CompletedProcess:
    """Run samdok as a user would (a separate process), capturing its output: for LibreOffice
    builds, signals, import time and what a process leaves behind; else use invoke()."""
    import os

    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that reads the shared LibreOffice build carries the `libreoffice` marker, so
    that `-m "not libreoffice"` (nox -s fast) never starts LibreOffice."""
    unmarked = [item.nodeid for item in items
                if "built" in getattr(item, "fixturenames", ())
                and item.get_closest_marker("libreoffice") is None]
    if unmarked:
        raise pytest.UsageError("these tests use the `built` fixture (LibreOffice) without "
                                "@pytest.mark.libreoffice:\n  " + "\n  ".join(unmarked))


@dataclass(frozen=True)
class Invoked:
    """What one in-process command gave, under subprocess.CompletedProcess's names."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def invoke(*args: str, cwd: Path, env: dict[str, str | None] | None = None) -> Invoked:
    """Run samdok's command line in this process (click's CliRunner) with `cwd` as the working
    folder: for message and exit-code checks, where a separate process would only cost its
    start. An exception samdok did not turn into a message lands in stderr as the traceback a
    separate process would print, so "no traceback" assertions keep their meaning."""
    from click.testing import CliRunner

    from generator.cli import main

    with contextlib.chdir(cwd):
        result = CliRunner().invoke(main, list(args), env=env)
    stderr = result.stderr
    if result.exc_info is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(*result.exc_info))
    return Invoked(tuple(args), result.exit_code, result.stdout, stderr)


@pytest.fixture(autouse=True)
def _no_gc_callbacks_left_behind():
    """Remove what a test added to gc.callbacks (hypothesis adds a Python callback and keeps
    it). samdok's time limit for texts is a trace function; when it fires inside such a
    callback, the garbage collector swallows its exception and tracing stops, so a slow text
    is no longer stopped: seen here only once samdok runs in-process after a hypothesis test
    (the command line itself has no gc callbacks)."""
    before = list(gc.callbacks)
    yield
    gc.callbacks[:] = [callback for callback in gc.callbacks if callback in before]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh project folder holding a copy of the example cases (templates: the standard)."""
    shutil.copytree(EXAMPLES, tmp_path / "cases")
    return tmp_path


def write_case(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# The complete cases the LibreOffice tests read: the examples, one case per cooperation form,
# and the case whose text holds every Norwegian and Sami letter.
BUILT_CASES = [*sorted(EXAMPLES.glob("*.yaml")), *sorted((FIXTURES / "former").glob("*.yaml")),
               FIXTURES / "samiske-bokstaver.yaml"]


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """BUILT_CASES built once per test run, in a project folder of their own, by the real
    `samdok build --strict` (LibreOffice included). Shared by every test that reads a built
    document: a test that changes files works on a copy (shutil.copytree)."""
    folder = tmp_path_factory.mktemp("project")
    (folder / "cases").mkdir()
    for case in BUILT_CASES:
        shutil.copy(case, folder / "cases" / case.name)
    result = run_samdok("build", "--strict", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "wrote build/roros-os-holtalen/samarbeidsavtale.pdf" in result.stdout
    return folder


@pytest.fixture(scope="session")
def verified(built: Path) -> Invoked:
    """`samdok verify --strict` on `built`, run once: reading every PDF back takes a while,
    and the tests that check what verify says of the built documents can share one run."""
    return invoke("verify", "--strict", cwd=built)
