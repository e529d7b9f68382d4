"""Fixtures and collection rules for the whole suite (what tests share is in helpers.py)."""

from __future__ import annotations

import gc
import json
import shutil
from pathlib import Path

import pytest

from tests import helpers
from tests.helpers import BUILT_CASES, EXAMPLES, Invoked, invoke, run_samdok


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that reads the shared LibreOffice build carries the `libreoffice` marker, so
    that `-m "not libreoffice"` (nox -s fast) never starts LibreOffice."""
    unmarked = [item.nodeid for item in items
                if "built" in getattr(item, "fixturenames", ())
                and item.get_closest_marker("libreoffice") is None]
    if unmarked:
        raise pytest.UsageError("these tests use the `built` fixture (LibreOffice) without "
                                "@pytest.mark.libreoffice:\n  " + "\n  ".join(unmarked))


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


@pytest.fixture(scope="session", autouse=True)
def _page_cache(tmp_path_factory, worker_id) -> None:
    """What helpers.pages() read, kept in the run's common temporary folder for every worker."""
    base = tmp_path_factory.getbasetemp()
    helpers.PAGE_CACHE = (base if worker_id == "master" else base.parent) / "pages"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh project folder holding a copy of the example cases (templates: the standard)."""
    shutil.copytree(EXAMPLES, tmp_path / "cases")
    return tmp_path


def _shared(tmp_path_factory, worker_id: str, name: str, make):
    """Make `name` once for the whole run: in one process directly; under pytest-xdist (nox -s
    tests runs one worker per core) the first worker to ask makes it under a file lock in the
    run's common temporary folder and the others wait and reuse it, as the pytest-xdist
    documentation recommends for session fixtures."""
    if worker_id == "master":
        return make(tmp_path_factory.mktemp(name))
    from filelock import FileLock

    common = tmp_path_factory.getbasetemp().parent
    folder = common / name
    with FileLock(str(common / f"{name}.lock")):
        failed = common / f"{name}.failed"
        if failed.is_file():
            pytest.fail(failed.read_text(encoding="utf-8"), pytrace=False)
        if not (common / f"{name}.done").is_file():
            folder.mkdir(exist_ok=True)
            try:
                result = make(folder)
            except BaseException as exc:
                failed.write_text(f"making the shared {name} failed in another worker: {exc}",
                                  encoding="utf-8")
                raise
            (common / f"{name}.done").write_text(json.dumps(result, default=str),
                                                 encoding="utf-8")
            return result
        return json.loads((common / f"{name}.done").read_text(encoding="utf-8"))


def _build(folder: Path) -> str:
    (folder / "cases").mkdir()
    for case in BUILT_CASES:
        shutil.copy(case, folder / "cases" / case.name)
    result = run_samdok("build", "--strict", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "wrote build/roros-os-holtalen/samarbeidsavtale.pdf" in result.stdout
    return str(folder)


@pytest.fixture(scope="session")
def built(tmp_path_factory, worker_id) -> Path:
    """BUILT_CASES built once per test run, in a project folder of their own, by the real
    `samdok build --strict` (LibreOffice included). Shared by every test that reads a built
    document: a test that changes files works on a copy (shutil.copytree)."""
    return Path(_shared(tmp_path_factory, worker_id, "built", _build))


@pytest.fixture(scope="session")
def verified(built: Path, tmp_path_factory, worker_id) -> Invoked:
    """`samdok verify --strict` on `built`, run once: reading every PDF back takes a while,
    and the tests that check what verify says of the built documents can share one run."""
    def _verify(_folder: Path) -> dict:
        with helpers.keeping_readings():  # for tests that compare the two readers
            result = invoke("verify", "--strict", cwd=built)
        return {"args": list(result.args), "returncode": result.returncode,
                "stdout": result.stdout, "stderr": result.stderr}

    answer = _shared(tmp_path_factory, worker_id, "verified", _verify)
    return Invoked(tuple(answer["args"]), answer["returncode"], answer["stdout"],
                   answer["stderr"])
