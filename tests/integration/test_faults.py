"""Hard input and failing surroundings: long texts, many areas, special characters, an output
folder that cannot be written, and nothing run through a shell."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from docx import Document as WordDocument

from generator.pdf.verify import body_margins
from tests.helpers import FIXTURES, ROOT, invoke, keeping_readings, plumber_reading

MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")


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
    result = invoke("build", "--strict", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "build" / "hard"
    word = WordDocument(str(out / "samarbeidsavtale.docx"))
    paragraphs = [p.text for p in word.paragraphs]
    assert 'Lønn & regnskap <felles> for A/S "Kommune"' in paragraphs
    assert "Tegn: & < > \" ' §" in paragraphs
    with keeping_readings():  # what verify reads of the PDF is read here too
        verify = invoke("verify", "--strict", cwd=tmp_path)
    assert verify.returncode == 0, verify.stderr
    pdf = plumber_reading(out / "samarbeidsavtale.pdf",
                          body_margins(out / "samarbeidsavtale.docx")).text
    assert "Tegn: & < > \" ' §" in pdf
    assert "ccc. Område nummer 300" in pdf  # roman numeral 300
    assert pdf.count("Kommunene skal samarbeide om felles tjenester.") == 400


def test_an_output_folder_that_cannot_be_written(tmp_path: Path) -> None:
    # A file where the output folder should be: nothing can be created inside it (this holds
    # for root as well, unlike file permissions).
    (tmp_path / "cases").mkdir()
    shutil.copy(FIXTURES / "minimal.yaml", tmp_path / "cases" / "minimal.yaml")
    blocker = tmp_path / "ut"
    blocker.write_text("not a folder", encoding="utf-8")
    result = invoke("build", "-o", "ut", cwd=tmp_path)
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


@pytest.mark.libreoffice
def test_a_second_build_at_once_and_an_interrupted_build_lose_nothing(tmp_path: Path) -> None:
    import os
    import signal
    import stat
    import subprocess
    import sys
    import time

    (tmp_path / "cases").mkdir()
    shutil.copy(FIXTURES / "minimal.yaml", tmp_path / "cases" / "minimal.yaml")
    assert invoke("build", cwd=tmp_path).returncode == 0  # real LibreOffice
    before = {p: p.read_bytes() for p in (tmp_path / "build").rglob("*") if p.is_file()}
    # An edit, so the next builds have work to do; their LibreOffice stand-in hangs.
    case = tmp_path / "cases" / "minimal.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("6}", "9}"), encoding="utf-8")
    hang = tmp_path / "hanging-soffice"
    hang.write_text("#!/bin/sh\nsleep 60\n", encoding="utf-8")
    hang.chmod(hang.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "SAMDOK_SOFFICE": str(hang), "SAMDOK_CONVERT_TIMEOUT": "120"}
    first = subprocess.Popen([sys.executable, "-m", "generator", "build"], cwd=tmp_path, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not list((tmp_path / "build").glob(".samdok-*/*.docx")):
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.2)
        second = invoke("build", cwd=tmp_path, env=env)
        assert second.returncode == 3
        assert "another samdok build is writing to this folder" in second.stderr
        assert "hint:" in second.stderr and "Traceback" not in second.stderr
        first.send_signal(signal.SIGINT)  # Ctrl-C
        out, err = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    after = {p: p.read_bytes() for p in (tmp_path / "build").rglob("*") if p.is_file()}
    assert {p: b for p, b in after.items() if p.name != ".samdok.lock"} == {
        p: b for p, b in before.items() if p.name != ".samdok.lock"}
    assert not list((tmp_path / "build").glob(".samdok-*"))
    running = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(hang).encode() in cmdline.read_bytes():
                running.append(cmdline.parent.name)
        except OSError:
            pass  # the process ended while we looked
    assert running == [], "a LibreOffice stand-in was left running"
