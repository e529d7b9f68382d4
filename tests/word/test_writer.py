"""The Word writer compiles each template once per process: every council's submission is
rendered from the same one, and the files are the same as when each was compiled afresh."""

from __future__ import annotations

import zipfile
from pathlib import Path

from generator.base.project import templates_dir
from generator.compose import sandbox
from generator.compose.enrich import compose
from generator.model.case import load_case
from generator.word.writer import write_docx
from tests.helpers import many_councils_case, write_case


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as docx:
        return {name: docx.read(name) for name in docx.namelist()}


def test_a_template_is_compiled_once_and_renders_as_if_compiled_afresh(tmp_path: Path,
                                                                       monkeypatch) -> None:
    case, _ = many_councils_case(3)
    documents = compose(load_case(write_case(tmp_path, "m.yaml", case)), templates_dir())
    submissions = [d for d in documents if d.kind == "saksframlegg"]
    compiled = []
    compile_ = sandbox.Sandbox.compile

    def counting(self, source, *args, **kwargs):
        compiled.append(source)
        return compile_(self, source, *args, **kwargs)

    monkeypatch.setattr(sandbox.Sandbox, "compile", counting)
    # what other tests in this process compiled
    getattr(sandbox.word_environment, "cache_clear", lambda: None)()
    # docxtpl compiles the body, headers, footers and core properties of each document: the
    # first submission compiles them, the others nothing new.
    write_docx(submissions[0], templates_dir(), tmp_path / "kept-0.docx")
    first = len(compiled)
    assert first > 0
    for index, document in enumerate(submissions[1:], start=1):
        write_docx(document, templates_dir(), tmp_path / f"kept-{index}.docx")
    assert len(compiled) == first
    # With a fresh environment for each (as before the writer kept them): the same files.
    monkeypatch.setattr(sandbox, "word_environment", lambda: sandbox.Sandbox())
    import generator.word.writer as writer
    monkeypatch.setattr(writer, "word_environment", lambda: sandbox.Sandbox())
    for index, document in enumerate(submissions):
        write_docx(document, templates_dir(), tmp_path / f"fresh-{index}.docx")
        kept, fresh = (_parts(tmp_path / f"{name}-{index}.docx") for name in ("kept", "fresh"))
        kept.pop("docProps/core.xml"), fresh.pop("docProps/core.xml")  # the time written
        assert kept == fresh
