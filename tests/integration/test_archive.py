"""Final PDFs for the archive: PDF/A-2b, tags, language, title, fonts and letters, and the
signature page; built with real LibreOffice, read with pikepdf and pdfplumber."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from docx import Document as WordDocument

from generator.pdf import archive as pdfa
from generator.pdf.convert import find_soffice
from tests.helpers import FIXTURES, ROOT, invoke

pytestmark = pytest.mark.libreoffice

LETTERS_CASE = FIXTURES / "samiske-bokstaver.yaml"


def pdfs(folder: Path) -> list[Path]:
    return sorted(folder.glob("build/*/*.pdf"))


def test_every_example_pdf_is_pdfa_2b_tagged_with_language_title_and_embedded_fonts(
        built: Path) -> None:
    # Read with pikepdf directly, not through generator/pdfa.py, so the checker is checked too.
    found = pdfs(built)
    # every document built (one .docx each), and at least one per case
    assert len(found) == len(list(built.glob("build/*/*.docx")))
    assert len({pdf.parent for pdf in found}) == len(list((built / "cases").glob("*.yaml")))
    for pdf in found:
        props = WordDocument(str(pdf.with_suffix(".docx"))).core_properties
        with pikepdf.open(pdf) as doc:
            meta = doc.open_metadata(set_pikepdf_as_editor=False)
            assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "B"), pdf
            assert bool(doc.Root.MarkInfo.Marked) and "/StructTreeRoot" in doc.Root, pdf
            assert str(doc.Root.Lang) == props.language, pdf
            assert props.language == ("nn-NO" if "pp-teneste" in pdf.parent.name else "nb-NO")
            assert meta.get("dc:title") == str(doc.docinfo.Title) == props.title, pdf
            fonts = [obj for obj in doc.objects
                     if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font"
                     and obj.get("/Subtype") not in ("/Type0", "/Type3")]
            assert fonts, pdf
            for font in fonts:
                descriptor = font.FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), \
                    f"{pdf}: {font.BaseFont} is not embedded"


def test_verify_checks_the_archive_properties_of_every_pdf(built: Path, verified) -> None:
    result = verified  # `samdok verify --strict` in `built`
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("PDF/A-2b, tagged") == len(pdfs(built))
    # Checked directly as well, one PDF of each kind and language (verify checked them all;
    # this checks verify).
    kinds = {}
    for pdf in pdfs(built):
        props = WordDocument(str(pdf.with_suffix(".docx"))).core_properties
        kinds.setdefault((pdf.stem.split("-")[0], props.language), (pdf, props))
    for pdf, props in kinds.values():
        assert pdfa.check(pdf, props.language, props.title) == []


def test_a_plain_pdf_from_libreoffice_is_reported_as_not_pdfa(built: Path, tmp_path: Path) -> None:
    # The same Word file converted with plain `--convert-to pdf`: what a malformed option
    # string silently gives.
    project = tmp_path / "p"
    shutil.copytree(built, project)
    out = project / "build" / "roros-os-holtalen"
    plain = tmp_path / "plain"
    subprocess.run([find_soffice(), "--headless", "--norestore",
                    f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(plain),
                    str(out / "samarbeidsavtale.docx")], check=True, capture_output=True,
                   timeout=180)
    failures = pdfa.check(plain / "samarbeidsavtale.pdf", "nb-NO",
                          "Samarbeidsavtale mellom Røros, Os og Holtålen")
    assert {f.property for f in failures} >= {"PDF/A", "tags"}
    assert any(f.message.startswith("not PDF/A") for f in failures)

    shutil.copy(plain / "samarbeidsavtale.pdf", out / "samarbeidsavtale.pdf")
    result = invoke("verify", "cases/roros-os-holtalen.yaml", cwd=project)
    assert result.returncode == 1
    assert "build/roros-os-holtalen/samarbeidsavtale.pdf: PDF/A: not PDF/A" in result.stderr
    assert "samarbeidsavtale.pdf: tags: not tagged" in result.stderr
    assert "Traceback" not in result.stderr


def template_fonts() -> set[str]:
    """The font names the standard template's styles give."""
    with zipfile.ZipFile(ROOT / "templates" / "samarbeidsavtale.docx") as docx:
        styles = docx.read("word/styles.xml").decode("utf-8")
    return set(re.findall(r'w:ascii="([^"]+)"', styles))


def test_the_template_fonts_cover_norwegian_and_sami_letters() -> None:
    charset = " ".join(f"{ord(c):x}" for c in pdfa.LETTERS)
    fonts = template_fonts()
    assert fonts == {"Carlito"}
    for font in fonts:
        # fontconfig lists the font's styles only if each covers every letter asked for.
        listed = subprocess.run(["fc-list", f":family={font}:charset={charset}", "style"],
                                capture_output=True, text=True, check=True).stdout
        assert "Regular" in listed and "Bold" in listed, (font, listed)


def test_every_norwegian_and_sami_letter_is_drawn_with_the_template_font(built: Path) -> None:
    pdf = built / "build" / "samiske-bokstaver" / "samarbeidsavtale.pdf"
    drawn: dict[str, set[str]] = {}
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            for char in page.chars:
                if char["text"] in pdfa.LETTERS:
                    drawn.setdefault(char["text"], set()).add(char["fontname"].split("+")[-1])
    assert set(drawn) == set(pdfa.LETTERS)
    for letter, fonts in drawn.items():
        assert fonts <= {"Carlito", "Carlito-Bold"}, (letter, fonts)
    assert {"Carlito", "Carlito-Bold"} <= set().union(*drawn.values())


def test_a_letter_drawn_with_a_substitute_font_fails_verification(built: Path,
                                                                  tmp_path: Path) -> None:
    # A project template naming OpenSymbol (installed with LibreOffice), which has no plain
    # letters but has š and ž: LibreOffice draws the text with another font, and š and ž
    # with OpenSymbol, so they no longer match the text around them.
    project = tmp_path / "p"
    (project / "cases").mkdir(parents=True)
    shutil.copy(LETTERS_CASE, project / "cases")
    shutil.copytree(ROOT / "templates", project / "templates")
    docx = project / "templates" / "samarbeidsavtale.docx"
    original = docx.read_bytes()
    docx.unlink()
    source = tmp_path / "original.docx"
    source.write_bytes(original)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/styles.xml":
                data = data.replace(b'"Carlito"', b'"OpenSymbol"')
            zout.writestr(item, data)
    assert invoke("build", cwd=project).returncode == 0
    result = invoke("verify", cwd=project)
    assert result.returncode == 1
    assert "samarbeidsavtale.pdf: letters: 'š' on page 1 is drawn with" in result.stderr
    assert "OpenSymbol" in result.stderr


def page_texts(pdf: Path) -> list[str]:
    with pdfplumber.open(pdf) as doc:
        return [page.extract_text() or "" for page in doc.pages]


def test_the_agreement_ends_with_a_signature_page_with_one_block_per_party(built: Path) -> None:
    pages = page_texts(built / "build" / "roros-os-holtalen" / "samarbeidsavtale.pdf")
    last = pages[-1].splitlines()
    # The header line, then the heading: the signature page starts on a page of its own.
    assert last[1] == "Underskrifter"
    assert "Underskrifter" not in "".join(pages[:-1])
    # The example states no signing and no signatories (its source has none): each party's
    # block has lines for place and date, signature, and name and title.
    assert last[2] == "For Røros kommune"
    text = "\n".join(last)
    for party in ("Røros", "Os", "Holtålen"):
        block = text[text.index(f"For {party} kommune"):].splitlines()
        assert block[1].startswith("Sted: ___") and " Dato: ___" in block[1]
        assert block[2].startswith("Underskrift: ___")
        assert block[3].startswith("Navn og tittel: ___")


def test_a_party_without_a_named_representative_gets_a_line_for_name_and_title(
        built: Path) -> None:
    pages = page_texts(built / "build" / "form-rammeavtale" / "samarbeidsavtale.pdf")
    assert pages[-1].splitlines()[1] == "Underskrifter"
    assert pages[-1].count("Navn og tittel: ___") == pages[-1].count("Underskrift: ___") >= 2
