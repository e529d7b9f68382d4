"""Outputs a case no longer makes: the build removes samdok's own with its commit (or keeps
everything when the commit fails), the up-to-date check sees the shrunk set, and verify's
view of a folder finds what the manifest does not list. No LibreOffice."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from generator.build import freshness, leftovers, pipeline
from generator.build.state import BuildState
from tests.helpers import ROOT, write_case

NOTICE = "melding-statsforvalteren"


def _built(folder: Path, names: list[str]) -> None:
    """A case folder as a build leaves it: the files, and a manifest listing their hashes."""
    folder.mkdir(parents=True, exist_ok=True)
    outputs = []
    for name in names:
        (folder / name).write_text(f"samdok made {name}")
        outputs.append({"path": name,
                        "sha256": hashlib.sha256((folder / name).read_bytes()).hexdigest()})
    (folder / "manifest.json").write_text(json.dumps({"outputs": outputs}))


AGREEMENT = ["samarbeidsavtale.docx", "samarbeidsavtale.pdf"]
WITH_NOTICE = [*AGREEMENT, f"{NOTICE}.docx", f"{NOTICE}.pdf"]
NOW = {*AGREEMENT, "manifest.json"}


def test_the_previous_builds_own_files_the_new_one_does_not_make_are_removable(
        tmp_path: Path) -> None:
    folder = tmp_path / "build" / "x"
    _built(folder, WITH_NOTICE)
    assert leftovers.removable(folder, NOW) == [folder / f"{NOTICE}.docx",
                                                folder / f"{NOTICE}.pdf"]


def test_a_file_samdok_did_not_write_is_never_removable(tmp_path: Path) -> None:
    folder = tmp_path / "build" / "x"
    _built(folder, WITH_NOTICE)
    outside = tmp_path / "mine.pdf"
    outside.write_text("samdok made melding-statsforvalteren.pdf")  # the recorded bytes
    (folder / f"{NOTICE}.pdf").unlink()
    (folder / f"{NOTICE}.pdf").symlink_to(outside)  # a link: never followed, never removed
    (folder / f"{NOTICE}.docx").write_text("edited by a clerk after the build")
    # A manifest from someone else's repository naming a file outside the case folder.
    data = json.loads((folder / "manifest.json").read_text())
    data["outputs"].append({"path": "../secret.pdf", "sha256": hashlib.sha256(
        b"x").hexdigest()})
    (tmp_path / "build" / "secret.pdf").write_text("x")
    (folder / "manifest.json").write_text(json.dumps(data))
    assert leftovers.removable(folder, NOW) == []
    # A manifest that is a link is not read at all.
    (folder / "manifest.json").rename(tmp_path / "elsewhere.json")
    (folder / "manifest.json").symlink_to(tmp_path / "elsewhere.json")
    assert leftovers.listed(folder) is None


def test_the_commit_removes_the_dropped_outputs_with_the_new_ones_in_place(
        tmp_path: Path) -> None:
    out = tmp_path / "build"
    _built(out / "x", WITH_NOTICE)
    staging = out / ".samdok-staging"
    staging.mkdir()
    staged = []
    for name in (*AGREEMENT, "manifest.json"):
        (staging / name).write_text("new " + name)
        staged.append((staging / name, out / "x" / name))
    dropped = leftovers.removable(out / "x", NOW)
    pipeline._commit(staged, out, dropped)
    assert sorted(p.name for p in (out / "x").iterdir()) == sorted(NOW)
    assert sorted(p.name for p in out.iterdir()) == [".samdok-staging", "x"]


@pytest.mark.parametrize("failing", range(6))
def test_a_failed_commit_keeps_the_earlier_outputs_and_the_old_notice(
        tmp_path: Path, monkeypatch, failing: int) -> None:
    out = tmp_path / "build"
    _built(out / "x", WITH_NOTICE)
    before = {p.name: p.read_text() for p in (out / "x").iterdir()}
    staging = out / ".samdok-staging"
    staging.mkdir()
    staged = []
    for name in (*AGREEMENT, "manifest.json"):
        (staging / name).write_text("new " + name)
        staged.append((staging / name, out / "x" / name))
    dropped = leftovers.removable(out / "x", NOW)
    real, calls = os.replace, []

    def replace(source, target):
        calls.append(target)
        if len(calls) == failing + 1:  # 3 set aside, 2 dropped, then moving in: each fails
            raise PermissionError(13, "Permission denied")
        real(source, target)

    monkeypatch.setattr(pipeline.os, "replace", replace)
    with pytest.raises(pipeline.OutputError, match="no output was replaced"):
        pipeline._commit(staged, out, dropped)
    assert {p.name: p.read_text() for p in (out / "x").iterdir()} == before


def test_a_case_whose_documents_shrank_is_not_up_to_date(tmp_path: Path) -> None:
    out, templates = tmp_path / "build", ROOT / "templates"
    case = write_case(tmp_path / "cases", "x.yaml", "id: x\n")
    _built(out / "x", WITH_NOTICE)
    state = BuildState(out, templates)
    state.record(case, "x", 0, 2, [*WITH_NOTICE, "manifest.json"])
    state.save()
    now = BuildState(out, templates)
    assert now.outputs_current(case, "x", {*WITH_NOTICE, "manifest.json"})
    assert not now.outputs_current(case, "x", NOW)


def test_verify_sees_a_document_the_manifest_does_not_list_and_one_the_case_no_longer_makes(
        tmp_path: Path) -> None:
    folder = tmp_path / "build" / "x"
    _built(folder, AGREEMENT)
    (folder / f"{NOTICE}.pdf").write_text("left by an earlier build")
    (folder / "kopi.docx").symlink_to(tmp_path / "nowhere.docx")  # reported, not followed
    (folder / "~$samarbeidsavtale.docx").write_text("Word's lock file")
    (folder / "notes.txt").write_text("not a document")
    case = write_case(tmp_path / "cases", "x.yaml", "id: x\n")
    verdict = freshness.check(case, folder, AGREEMENT, ROOT / "templates",
                              ["samarbeidsavtale"], "nb", "build")
    assert sorted(verdict.leftover) == ["kopi.docx", f"{NOTICE}.pdf"]
    what, hint = verdict.leftover[f"{NOTICE}.pdf"]
    assert what.startswith("not made by the last build of the case")
    assert "remove it" in hint

    # The last build made the notice, and the case (same inputs) no longer does: the next
    # build removes it, so the hint is the build command.
    _built(folder, WITH_NOTICE)
    verdict = freshness.check(case, folder, AGREEMENT, ROOT / "templates",
                              ["samarbeidsavtale"], "nb", "build")
    assert set(verdict.leftover) == {"kopi.docx", f"{NOTICE}.docx", f"{NOTICE}.pdf"}
    assert verdict.leftover[f"{NOTICE}.pdf"][1].startswith("samdok build")
