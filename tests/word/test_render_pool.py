"""Word files written in forked workers: the same files as one by one, errors raised here."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest

from generator.base.project import templates_dir
from generator.base.reproducible import FALLBACK_EPOCH
from generator.compose.enrich import compose
from generator.errors import TemplateError
from generator.model.case import load_case
from generator.word.render_pool import POOL_FROM, write_all
from tests.helpers import many_councils_case, write_case

WHEN = dt.datetime.fromtimestamp(FALLBACK_EPOCH, dt.UTC)


def parts(docx: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(docx) as archive:
        return {name: archive.read(name) for name in archive.namelist()
                if name.startswith("word/")}


def pooled(folder: Path) -> list:
    """The documents of a case with a submission to POOL_FROM councils: one more with the
    agreement, so the pool is used."""
    case, _ = many_councils_case(POOL_FROM)
    documents = compose(load_case(write_case(folder, "mange.yaml", case)), templates_dir())
    assert len(documents) > POOL_FROM
    return documents


def test_workers_write_what_one_process_writes_in_the_same_order(tmp_path: Path) -> None:
    documents = pooled(tmp_path)
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
    one = [(d, tmp_path / "one" / f"{d.file_stem}.docx", WHEN) for d in documents]
    two = [(d, tmp_path / "two" / f"{d.file_stem}.docx", WHEN) for d in documents]
    assert list(write_all(one, templates_dir(), jobs=1)) == list(range(len(documents)))
    assert list(write_all(two, templates_dir(), jobs=2)) == list(range(len(documents)))
    for (_, a, _), (_, b, _) in zip(one, two, strict=True):
        assert parts(a) == parts(b), a.name


def test_an_error_in_a_worker_is_raised_here(tmp_path: Path) -> None:
    documents = pooled(tmp_path)
    templates = tmp_path / "templates"
    shutil.copytree(templates_dir(), templates)
    (templates / "saksframlegg.docx").unlink()
    work = [(d, tmp_path / f"{d.file_stem}.docx", WHEN) for d in documents]
    with pytest.raises(TemplateError, match="saksframlegg.docx: Word template not found"):
        list(write_all(work, templates, jobs=2))


def test_case_error_crosses_from_a_worker_with_its_problems() -> None:
    import pickle

    from generator.errors import CaseError, Problem

    problem = Problem("cases/x.yaml", 3, 1, "parter", "too few parties", "add one")
    copy = pickle.loads(pickle.dumps(CaseError([problem])))
    assert copy.problems == [problem] and str(copy) == "1 problem(s) found"


@pytest.mark.libreoffice
@pytest.mark.processes
def test_ctrl_c_while_workers_write_ends_them_and_writes_nothing(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.helpers import many_councils_case

    case, _ = many_councils_case(200)
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "mange.yaml").write_text(case, encoding="utf-8")
    # A session of its own, so that Ctrl-C can go to the whole process group, as a terminal
    # sends it; SIGINT as a terminal gives it (a background job of a shell ignores it).
    proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--jobs", "2"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    line = ""
    while " Word " not in line and time.monotonic() < deadline:
        line = proc.stdout.readline()
        assert line or proc.poll() is None, proc.stderr.read()
    assert "/201] Word" in line, line  # the workers are writing
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted; earlier outputs are unchanged" in stderr
    assert "Traceback" not in stderr
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):  # no worker left in the process group
        os.killpg(proc.pid, 0)
    assert not list((tmp_path / "build").glob(".samdok-*"))
    assert not list((tmp_path / "build").glob("*/*.pdf"))
