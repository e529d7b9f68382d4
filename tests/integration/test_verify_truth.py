"""verify tells the whole truth: outdated or touched outputs fail, an unbuilt case reads
clearly, and an attached agreement is read once per build, not once per council."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.pdf import verify as verifying
from tests.helpers import EXAMPLES, git, invoke, make_repo

ROROS = "cases/roros-os-holtalen.yaml"
REGION = "cases/lillehammerregionen-3-1.yaml"


def _copy(built: Path, tmp_path: Path) -> Path:
    """The session's built project, copied (times kept) so that it can be changed."""
    project = tmp_path / "p"
    shutil.copytree(built, project)
    return project


def _verify(project: Path, monkeypatch, *args: str, env: dict | None = None):
    monkeypatch.chdir(project)
    return CliRunner().invoke(main, ["verify", *args], env=env)


@pytest.mark.libreoffice
def test_a_case_edited_after_the_build_fails_naming_the_change_and_the_command(
        built: Path, tmp_path: Path, monkeypatch) -> None:
    project = _copy(built, tmp_path)
    assert _verify(project, monkeypatch, ROROS).exit_code == 0
    # An edit none of the phrases verify looks for covers: the PDF still has them all.
    case = project / ROROS
    case.write_text(case.read_text(encoding="utf-8").replace(
        "Avtalen er samarbeidskommunenes alternativ til å slå seg sammen.",
        "Avtalen er ikke et alternativ til å slå seg sammen."), encoding="utf-8")
    result = _verify(project, monkeypatch, ROROS)
    assert result.exit_code == 1, result.output
    assert ("STALE    build/roros-os-holtalen/: built from other inputs than there are now: "
            "the case file cases/roros-os-holtalen.yaml changed; "
            "hint: samdok build cases/roros-os-holtalen.yaml") in result.stderr
    assert "ok  " not in result.stdout
    assert "1 document(s) failed verification" in result.stderr


@pytest.mark.libreoffice
def test_changed_dates_or_clause_texts_make_the_documents_stale(built: Path, tmp_path: Path,
                                                                monkeypatch) -> None:
    project = _copy(built, tmp_path)
    result = _verify(project, monkeypatch, ROROS, env={"SOURCE_DATE_EPOCH": "1800000000"})
    assert result.exit_code == 1
    assert "SOURCE_DATE_EPOCH changed (the documents' dates come from it): unset → " \
           "1800000000" in result.stderr

    # The project's own templates, their clause library changed.
    shutil.copytree(EXAMPLES.parent / "templates", project / "templates",
                    ignore=shutil.ignore_patterns("__pycache__"))
    assert _verify(project, monkeypatch, ROROS).exit_code == 0  # the same bytes: current
    library = project / "templates" / "klausuler" / "samarbeidsavtale.nb.yaml"
    text = library.read_text(encoding="utf-8")
    library.write_text(text + "# endret\n", encoding="utf-8")
    result = _verify(project, monkeypatch, ROROS)
    assert result.exit_code == 1
    assert ("the templates changed (the Word templates or the clause texts): "
            "templates/klausuler/samarbeidsavtale.nb.yaml; "
            "hint: samdok build cases/roros-os-holtalen.yaml") in result.stderr


@pytest.mark.libreoffice
def test_a_pdf_or_word_file_changed_after_the_build_is_reported(built: Path, tmp_path: Path,
                                                                monkeypatch) -> None:
    project = _copy(built, tmp_path)
    out = project / "build" / "roros-os-holtalen"
    with (out / "samarbeidsavtale.pdf").open("ab") as pdf:
        pdf.write(b"% edited in another program\n")  # still a valid PDF, every clause there
    docx = out / "samarbeidsavtale.docx"
    with zipfile.ZipFile(docx) as zin:
        parts = [(item, zin.read(item)) for item in zin.infolist()]
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_STORED) as zout:  # saved again, same text
        for item, data in parts:
            zout.writestr(item.filename, data)
    result = _verify(project, monkeypatch, ROROS)
    assert result.exit_code == 1, result.output
    for name in ("samarbeidsavtale.pdf", "samarbeidsavtale.docx"):
        assert (f"CHANGED  build/roros-os-holtalen/{name}: changed after the build (its "
                "SHA-256 is not the one manifest.json records); hint: samdok build --force "
                "cases/roros-os-holtalen.yaml") in result.stderr
    assert "ok  " not in result.stdout


def test_an_unbuilt_case_says_which_file_is_missing_and_what_to_run(project: Path,
                                                                   monkeypatch) -> None:
    result = _verify(project, monkeypatch, ROROS, "-o", "ut")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "MISSING  ut/roros-os-holtalen/samarbeidsavtale.pdf: not built yet; "
        "hint: samdok build cases/roros-os-holtalen.yaml -o ut")
    assert "clause '-'" not in result.stderr


def test_a_manifest_that_does_not_say_what_was_built_from_is_not_trusted(
        project: Path, monkeypatch) -> None:
    folder = project / "build" / "roros-os-holtalen"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"samdok": "0.1.0"}), encoding="utf-8")
    result = _verify(project, monkeypatch, ROROS)
    assert result.exit_code == 1
    assert "STALE    build/roros-os-holtalen/: cannot tell what these documents were built " \
           "from: build/roros-os-holtalen/manifest.json does not say what they were built " \
           "from (an earlier samdok wrote it); hint: samdok build " \
           "cases/roros-os-holtalen.yaml" in result.stderr


@pytest.mark.libreoffice
def test_the_attached_agreement_is_read_once_and_each_council_only_for_its_own_pages(
        built: Path, tmp_path: Path, monkeypatch) -> None:
    project = _copy(built, tmp_path)
    out = project / "build" / "lillehammerregionen-3-1"
    reads: list[tuple[str, int | None]] = []
    real = verifying.read_pdf

    def counted(pdf, margins=verifying.DEFAULT_MARGINS, pages=None):
        reads.append((pdf.name, pages))
        return real(pdf, margins, pages)

    monkeypatch.setattr(verifying, "read_pdf", counted)
    result = _verify(project, monkeypatch, REGION)
    assert result.exit_code == 0, result.output
    councils = sorted(out.glob("saksframlegg-*.pdf"))
    assert len(councils) >= 2
    agreement = len(pikepdf.open(out / "samarbeidsavtale.pdf").pages)
    expected = [("samarbeidsavtale.pdf", None)] + [
        (pdf.name, len(pikepdf.open(pdf).pages) - agreement) for pdf in councils]
    assert sorted(reads) == sorted(expected)
    assert all(0 < pages < agreement for name, pages in reads if name != "samarbeidsavtale.pdf")


@pytest.mark.libreoffice
def test_a_council_pdf_whose_attachment_is_not_the_agreement_fails(built: Path, tmp_path: Path,
                                                                    monkeypatch) -> None:
    # The agreement rebuilt alone (another date): every council's PDF still carries the old.
    project = _copy(built, tmp_path)
    out = project / "build" / "lillehammerregionen-3-1"
    agreement = out / "samarbeidsavtale.pdf"
    with pikepdf.open(agreement, allow_overwriting_input=True) as pdf:
        pdf.docinfo["/Subject"] = "endret"
        pdf.save(agreement)
    result = _verify(project, monkeypatch, REGION)
    assert result.exit_code == 1
    council = sorted(out.glob("saksframlegg-*.pdf"))[0]
    assert (f"MISSING  build/lillehammerregionen-3-1/{council.name}: does not begin with "
            "samarbeidsavtale.pdf byte for byte") in result.stderr


@pytest.mark.libreoffice
def test_verify_passes_after_a_final_build_an_up_to_date_build_and_an_unrelated_commit(
        tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "p", status="endelig")
    assert invoke("build", "--final", cwd=repo).returncode == 0
    verified = invoke("verify", "--strict", cwd=repo)
    assert verified.returncode == 0, verified.stderr
    assert "up to date" in invoke("build", "--final", cwd=repo).stdout
    (repo / "NOTES.md").write_text("notat\n", encoding="utf-8")
    git(repo, "add", "NOTES.md")
    git(repo, "commit", "-q", "-m", "notat")  # HEAD moves; the case's commit does not
    verified = invoke("verify", cwd=repo)
    assert verified.returncode == 0, verified.stderr

    # Committing an edit to the case makes the final documents outdated, and says how.
    case = repo / "cases" / "roros-os-holtalen.yaml"
    case.write_text(case.read_text(encoding="utf-8") + "# merknad\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "merknad")
    stale = invoke("verify", cwd=repo)
    assert stale.returncode == 1
    assert "the case file cases/roros-os-holtalen.yaml changed; the case file's git state " \
           "changed" in stale.stderr
    assert "hint: samdok build --final cases/roros-os-holtalen.yaml" in stale.stderr


@pytest.mark.libreoffice
def test_verify_needs_no_libreoffice_and_another_one_does_not_make_documents_stale(
        built: Path, tmp_path: Path, monkeypatch) -> None:
    """A clerk may verify where no LibreOffice is installed: what the documents say comes from
    the case, the templates and samdok, and the PDF is read back either way."""
    project = _copy(built, tmp_path)
    result = _verify(project, monkeypatch, ROROS, env={"SAMDOK_SOFFICE": "/nonexistent/soffice",
                                                      "PATH": "/usr/bin:/bin"})
    assert result.exit_code == 0, result.output
    assert "STALE" not in result.output
