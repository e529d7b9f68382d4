"""The example with a complete decision history goes from draft to final in git, with the
adoption record in the agreement and the notice to statsforvalteren (issue 20): real
LibreOffice, real git, the PDFs read back with pdfplumber."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import ROOT, git, invoke, legevakt, pages, write_case

pytestmark = pytest.mark.libreoffice

STANGE_PENDING = ["{utvalg: Formannskapet, møtedato: 2026-09-08, saksnr: 70/26, vedtak: vedtatt}",
                  "{utvalg: Kommunestyret, møtedato: 2099-12-15, saksnr: 90/26}"]


def _repo(folder: Path, text: str) -> Path:
    write_case(folder, "cases/legevakt.yaml", text)
    shutil.copytree(ROOT / "templates", folder / "templates",
                    ignore=shutil.ignore_patterns("__pycache__"))
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "Vedtatt i alle kommunestyrene")
    return folder


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_final_build_carries_the_adoption_record_and_the_notice(tmp_path: Path,
                                                                language: str) -> None:
    repo = tmp_path / "p"
    waiting = legevakt(Stange=STANGE_PENDING).replace("språk: nb", f"språk: {language}")
    _repo(repo, waiting)
    # Step 1: one council still to meet: status says so, and --final refuses.
    assert "Stange kommune  pending" in invoke("status", cwd=repo).stdout
    refused = invoke("build", "--final", cwd=repo)
    assert refused.returncode == 1 and "Stange kommune has not decided yet" in refused.stderr
    # Step 2: every council adopted (the example as it is): final build and strict verify.
    write_case(repo, "cases/legevakt.yaml",
               legevakt().replace("språk: nb", f"språk: {language}"))
    git(repo, "commit", "-q", "-am", "Stange vedtok avtalen")
    assert "in force: not yet, from 2027-01-01" in invoke("status", cwd=repo).stdout
    result = invoke("build", "--final", cwd=repo)
    assert result.returncode == 0, result.stderr
    verified = invoke("verify", "--strict", cwd=repo)
    assert verified.returncode == 0, verified.stderr
    assert "ok  build/legevakt-hamar-loten-stange/melding-statsforvalteren.pdf" \
        in verified.stdout

    folder = repo / "build" / "legevakt-hamar-loten-stange"
    agreement = " ".join(pages(folder / "samarbeidsavtale.pdf"))
    heading = "Vedtak i kommunestyrene" if language == "nb" else "Vedtak i kommunestyra"
    assert f"13. {heading}" in agreement
    for line in ("Kommunestyret i Hamar kommune vedtok avtalen 16. september 2026, sak 88/26 "
                 "(arkivsak 2026/802).",
                 "Kommunestyret i Stange kommune vedtok avtalen 20. oktober 2026, sak 84/26 "
                 "(arkivsak 26/1290)."):
        assert line in agreement
    assert "UTKAST" not in agreement  # final: no watermark

    letter = " ".join(pages(folder / "melding-statsforvalteren.pdf"))
    office = "Statsforvalteren" if language == "nb" else "Statsforvaltaren"
    law = "kommuneloven" if language == "nb" else "kommunelova"
    assert f"Til: {office} i Innlandet" in letter
    assert f"jf. {law} § 20-4 femte ledd" in letter
    for party in ("Hamar kommune (kommunenummer 3403)", "Løten kommune (kommunenummer 3412)",
                  "Stange kommune (kommunenummer 3413)"):
        assert party in letter
    assert "Legevakt etter helse- og omsorgstjenesteloven § 3-5" in letter
    assert "Kommunestyret i Løten kommune vedtok avtalen 17. september 2026, sak 52/26" \
        in letter
