"""Word files written in forked workers: the same files as one by one, errors raised here."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from generator.errors import TemplateError
from generator.project import templates_dir
from generator.render_pool import POOL_FROM, write_all
from tests.test_compose import many_councils


def parts(docx: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(docx) as archive:
        return {name: archive.read(name) for name in archive.namelist()
                if name.startswith("word/")}


def test_workers_write_what_one_process_writes_in_the_same_order(tmp_path: Path) -> None:
    documents, _ = many_councils(tmp_path)
    assert len(documents) > POOL_FROM  # the pool is used
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
    one = [(d, tmp_path / "one" / f"{d.file_stem}.docx") for d in documents]
    two = [(d, tmp_path / "two" / f"{d.file_stem}.docx") for d in documents]
    assert list(write_all(one, templates_dir(), jobs=1)) == list(range(len(documents)))
    assert list(write_all(two, templates_dir(), jobs=2)) == list(range(len(documents)))
    for (_, a), (_, b) in zip(one, two, strict=True):
        assert parts(a) == parts(b), a.name


def test_an_error_in_a_worker_is_raised_here(tmp_path: Path) -> None:
    documents, _ = many_councils(tmp_path)
    templates = tmp_path / "templates"
    shutil.copytree(templates_dir(), templates)
    (templates / "saksframlegg.docx").unlink()
    work = [(d, tmp_path / f"{d.file_stem}.docx") for d in documents]
    with pytest.raises(TemplateError, match="saksframlegg.docx: Word template not found"):
        list(write_all(work, templates, jobs=2))


def test_case_error_crosses_from_a_worker_with_its_problems() -> None:
    import pickle

    from generator.errors import CaseError, Problem

    problem = Problem("cases/x.yaml", 3, 1, "parter", "too few parties", "add one")
    copy = pickle.loads(pickle.dumps(CaseError([problem])))
    assert copy.problems == [problem] and str(copy) == "1 problem(s) found"
