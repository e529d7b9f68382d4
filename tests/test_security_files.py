"""Untrusted files and repositories: git never takes a user string as an option nor runs a
repository's commands, Word files are bounded and never pass macros on, a PKCS#12 file
without a key is a message, and check, text and diff write nothing at all."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, FIXTURES, run_samdok
from tests.test_drafts import git

V1 = FIXTURES / "diff" / "v1.yaml"
V2 = FIXTURES / "diff" / "v2.yaml"


# --- check, text and diff write nothing --------------------------------------------------------

def snapshot(*folders: Path) -> dict[str, tuple]:
    """Every file and folder below the folders (hidden ones and .git included), with its kind,
    size and modification time: a file created, changed or removed, even a temporary one
    created and removed again, changes its folder's entry."""
    found = {}
    for folder in folders:
        for root, dirs, files in os.walk(folder, followlinks=False):
            for name in [*dirs, *files, "."]:
                path = Path(root, name)
                info = path.lstat()
                found[str(path)] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return found


def changed(before: dict, after: dict) -> list[str]:
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


@pytest.fixture(scope="module")
def samdok_docx(tmp_path_factory) -> tuple[Path, Path]:
    """Two .docx samdok wrote (the redline writer makes one without LibreOffice): v2 as Word
    with tracked changes against v1, and v1 as Word."""
    folder = tmp_path_factory.mktemp("word")
    for old, new, name in ((V1, V2, "v2.docx"), (V2, V1, "v1.docx")):
        result = run_samdok("diff", str(old), str(new), "--docx", str(folder / name),
                            cwd=folder)
        assert result.returncode == 0, result.stderr
    return folder / "v1.docx", folder / "v2.docx"


def test_check_text_and_diff_write_nothing(tmp_path: Path, samdok_docx) -> None:
    """Each command runs as a real process with TMPDIR and HOME pointed at watched folders, in
    a project folder that is a git repository; nothing in any of them changes."""
    project, tmp, home = tmp_path / "project", tmp_path / "tmp", tmp_path / "home"
    shutil.copytree(EXAMPLES, project / "cases")
    tmp.mkdir()
    home.mkdir()
    case = project / "cases" / "diff.yaml"
    shutil.copy(V1, case)
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Utkast 1")
    shutil.copy(V2, case)
    git(project, "commit", "-q", "-am", "Utkast 2")
    (project / "cases" / "roros-os-holtalen.yaml").write_text(
        (EXAMPLES / "roros-os-holtalen.yaml").read_text(encoding="utf-8") + "# endret\n",
        encoding="utf-8")  # an uncommitted change: diff against HEAD reads git and the file
    for source in samdok_docx:
        shutil.copy(source, project / source.name)
    env = {key: value for key, value in os.environ.items() if not key.startswith("XDG_")}
    env.update(TMPDIR=str(tmp), HOME=str(home), PYTHONDONTWRITEBYTECODE="1")
    # Each command, and a line its output must hold (it did its work).
    commands = {
        ("check",): "ok  cases/diff.yaml",
        ("check", "cases/diff.yaml"): "ok  cases/diff.yaml",
        ("text", "cases/diff.yaml"): "## 6. Personale",
        ("text", "v2.docx"): "Personale",
        ("diff", "cases/diff.yaml@HEAD~1", "cases/diff.yaml@HEAD"): "Ny klausul: 6. Personale",
        ("diff", "cases/diff.yaml@HEAD~1"): "Ny klausul: 6. Personale",
        ("diff", "cases/roros-os-holtalen.yaml"): "Ingen endringer",
        ("diff", "--json", "v1.docx", "v2.docx"): '"personal"',
        ("diff", "cases/diff.yaml@HEAD~1", "v2.docx"): "Ny klausul: 6. Personale",
    }
    wrote = {}
    for command, expected in commands.items():
        before = snapshot(project, tmp, home)
        result = subprocess.run([sys.executable, "-m", "generator", *command], cwd=project,
                                env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, (command, result.stderr)
        assert expected in result.stdout, (command, result.stdout)
        if changes := changed(before, snapshot(project, tmp, home)):
            wrote[" ".join(command)] = changes
    assert wrote == {}
