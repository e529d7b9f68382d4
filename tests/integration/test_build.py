"""End to end through the command line: real docxtpl, real LibreOffice, real pdfplumber."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pdfplumber
import pytest
from docx import Document as WordDocument

from tests.helpers import EXAMPLES, FIXTURES, ROOT, invoke, pdf_text

REQUIRED_HEADINGS = ("Formål", "Økonomi", "Inntreden og uttreden", "Ikrafttredelse")


def hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.libreoffice
def test_example_builds_to_word_and_pdf_with_every_required_clause(built: Path) -> None:
    out = built / "build" / "roros-os-holtalen"
    assert (out / "samarbeidsavtale.docx").is_file()
    text = pdf_text(out / "samarbeidsavtale.pdf")
    # The example's commencement clause carries its source's heading, «Iverksetting».
    for heading in (*REQUIRED_HEADINGS[:-1], "Iverksetting"):
        assert re.search(rf"\b\d+\. {heading}\b", text), heading
    for name in ("Røros", "Os kommune", "Holtålen"):
        assert name in text
    assert "1. juli 2016" in text
    # The example states its economy as principles, without a cost key (its source has
    # none): no table of shares.
    assert "Kostnadene fordeles etter antall innbyggere i den enkelte kommunen." in text
    assert "Sum" not in text.split()
    # Shares by population, rounded by largest remainder so the
    # printed column adds up to 100,0 %, in the example that has them.
    sogn = pdf_text(built / "build" / "pp-teneste-sogn" / "tjenesteavtale.pdf")
    assert re.search(r"Sum [\d ]+ 100,0 %", sogn)


@pytest.mark.libreoffice
def test_word_file_carries_title_and_language(built: Path) -> None:
    docx = built / "build" / "roros-os-holtalen" / "samarbeidsavtale.docx"
    props = WordDocument(str(docx)).core_properties
    assert props.title == "Samarbeidsavtale mellom Røros, Os og Holtålen"
    assert props.language == "nb-NO"
    with pdfplumber.open(docx.with_suffix(".pdf")) as pdf:
        assert pdf.metadata["Title"] == props.title


@pytest.mark.libreoffice
def test_verify_passes_on_the_built_example(verified) -> None:
    result = verified  # `samdok verify --strict` in `built`: passing, it passes without --strict
    assert result.returncode == 0, result.stderr
    assert "every required clause found" in result.stdout


def test_verify_names_the_clause_whose_substance_is_missing(tmp_path: Path) -> None:
    # A case may replace a clause's words; if the commencement date goes missing with them,
    # check (and so build and verify) names the clause and the phrase verify would miss in
    # the PDF, before anything is built.
    case = (EXAMPLES / "roros-os-holtalen.yaml").read_text(encoding="utf-8")
    case = case.replace("Avtalen gjelder fra {{ ikrafttredelse }}.", "Avtalen gjelder fra i år.")
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "roros-os-holtalen.yaml").write_text(case, encoding="utf-8")
    built = invoke("build", cwd=tmp_path)
    assert built.returncode == 1 and not (tmp_path / "build").exists()
    result = invoke("verify", cwd=tmp_path)
    assert result.returncode == 1
    assert ("disposisjon[8].tekst: clause 'ikrafttredelse' (9. Iverksetting) "
            "does not say '1. juli 2016', which samdok verify requires in it") in result.stderr


def _commands(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("$ ")]


def _profile(command: str) -> str:
    return re.search(r"-env:UserInstallation=(file://\S+)", command).group(1)


def _project(folder: Path, *cases: Path) -> Path:
    (folder / "cases").mkdir(parents=True)
    for case in cases:
        shutil.copy(case, folder / "cases" / case.name)
    return folder


ROROS = EXAMPLES / "roros-os-holtalen.yaml"


@pytest.fixture
def built_copy(built: Path, tmp_path: Path) -> Path:
    """A copy of the shared build to fail a build in: a failing build in the shared folder
    itself takes its lock and makes a staging folder there, which the tests on the other
    workers (copying it, verifying it, failing a build of their own in it) would meet."""
    copy = tmp_path / "built"
    shutil.copytree(built, copy, symlinks=True)
    return copy


@pytest.mark.libreoffice
def test_workers_share_the_documents_each_with_a_profile_of_its_own(tmp_path: Path) -> None:
    _project(tmp_path, ROROS, FIXTURES / "minimal.yaml", FIXTURES / "grunnbelop.yaml")
    result = invoke("-v", "build", "--jobs", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    commands = _commands(result.stdout)
    assert len(commands) == 2  # one warm LibreOffice per worker, not one per document
    assert _profile(commands[0]) != _profile(commands[1])
    converted = [doc for command in commands for doc in re.findall(r"\S+\.docx", command)]
    assert sorted(Path(doc).name for doc in converted) == [
        "grunnbelop--samarbeidsavtale.docx", "minimal--samarbeidsavtale.docx",
        "roros-os-holtalen--samarbeidsavtale.docx"]
    for case_id in ("grunnbelop", "minimal", "roros-os-holtalen"):
        assert (tmp_path / "build" / case_id / "samarbeidsavtale.pdf").stat().st_size > 0
        assert f"PDF   {case_id}/samarbeidsavtale.pdf" in result.stdout


@pytest.mark.parametrize(
    ("case", "where"),
    [("yaml-syntax.yaml", r"yaml-syntax\.yaml:7:9: formål: "),
     ("wrong-type.yaml", r"wrong-type\.yaml:12:27: uttreden\.oppsigelsestid_måneder: ")],
)
@pytest.mark.parametrize("command", ["check", "build"])
def test_bad_case_is_located_and_writes_nothing(tmp_path: Path, case, where, command) -> None:
    shutil.copy(FIXTURES / case, tmp_path / case)
    result = invoke(command, case, cwd=tmp_path)
    assert result.returncode == 1
    assert re.search(where, result.stderr), result.stderr
    assert "hint:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "build").exists()


def _stand_in(folder: Path, script: str) -> str:
    """A fake soffice for fault injection (the real one is used everywhere else)."""
    path = folder / "fake-soffice"
    path.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


@pytest.mark.parametrize(
    ("script", "env", "code", "message"),
    [
        ("exit 0", {}, 3, "exited normally but produced no PDF"),
        ("echo boom >&2; exit 1", {}, 3, "exited with code 1"),
        ("sleep 30", {"SAMDOK_CONVERT_TIMEOUT": "1"}, 3, "did not finish"),
        (None, {"SAMDOK_SOFFICE": "/nonexistent/soffice"}, 3, "not an executable"),
    ],
    ids=["no-output", "crash", "hang", "missing"],
)
@pytest.mark.libreoffice
def test_failed_conversion_leaves_previous_outputs_untouched(
        built_copy: Path, tmp_path: Path, script, env, code, message) -> None:
    before = hashes(built_copy / "build")
    if script is not None:
        env = {**env, "SAMDOK_SOFFICE": _stand_in(tmp_path, script)}
    result = invoke("build", cwd=built_copy, env=env)
    assert result.returncode == code
    assert message in result.stderr
    assert "hint:" in result.stderr
    assert "Traceback" not in result.stderr
    assert hashes(built_copy / "build") == before
    assert not list((built_copy / "build").glob(".samdok-*"))


def _alive(pid: int) -> bool:
    """True if the process exists and is not a zombie waiting to be reaped."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"


# A hanging stand-in with a child of its own; it records both process ids.
HANG_WITH_CHILD = 'sleep 60 &\necho $$ $! >> "{pids}"\nwait'


@pytest.mark.libreoffice
def test_hung_converter_is_killed_with_its_children_and_retried_once(
        built_copy: Path, tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    soffice = _stand_in(tmp_path, HANG_WITH_CHILD.format(pids=pids))
    before = hashes(built_copy / "build")
    result = invoke("-v", "build", "--jobs", "1", cwd=built_copy,
                    env={"SAMDOK_SOFFICE": soffice, "SAMDOK_CONVERT_TIMEOUT": "1"})
    assert result.returncode == 3
    assert "did not finish" in result.stderr
    assert "tried twice" in result.stderr
    commands = _commands(result.stdout)
    assert len(commands) == 2 and _profile(commands[0]) != _profile(commands[1])
    started = [int(pid) for pid in pids.read_text().split()]
    assert len(started) == 4
    assert not [pid for pid in started if _alive(pid)]
    assert hashes(built_copy / "build") == before


@pytest.mark.libreoffice
def test_ctrl_c_stops_every_converter_and_keeps_the_outputs(built_copy: Path,
                                                          tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    soffice = _stand_in(tmp_path, HANG_WITH_CHILD.format(pids=pids))
    before = hashes(built_copy / "build")
    # SIGINT as a terminal's Ctrl-C gives it (a background job of a shell ignores it).
    proc = subprocess.Popen([sys.executable, "-m", "generator", "build"], cwd=built_copy,
                            env={**os.environ, "SAMDOK_SOFFICE": soffice},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not pids.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pids.exists(), "the converter never started"
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "interrupted; earlier outputs are unchanged" in stderr
    assert "Traceback" not in stderr
    assert not [pid for pid in map(int, pids.read_text().split()) if _alive(pid)]
    assert hashes(built_copy / "build") == before
    assert not list((built_copy / "build").glob(".samdok-*"))


@pytest.mark.libreoffice
def test_crashed_converter_is_replaced_and_the_build_succeeds(tmp_path: Path) -> None:
    # The first LibreOffice crashes; the retry runs the real one on a fresh profile.
    real = shutil.which("soffice") or shutil.which("libreoffice")
    assert real, "LibreOffice is needed for this test"
    marker = tmp_path / "crashed-once"
    soffice = _stand_in(tmp_path, f'if [ ! -e "{marker}" ]; then touch "{marker}"; '
                                  f'echo boom >&2; exit 1; fi\nexec "{real}" "$@"')
    project = _project(tmp_path / "p", ROROS)
    result = invoke("-v", "build", cwd=project, env={"SAMDOK_SOFFICE": soffice})
    assert result.returncode == 0, result.stderr
    commands = _commands(result.stdout)
    assert len(commands) == 2 and _profile(commands[0]) != _profile(commands[1])
    text = pdf_text(project / "build" / "roros-os-holtalen" / "samarbeidsavtale.pdf")
    assert "1. juli 2016" in text


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {name: (digest, (folder / name).stat().st_mtime_ns)
            for name, digest in hashes(folder).items()}


@pytest.mark.libreoffice
def test_unchanged_documents_are_up_to_date_and_force_rebuilds(tmp_path: Path) -> None:
    # Two small cases: one is edited, the other must stay up to date.
    _project(tmp_path, FIXTURES / "minimal.yaml")
    minimal = tmp_path / "cases" / "minimal.yaml"
    other = minimal.read_text(encoding="utf-8").replace("id: minimal", "id: annen")
    (tmp_path / "cases" / "annen.yaml").write_text(other, encoding="utf-8")
    assert invoke("build", cwd=tmp_path).returncode == 0
    out = tmp_path / "build"
    before = _snapshot(out)

    result = invoke("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "up to date  minimal/" in result.stdout
    assert "up to date  annen/" in result.stdout
    assert "wrote" not in result.stdout
    assert _snapshot(out) == before  # not even rewritten

    minimal.write_text(minimal.read_text(encoding="utf-8").replace(
        "felles lønningskontor", "felles lønns- og personalkontor"), encoding="utf-8")
    result = invoke("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "wrote build/minimal/samarbeidsavtale.pdf" in result.stdout
    assert "up to date  annen/" in result.stdout
    assert "wrote build/annen" not in result.stdout
    assert "lønns- og personalkontor" in pdf_text(out / "minimal" / "samarbeidsavtale.pdf")

    # A changed clause text in the project's templates is an input of every document.
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    library = next((tmp_path / "templates" / "klausuler").glob("*.yaml"))
    library.write_text(library.read_text(encoding="utf-8") + "\n# endret\n", encoding="utf-8")
    result = invoke("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "up to date" not in result.stdout
    assert "wrote build/minimal/samarbeidsavtale.pdf" in result.stdout
    assert "wrote build/annen/samarbeidsavtale.pdf" in result.stdout

    result = invoke("build", "--force", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "up to date" not in result.stdout
    assert result.stdout.count("wrote build/") == 6  # two documents and a manifest each


def _git(folder: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "S", "GIT_AUTHOR_EMAIL": "s@example.no",
           "GIT_COMMITTER_NAME": "S", "GIT_COMMITTER_EMAIL": "s@example.no"}
    subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)


@pytest.mark.libreoffice
def test_the_draft_stamps_git_state_is_an_input_but_unrelated_commits_are_not(
        tmp_path: Path) -> None:
    project = _project(tmp_path, ROROS)
    case = project / "cases" / ROROS.name
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "Utkast 1")
    assert invoke("build", cwd=project).returncode == 0
    assert "up to date  roros-os-holtalen/" in invoke("build", cwd=project).stdout

    # Uncommitted changes: the stamp says so instead of naming the commit.
    case.write_text(case.read_text(encoding="utf-8") + "# endret\n", encoding="utf-8")
    assert "wrote build/roros-os-holtalen/" in invoke("build", cwd=project).stdout
    # Committed: the stamp names the new commit and takes its date.
    _git(project, "commit", "-q", "-am", "Utkast 2")
    result = invoke("build", cwd=project)
    assert "wrote build/roros-os-holtalen/samarbeidsavtale.pdf" in result.stdout
    # A commit that leaves the case alone changes none of its documents.
    (project / "notat.txt").write_text("møtereferat\n", encoding="utf-8")
    _git(project, "add", "notat.txt")
    _git(project, "commit", "-q", "-m", "Notat")
    result = invoke("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "up to date  roros-os-holtalen/" in result.stdout
    assert "wrote" not in result.stdout


@pytest.mark.libreoffice
def test_a_terminal_gets_a_progress_bar(tmp_path: Path) -> None:
    _project(tmp_path, ROROS, *sorted((FIXTURES / "former").glob("*.yaml")))
    primary, secondary = os.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "generator", "build"], cwd=tmp_path,
                            stdout=secondary, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    text = shown.decode("utf-8", "replace")
    documents = text.count(".pdf\r\n")  # the "wrote …" lines after the bar
    assert documents > 5
    assert "Building" in text
    assert f"{2 * documents}/{2 * documents}" in text
    assert "[1/" not in text  # no per-document lines on a terminal
    assert "wrote build/roros-os-holtalen/samarbeidsavtale.pdf" in text


@pytest.mark.libreoffice
def test_failed_render_leaves_previous_outputs_untouched(built: Path, tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(built, project)
    before = hashes(project / "build")
    case = project / "cases" / "roros-os-holtalen.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace(
        "formål: |\n", "formål: |\n  {{ ukjent_felt }}\n"), encoding="utf-8")
    result = invoke("build", cwd=project)
    assert result.returncode == 1
    assert "formål: unknown placeholder" in result.stderr
    assert hashes(project / "build") == before


@pytest.mark.libreoffice
def test_base_amount_case_with_a_population_override_builds_and_verifies(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    shutil.copy(FIXTURES / "grunnbelop.yaml", tmp_path / "cases" / "grunnbelop.yaml")
    assert invoke("build", cwd=tmp_path).returncode == 0
    # verify finds the key's sentence (with kr 250 000 and the pointer to the table's dates)
    # in the economy clause of the PDF.
    result = invoke("verify", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = pdf_text(tmp_path / "build" / "grunnbelop" / "samarbeidsavtale.pdf")
    # Rest after 3 x 250 000 by 5 700, 1 891 and 2 035 of 9 626: in 2027 7 207 718.68,
    # 2 558 253.69, 2 734 027.63 (two kroner left: Os, Røros); in 2028 7 444 577.19,
    # 2 636 832.54, 2 818 590.28 (one krone left: Os). In a narrow column the date wraps
    # below the figure and pdfplumber reads it after the row.
    for row, date in ((r"Røros 5 700 ({date} )?59,2 % kr 7 207 719 kr 7 444 577", "01.01.2025"),
                      (r"Os 1 891 ({date} )?19,7 % kr 2 558 254 kr 2 636 833", "01.01.2024")):
        assert re.search(row.format(date=re.escape(f"({date})")), text), row
        assert f"({date})" in text
    assert "Sum 9 626 100,0 % kr 12 500 000 kr 12 900 000" in text


@pytest.mark.parametrize(("old", "new", "message"), [
    ("{{ tittel }}", "{{ titel }}", "'titel' is undefined"),
    ("{%p endfor %}", "{%p endfro %}", "broken tag"),
])
def test_check_validates_the_word_templates(tmp_path: Path, old, new, message) -> None:
    # A secretariat restyles a template and mistypes a tag: `samdok check` must say so
    # before any build, naming the template.
    shutil.copytree(EXAMPLES, tmp_path / "cases")
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    path = templates / "samarbeidsavtale.docx"
    document = WordDocument(str(path))
    paragraph = next(p for p in document.paragraphs if old in p.text)
    paragraph.text = paragraph.text.replace(old, new)
    document.save(str(path))
    result = invoke("check", cwd=tmp_path)
    assert result.returncode == 1
    assert "samarbeidsavtale.docx" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr
