"""Hard input and failing surroundings: long texts, many areas, special characters, an output
folder that cannot be written, and nothing run through a shell."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pdfplumber
import pytest
from docx import Document as WordDocument

from tests.conftest import FIXTURES, ROOT, run_samdok

MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")


def pdf_text(pdf: Path) -> str:
    with pdfplumber.open(pdf) as doc:
        return " ".join(" ".join((p.extract_text() or "").split()) for p in doc.pages)


@pytest.mark.libreoffice
def test_long_texts_many_areas_and_special_characters_build(tmp_path: Path) -> None:
    long_purpose = " ".join(["Kommunene skal samarbeide om felles tjenester."] * 400)
    areas = "".join(f"      - Område nummer {i}\n" for i in range(1, 301))
    text = (MINIMAL.replace("id: minimal", "id: hard")
            .replace("tittel: Samarbeidsavtale om felles lønningskontor",
                     'tittel: "Lønn & regnskap <felles> for A/S \\"Kommune\\""')
            .replace("formål: Kommunene skal ha et felles lønningskontor med Lillehammer som "
                     "vertskommune.", f"formål: |\n  {long_purpose}\n\n  Tegn: & < > \" ' §")
            + "samarbeidsområder:\n  - gruppe: Mange områder\n    områder:\n" + areas)
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "hard.yaml").write_text(text, encoding="utf-8")
    result = run_samdok("build", "--strict", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "build" / "hard"
    word = WordDocument(str(out / "samarbeidsavtale.docx"))
    paragraphs = [p.text for p in word.paragraphs]
    assert 'Lønn & regnskap <felles> for A/S "Kommune"' in paragraphs
    assert "Tegn: & < > \" ' §" in paragraphs
    pdf = pdf_text(out / "samarbeidsavtale.pdf")
    assert "Tegn: & < > \" ' §" in pdf
    assert "ccc. Område nummer 300" in pdf  # roman numeral 300
    assert pdf.count("Kommunene skal samarbeide om felles tjenester.") == 400
    verify = run_samdok("verify", "--strict", cwd=tmp_path)
    assert verify.returncode == 0, verify.stderr


def test_an_output_folder_that_cannot_be_written(tmp_path: Path) -> None:
    # A file where the output folder should be: nothing can be created inside it (this holds
    # for root as well, unlike file permissions).
    (tmp_path / "cases").mkdir()
    shutil.copy(FIXTURES / "minimal.yaml", tmp_path / "cases" / "minimal.yaml")
    blocker = tmp_path / "ut"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run_samdok("build", "-o", "ut", cwd=tmp_path)
    assert result.returncode == 3
    assert "ut" in result.stderr and "cannot write the output folder" in result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.stderr
    assert hashlib.sha256(blocker.read_bytes()).hexdigest() == hashlib.sha256(
        b"not a folder").hexdigest()


def test_no_shell_is_ever_started() -> None:
    # External programs (LibreOffice, git, pandoc) get argument lists, never a shell line
    # built from user data.
    for path in sorted((ROOT / "generator").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"shell\s*=\s*True|os\.system\(|os\.popen\(", source), path
