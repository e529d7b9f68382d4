"""Drafts under git: byte-identical builds, the draft stamp and watermark, --final, manifest."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from generator.base import gitinfo
from tests.helpers import CASE, COMMIT_DATE, git, invoke, make_repo


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def footer_text(docx: Path) -> str:
    with zipfile.ZipFile(docx) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if "footer" in n)


def header_xml(docx: Path) -> str:
    with zipfile.ZipFile(docx) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if "header" in n)


def watermark_shapes(pdf: Path) -> list[int]:
    """Filled outlines per page in the middle of the page: the watermark's letters (the
    fontwork is drawn as outlines, not as text)."""
    counts = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            middle = [c for c in page.curves
                      if c["fill"] and page.height * 0.25 < c["top"] < page.height * 0.75]
            counts.append(len(middle))
    return counts


def test_short_commit_and_dirty_state_from_real_git(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    case = repo / CASE
    found = gitinfo.state(case)
    assert found.commit == git(repo, "log", "-1", "--format=%h")
    assert not found.dirty
    assert found.commit_time == int(dt.datetime.fromisoformat(COMMIT_DATE).timestamp())
    case.write_text(case.read_text(encoding="utf-8") + "\n# endret\n", encoding="utf-8")
    assert gitinfo.state(case).dirty
    assert gitinfo.changes(case) == [f"M {CASE}"]
    (repo / "templates" / "ny.txt").write_text("x", encoding="utf-8")
    assert gitinfo.changes(repo / "templates") == ["?? templates/ny.txt"]
    assert gitinfo.show(case, "HEAD", CASE, 10**6).decode().endswith(
        "utelat: [endringer, tvister]\n")
    assert gitinfo.state(tmp_path.parent / "elsewhere.yaml").commit is None


@pytest.mark.libreoffice
def test_building_twice_gives_identical_files(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "p")
    first = invoke("build", "-o", "one", cwd=repo)
    assert first.returncode == 0, first.stderr
    second = invoke("build", "-o", "two", cwd=repo)
    assert second.returncode == 0, second.stderr
    one, two = repo / "one" / "roros-os-holtalen", repo / "two" / "roros-os-holtalen"
    names = sorted(p.name for p in one.iterdir())
    assert names == ["manifest.json", "samarbeidsavtale.docx", "samarbeidsavtale.pdf"]
    for name in names:
        assert sha256(one / name) == sha256(two / name), name

    # The fixed date is the case's commit time, in the zip, the core properties and the PDF.
    with zipfile.ZipFile(one / "samarbeidsavtale.docx") as z:
        assert {info.date_time for info in z.infolist()} == {(2026, 11, 23, 9, 0, 0)}
        assert b"2026-11-23T09:00:00Z</dcterms:created>" in z.read("docProps/core.xml")
    with pikepdf.open(one / "samarbeidsavtale.pdf") as pdf:
        assert str(pdf.docinfo["/CreationDate"]) == "D:20261123090000Z"
        meta = pdf.open_metadata()
        assert meta["xmp:CreateDate"] == "2026-11-23T09:00:00Z"
        # The PDF/A-2b claims and the tagging survive the rewrite.
        assert meta["pdfaid:part"] == "2"
        assert meta["pdfaid:conformance"] == "B"
        assert pdf.Root.MarkInfo.Marked
        assert str(pdf.Root.Lang) == "nb-NO"
        assert pdf.trailer.ID[0] == pdf.trailer.ID[1]


@pytest.mark.libreoffice
def test_source_date_epoch_sets_the_date_and_the_manifest_lists_everything(
        tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "p")
    epoch = int(dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC).timestamp())
    result = invoke("build", cwd=repo, env={"SOURCE_DATE_EPOCH": str(epoch)})
    assert result.returncode == 0, result.stderr
    out = repo / "build" / "roros-os-holtalen"
    assert "wrote build/roros-os-holtalen/manifest.json" in result.stdout
    with pikepdf.open(out / "samarbeidsavtale.pdf") as pdf:
        assert str(pdf.docinfo["/CreationDate"]) == "D:20270301120000Z"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["date"] == "2027-03-01T12:00:00Z"
    assert manifest["git"] == {"case_commit": git(repo, "log", "-1", "--format=%h"),
                               "uncommitted_changes": False,
                               "head": git(repo, "rev-parse", "HEAD")}
    assert manifest["samdok"]
    inputs = {i["path"]: i["sha256"] for i in manifest["inputs"]}
    assert inputs[CASE] == sha256(repo / CASE)
    assert inputs["templates/samarbeidsavtale.docx"] == sha256(
        repo / "templates" / "samarbeidsavtale.docx")
    assert "templates/klausuler/samarbeidsavtale.nb.yaml" in inputs
    assert "generator/data/kommuner.csv" in inputs
    outputs = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    assert outputs == {name: sha256(out / name)
                       for name in ("samarbeidsavtale.docx", "samarbeidsavtale.pdf")}


@pytest.mark.libreoffice
def test_draft_carries_stamp_and_watermark_on_every_page(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "p")
    commit = git(repo, "log", "-1", "--format=%h")
    assert invoke("build", cwd=repo).returncode == 0
    out = repo / "build" / "roros-os-holtalen"
    stamp = f"Utkast 1 · 23.11.2026 · {commit}"
    assert stamp in footer_text(out / "samarbeidsavtale.docx")
    assert "PowerPlusWaterMarkObject" in header_xml(out / "samarbeidsavtale.docx")
    assert 'string="UTKAST"' in header_xml(out / "samarbeidsavtale.docx")
    with pdfplumber.open(out / "samarbeidsavtale.pdf") as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    assert len(pages) >= 2
    assert all(stamp in page for page in pages)
    # The watermark is drawn, not written: it is on every page, and no "UTKAST" enters the
    # text the verifier reads.
    assert all(count >= 6 for count in watermark_shapes(out / "samarbeidsavtale.pdf"))
    assert not any("UTKAST" in page for page in pages)
    verified = invoke("verify", cwd=repo)
    assert verified.returncode == 0, verified.stderr

    # An edit not yet committed: the stamp says so instead of naming a commit.
    case = repo / CASE
    case.write_text(case.read_text(encoding="utf-8").replace("utkast: 1", "utkast: 2"),
                    encoding="utf-8")
    assert invoke("build", cwd=repo).returncode == 0
    assert ("Utkast 2 · 23.11.2026 · ikke innsjekkede endringer"
            in footer_text(out / "samarbeidsavtale.docx"))


@pytest.mark.parametrize(
    ("status", "edit", "message"),
    [("endelig", "case", f"uncommitted changes: M {CASE}"),
     ("endelig", "template", "uncommitted changes: M templates/klausuler/samarbeidsavtale.nb.yaml"),
     ("utkast", None, "the case is not marked final (status: utkast)")],
    ids=["dirty-case", "dirty-template", "not-final"],
)
def test_final_build_refuses_and_writes_nothing(tmp_path: Path, status, edit, message) -> None:
    repo = make_repo(tmp_path / "p", status=status)
    if edit == "case":
        case = repo / CASE
        case.write_text(case.read_text(encoding="utf-8") + "\n# endret\n", encoding="utf-8")
    elif edit == "template":
        library = repo / "templates" / "klausuler" / "samarbeidsavtale.nb.yaml"
        library.write_text(library.read_text(encoding="utf-8") + "\n# ny\n", encoding="utf-8")
    result = invoke("build", "--final", cwd=repo)
    assert result.returncode == 1
    assert message in result.stderr
    assert "hint:" in result.stderr
    assert "nothing was built" in result.stderr
    assert not (repo / "build").exists()


@pytest.mark.libreoffice
def test_final_build_of_a_committed_final_case_has_no_stamp_or_watermark(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "p", status="endelig")
    result = invoke("build", "--final", cwd=repo)
    assert result.returncode == 0, result.stderr
    out = repo / "build" / "roros-os-holtalen"
    assert "Utkast" not in footer_text(out / "samarbeidsavtale.docx")
    assert "PowerPlusWaterMarkObject" not in header_xml(out / "samarbeidsavtale.docx")
    assert set(watermark_shapes(out / "samarbeidsavtale.pdf")) == {0}
    with pdfplumber.open(out / "samarbeidsavtale.pdf") as pdf:
        assert not any("Utkast" in (page.extract_text() or "") for page in pdf.pages)
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["final"] is True
