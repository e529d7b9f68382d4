"""verify reads each council's own pages with pdfium (fast) and the documents read once with
pdfplumber as well: both readers find the same phrases on every kind of page samdok builds,
and a PDF whose text reads differently in the two is not passed silently."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pikepdf
import pytest

from generator.base.project import case_files, templates_dir
from generator.base.reproducible import sha256
from generator.build.pipeline import check_cases
from generator.pdf import archive, verify
from generator.pdf.reading import with_pdfium, with_pdfplumber
from generator.word.writer import LANGUAGE_TAGS
from tests.helpers import EXAMPLES, invoke, plumber_reading

READ = [*sorted(p.name for p in EXAMPLES.glob("*.yaml")), "samiske-bokstaver.yaml"]
DOUBT = "the text reads differently in different PDF readers, so verify cannot be sure"
REGION = "lillehammerregionen-3-1"


def _documents(project: Path, names: list[str], monkeypatch) -> list[tuple[Path, object, str]]:
    """(folder, document, form) for each document of the named cases in `project`."""
    monkeypatch.chdir(project)
    checked = check_cases(case_files([f"cases/{n}" for n in names]), templates_dir(),
                          warn=lambda text: None)
    return [(project / "build" / item.loaded.id, document, item.loaded.case.form)
            for item in checked for document in item.documents]


def _pages(pdf: Path) -> int:
    with pikepdf.open(pdf) as opened:
        return len(opened.pages)


@pytest.mark.libreoffice
def test_both_readers_find_the_same_phrases_on_every_kind_of_page(built: Path, verified,
                                                                  monkeypatch) -> None:
    # pdfplumber's readings of whole documents are those of the shared `verify --strict` run
    # (verified): each page is read with pdfplumber once per test run.
    seen: set[tuple[str, str, bool]] = set()
    letters: set[str] = set()
    done: set[tuple[str, str, bool]] = set()
    for folder, document, form in _documents(built, READ, monkeypatch):
        # One council's copy per case stands for the others: they differ only in the head.
        key = (folder.name, document.kind, bool(document.attachments))
        if key in done:
            continue
        done.add(key)
        pdf = folder / f"{document.file_stem}.pdf"
        margins = verify.body_margins(folder / f"{document.file_stem}.docx")
        pages = None  # a document read whole, or a council's own pages before the agreement
        if document.attachments:
            attachment = folder / f"{document.attachments[0].file_stem}.pdf"
            pages = _pages(pdf) - _pages(attachment)
        slow = plumber_reading(pdf, margins, pages)
        fast, replaced = with_pdfium(pdf, margins, pages)
        assert not replaced  # LibreOffice's /ActualText is for non-breaking spaces only
        # The same words (a table's cells may come in another order), hyphenation included.
        assert Counter(fast.text.split()) == Counter(slow.text.split()), pdf
        attached = pages is not None
        assert verify._check(document, form, pdf, fast.text, 0, attached) == []
        assert verify._check(document, form, pdf, slow.text, 0, attached) == []
        phrases = [p for ps in verify.required_phrases(document, form).values() for p in ps]
        assert phrases and all(p in fast.text and p in slow.text for p in phrases)
        # The archive checks (fonts of the Norwegian and Sami letters, unmapped glyphs) read
        # the same of either reader's characters.
        language = LANGUAGE_TAGS[document.language]
        for reading in (fast, slow):
            assert archive.check(pdf, language, document.title, pages, reading.chars) == []
        drawn = [{(c["text"], c["fontname"].split("+", 1)[-1]) for page in r.chars
                  for c in page if c["text"] in archive.LETTERS} for r in (fast, slow)]
        assert drawn[0] == drawn[1], pdf  # each letter with the same font, by either reader
        letters |= {letter for letter, _ in drawn[0]}
        seen.add((document.kind, document.language, attached))
    assert letters >= set("æøåáčđŋšŧž")
    assert {("samarbeidsavtale", "nb", False), ("tjenesteavtale", "nb", False),
            ("tjenesteavtale", "nn", False), ("saksframlegg", "nb", True),
            ("saksframlegg", "nn", True)} <= seen


def _update_manifest(pdf: Path) -> None:
    """The manifest made to agree with an edited PDF: only what verify reads can tell."""
    manifest = pdf.parent / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    for output in data["outputs"]:
        if output["path"] == pdf.name:
            output["sha256"] = sha256(pdf)
    manifest.write_text(json.dumps(data, indent=2), encoding="utf-8")


@pytest.mark.libreoffice
def test_actual_text_pdfium_reads_instead_of_the_headings_drawn_fails_verify(
        built: Path, tmp_path: Path) -> None:
    # Every heading of the agreement is drawn as it should be, but marked with an /ActualText
    # that says something else: pdfplumber reads the glyphs, pdfium (and screen readers) the
    # marks. Today's verify, reading with pdfplumber alone, passes it.
    project = tmp_path / "p"
    shutil.copytree(built, project)
    pdf = project / "build" / "roros-os-holtalen" / "samarbeidsavtale.pdf"
    with pikepdf.open(pdf, allow_overwriting_input=True) as opened:
        for page in opened.pages:
            ops = pikepdf.parse_content_stream(page)
            for operands, op in ops:
                if str(op) == "BDC" and operands[0] == pikepdf.Name("/H1"):
                    operands[1]["/ActualText"] = pikepdf.String("Noe annet")
            page.Contents = opened.make_stream(pikepdf.unparse_content_stream(ops))
        opened.save(pdf)
    _update_manifest(pdf)
    assert "Noe annet" in with_pdfium(pdf)[0].text
    assert "Noe annet" not in with_pdfplumber(pdf).text

    result = invoke("verify", "cases/roros-os-holtalen.yaml", cwd=project)
    assert result.returncode == 1, result.stdout
    assert "CHANGED" not in result.stderr and "Traceback" not in result.stderr
    assert "ok  " not in result.stdout
    lines = result.stderr.splitlines()
    assert lines[-1] == "1 document(s) failed verification"
    assert lines[:-1] and all(line.startswith(
        "MISSING  build/roros-os-holtalen/samarbeidsavtale.pdf: clause '") and
        f"not found by pdfium, though pdfplumber finds it: {DOUBT}" in line
        for line in lines[:-1]), result.stderr


def _append_update(pdf: Path, bodies: dict[int, bytes]) -> None:
    """An incremental update behind the PDF's bytes that gives objects new stream bodies."""
    data = pdf.read_bytes()
    prev = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data[-64:]).group(1))
    with pikepdf.open(pdf) as opened:
        trailer = opened.trailer
        head = (f"/Size {int(trailer.Size)} /Root {trailer.Root.objgen[0]} 0 R "
                f"/Info {trailer.Info.objgen[0]} 0 R /ID {trailer.ID.unparse().decode()}")
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    offsets = {}
    for number, body in sorted(bodies.items()):
        offsets[number] = len(out)
        out += (b"%d 0 obj\n<< /Length %d >>\nstream\n" % (number, len(body)) + body
                + b"\nendstream\nendobj\n")
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for number, offset in offsets.items():
        out += b"%d 1\n%010d 00000 n \n" % (number, offset)
    out += (f"trailer\n<< {head} /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n").encode()
    pdf.write_bytes(bytes(out))


def _pdf_string(text: str) -> bytes:
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


@pytest.mark.libreoffice
def test_a_council_page_whose_text_is_only_actual_text_is_read_by_both_and_fails(
        built: Path, tmp_path: Path, monkeypatch) -> None:
    # A council's own pages with every glyph taken away, and one glyph marked with an
    # /ActualText holding all the text pdfium read there before: the pages show nothing, but
    # pdfium alone would find every heading and phrase. Written as the build writes the
    # council's PDF: the agreement's bytes, then updates that touch only the council's pages.
    project = tmp_path / "p"
    shutil.copytree(built, project)
    out = project / "build" / REGION
    pdf = sorted(out.glob("saksframlegg-*.pdf"))[0]
    own = _pages(pdf) - _pages(out / "samarbeidsavtale.pdf")
    margins = verify.body_margins(pdf.with_suffix(".docx"))
    before = with_pdfium(pdf, margins, own)[0].text
    bodies: dict[int, bytes] = {}
    with pikepdf.open(pdf) as opened:
        for index in range(own):
            page = opened.pages[index]
            contents = page.obj.Contents
            streams = [contents] if isinstance(contents, pikepdf.Stream) else list(contents)
            for stream in streams:
                ops = [(operands, op) for operands, op in pikepdf.parse_content_stream(stream)
                       if str(op) not in ("TJ", "Tj", "'", '"')]
                bodies[stream.objgen[0]] = pikepdf.unparse_content_stream(ops)
            if index == 0:
                font = next(iter(page.Resources.Font.keys()))
                bodies[streams[-1].objgen[0]] += (
                    b"\n/Span << /ActualText " + _pdf_string(before) + b" >> BDC BT "
                    + font.encode() + b" 11 Tf 100 400 Td <03> Tj ET EMC\n")
    _append_update(pdf, bodies)
    _update_manifest(pdf)
    # pdfium alone would have passed it.
    alone = with_pdfium(pdf, margins, own)
    assert alone[1]  # the /ActualText is seen, so pdfplumber reads the pages as well
    [(document, form)] = [(d, form) for _, d, form in _documents(
        project, [f"{REGION}.yaml"], monkeypatch) if d.file_stem == pdf.stem]
    assert verify._check(document, form, pdf, alone[0].text, 0, True) == []
    drawn = with_pdfplumber(pdf, margins, own).text
    assert len(drawn) == 1  # the one glyph left
    assert verify._check(document, form, pdf, drawn, 0, True)

    result = invoke("verify", f"cases/{REGION}.yaml", cwd=project)
    assert result.returncode == 1, result.stdout
    assert "CHANGED" not in result.stderr and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if pdf.name in line]
    assert lines, result.stderr
    assert any(f"not found by pdfplumber, though pdfium finds it: {DOUBT}" in line
               for line in lines), result.stderr
    assert f"ok  build/{REGION}/{pdf.name}" not in result.stdout



@pytest.mark.libreoffice
def test_a_pdf_neither_reader_can_open_is_reported_not_a_traceback(built: Path,
                                                                   tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(built, project)
    pdf = project / "build" / "roros-os-holtalen" / "samarbeidsavtale.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + b"\x00 not a PDF body " * 64)
    _update_manifest(pdf)
    result = invoke("verify", "cases/roros-os-holtalen.yaml", cwd=project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith(
        "MISSING  build/roros-os-holtalen/samarbeidsavtale.pdf: cannot be read (")
    assert result.stderr.splitlines()[0].endswith(
        "; hint: samdok build cases/roros-os-holtalen.yaml")
