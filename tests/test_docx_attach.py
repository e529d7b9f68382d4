"""The agreement attached to each council's submission: composed once, replayed for the rest."""

from __future__ import annotations

import zipfile
from pathlib import Path

from generator import docx_attach
from generator.docx_writer import write_docx
from generator.pipeline import check_cases
from tests.conftest import EXAMPLES, ROOT

TEMPLATES = ROOT / "templates"


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as docx:
        return {name: docx.read(name) for name in docx.namelist()}


def test_a_replayed_attachment_gives_the_same_word_file_as_one_composed_afresh(
        tmp_path: Path) -> None:
    [case] = check_cases([EXAMPLES / "lillehammerregionen-3-1.yaml"], TEMPLATES)
    submissions = [d for d in case.documents if d.attachments]
    assert len(submissions) == 3
    agreement = submissions[0].attachments[0]
    attached = tmp_path / "avtale.docx"
    write_docx(agreement, TEMPLATES, attached)
    rendered = {id(agreement): attached}

    docx_attach._composed.clear()
    for document in submissions:  # the first composes, the others replay
        write_docx(document, TEMPLATES, tmp_path / f"replayed-{document.file_stem}.docx",
                   rendered)
    assert [v is not None for v in docx_attach._composed.values()] == [True]

    for document in submissions:
        docx_attach._composed.clear()  # nothing to replay: composed afresh
        write_docx(document, TEMPLATES, tmp_path / f"fresh-{document.file_stem}.docx",
                   rendered)
        replayed = _parts(tmp_path / f"replayed-{document.file_stem}.docx")
        fresh = _parts(tmp_path / f"fresh-{document.file_stem}.docx")
        assert replayed.keys() == fresh.keys()
        for name in fresh:
            if name != "docProps/core.xml":  # the time it was written
                assert replayed[name] == fresh[name], name
        # the council's own text and the agreement's are both in it
        body = fresh["word/document.xml"].decode()
        assert document.title in body and agreement.title in body
