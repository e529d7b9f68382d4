"""A notice to statsforvalteren the case no longer makes does not outlive the build that stops
making it, and verify fails on one left in the folder: real LibreOffice, real git, two builds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import ROOT, git, invoke, legevakt, write_case

pytestmark = pytest.mark.libreoffice

CASE = "cases/legevakt.yaml"
FOLDER = "build/legevakt-hamar-loten-stange"
NOTICE = "melding-statsforvalteren"
STANGE_PENDING = ["{utvalg: Formannskapet, møtedato: 2026-09-08, saksnr: 70/26, vedtak: vedtatt}",
                  "{utvalg: Kommunestyret, møtedato: 2099-12-15, saksnr: 90/26}"]


def test_the_notice_goes_when_a_council_is_pending_again_and_verify_fails_on_one_left(
        tmp_path: Path) -> None:
    repo = tmp_path / "p"
    write_case(repo, CASE, legevakt())
    shutil.copytree(ROOT / "templates", repo / "templates",
                    ignore=shutil.ignore_patterns("__pycache__"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Vedtatt i alle kommunestyrene")
    folder = repo / FOLDER

    # Build 1: every council adopted, the final build writes the notice.
    built = invoke("build", "--final", cwd=repo)
    assert built.returncode == 0, built.stderr
    assert (folder / f"{NOTICE}.pdf").is_file() and (folder / f"{NOTICE}.docx").is_file()
    old_notice = (folder / f"{NOTICE}.pdf").read_bytes()
    # Files samdok did not write: a clerk's copy of the notice and a link to a file outside.
    (folder / "kopi.pdf").write_bytes(old_notice)
    outside = tmp_path / "outside.docx"
    outside.write_text("not samdok's")
    (folder / "lenke.docx").symlink_to(outside)

    # Build 2: Stange is pending again; the notice is not made, and the old one is gone.
    write_case(repo, CASE, legevakt(Stange=STANGE_PENDING))
    git(repo, "commit", "-q", "-am", "Stange har ikke vedtatt likevel")
    built = invoke("build", cwd=repo)
    assert built.returncode == 0, built.stderr
    assert "the notice is not built yet" in built.stderr
    assert not (folder / f"{NOTICE}.pdf").exists()
    assert not (folder / f"{NOTICE}.docx").exists()
    # What samdok did not write is left as it is, the link and its target too.
    assert (folder / "kopi.pdf").read_bytes() == old_notice
    assert (folder / "lenke.docx").is_symlink() and outside.read_text() == "not samdok's"
    assert "up to date" in invoke("build", cwd=repo).stdout  # no third build

    # verify names each document the last build did not make, and fails.
    verified = invoke("verify", cwd=repo)
    assert verified.returncode == 1
    assert (f"LEFTOVER {FOLDER}/kopi.pdf: not made by the last build of the case"
            in verified.stderr)
    assert f"LEFTOVER {FOLDER}/lenke.docx: not made by the last build" in verified.stderr
    (folder / "kopi.pdf").unlink()
    (folder / "lenke.docx").unlink()
    assert invoke("verify", cwd=repo).returncode == 0

    # The old notice put back (as an earlier samdok left it): verify fails, saying so.
    (folder / f"{NOTICE}.pdf").write_bytes(old_notice)
    verified = invoke("verify", cwd=repo)
    assert verified.returncode == 1
    assert (f"LEFTOVER {FOLDER}/{NOTICE}.pdf: not made by the last build of the case "
            "(manifest.json does not list it); hint: remove it") in verified.stderr
