"""Faults and signals: SIGTERM, SIGHUP and SIGKILL to a build, a killed Word worker, an output
that cannot be replaced, a PDF that must be refused, a full disk, bad environment variables.
After each, no process and no temporary folder of samdok's is left.

The converter here is a stand-in (SAMDOK_SOFFICE) that writes small PDFs with the properties
LibreOffice's export has, or breaks them on purpose; real conversions are checked against the
same rules by the real round trips in test_build.py and the others."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner

from generator.build import pipeline
from generator.cli import main
from tests.helpers import FIXTURES

# A stand-in for soffice: for each .docx, a one-page PDF with the tags, PDF/A claim, title
# and language the Word file asks for. FAKE_SOFFICE breaks it: blank (no tags, no claim),
# cut (the PDF cut in half, exit 0), title (another title), hang, fill (fills the disk
# first, then writes what fits and exits 0, as LibreOffice does).
FAKE = r'''#!{python}
import html, os, re, sys, time, zipfile
from pathlib import Path

args = sys.argv[1:]
outdir = Path(args[args.index("--outdir") + 1])
mode = os.environ.get("FAKE_SOFFICE", "good")
log = os.environ.get("FAKE_SOFFICE_LOG")
if log:
    with open(log, "a") as f:
        f.write(f"{{os.getpid()}}\n")
if mode == "hang":
    child = os.fork()
    if child == 0:
        time.sleep(60)
        os._exit(0)
    if log:
        with open(log, "a") as f:
            f.write(f"{{child}}\n")
    time.sleep(60)
import pikepdf

if mode == "fill":
    try:
        with open(outdir / "filler", "wb") as f:
            while True:
                f.write(b"\0" * 65536)
    except OSError:
        pass
for docx in [Path(a) for a in args if a.endswith(".docx")]:
    core = zipfile.ZipFile(docx).read("docProps/core.xml").decode()
    title = html.unescape(re.search(r"<dc:title>(.*?)</dc:title>", core, re.S).group(1))
    language = re.search(r"<dc:language>(.*?)</dc:language>", core).group(1)
    pdf = pikepdf.new()
    pdf.add_blank_page()
    if mode != "blank":
        pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
        pdf.Root.StructTreeRoot = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
        pdf.Root.Lang = language
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = "B"
        pdf.docinfo["/Title"] = "Something else" if mode == "title" else title
    target = outdir / (docx.stem + ".pdf")
    try:
        pdf.save(target)
    except Exception:
        pass  # a full disk: LibreOffice leaves what it wrote and exits 0
    if mode == "cut":
        data = target.read_bytes()
        target.write_bytes(data[: len(data) // 2])
'''


def fake_soffice(folder: Path) -> Path:
    path = folder / "fake-soffice"
    path.write_text(FAKE.format(python=sys.executable), encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture
def site(tmp_path: Path, monkeypatch) -> Path:
    """A project with the minimal case, the stand-in converter, and a temporary folder of its
    own (TMPDIR), so that what a build leaves there can be seen."""
    project = tmp_path / "project"
    (project / "cases").mkdir(parents=True)
    shutil.copy(FIXTURES / "minimal.yaml", project / "cases" / "minimal.yaml")
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("SAMDOK_SOFFICE", str(fake_soffice(tmp_path)))
    monkeypatch.setenv("FAKE_SOFFICE_LOG", str(tmp_path / "started"))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    monkeypatch.delenv("FAKE_SOFFICE", raising=False)
    monkeypatch.delenv("SAMDOK_CONVERT_TIMEOUT", raising=False)
    return project


def leftovers(site: Path, wait: float = 10) -> list[str]:
    """What a build left in `site`'s folder: processes (running there, or named with a path
    there: the stand-in, a profile, the watchdog's folder) and temporary folders (in TMPDIR,
    and staging folders in the output folder). Waits up to `wait` s for them to go."""
    root = str(site.parent)
    deadline = time.monotonic() + wait
    while True:
        found = []
        for proc in psutil.process_iter(["pid", "cmdline", "cwd", "status"]):
            info = proc.info
            if info["pid"] == os.getpid() or info["status"] == psutil.STATUS_ZOMBIE:
                continue
            if (info["cwd"] or "").startswith(root) or root in " ".join(info["cmdline"] or []):
                found.append(f"process {info['pid']}: {' '.join(info['cmdline'] or [])[:200]}")
        found += [f"folder {p}" for p in (site.parent / "tmp").iterdir()]
        found += [f"folder {p}" for p in site.rglob(".samdok-*") if p.is_dir()]
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def started(site: Path) -> list[int]:
    log = site.parent / "started"
    return [int(pid) for pid in log.read_text().split()] if log.exists() else []


def spawn(site: Path, *args: str, cpu: int | None = None, **env: str) -> subprocess.Popen:
    """samdok as a separate process (signals need one); SIGINT as a terminal gives it. With
    `cpu`, samdok and every process it starts run on that core only."""
    def child() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if cpu is not None:
            os.sched_setaffinity(0, {cpu})

    return subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=site,
                            env={**os.environ, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=child)


def wait_for(condition, proc: subprocess.Popen, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    return found


def build(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".samdok.lock"}


# --- signals ------------------------------------------------------------------------------

@pytest.mark.processes
@pytest.mark.parametrize(("signum", "code", "message"), [
    (signal.SIGTERM, 143, "terminated (SIGTERM); earlier outputs are unchanged"),
    (signal.SIGHUP, 129, "hung up (SIGHUP); earlier outputs are unchanged"),
    (signal.SIGINT, 130, "interrupted; earlier outputs are unchanged"),
], ids=["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_signal_ends_the_build_and_everything_it_started(site: Path, signum, code,
                                                           message) -> None:
    proc = spawn(site, "build", FAKE_SOFFICE="hang")
    try:
        wait_for(lambda: len(started(site)) == 2, proc)  # the stand-in and its child
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == code, stderr
    assert stderr.strip().splitlines() == [message]
    assert leftovers(site) == []
    assert not (site / "build" / "minimal").exists()


@pytest.mark.processes
def test_a_killed_build_takes_its_converters_and_folders_with_it(site: Path) -> None:
    proc = spawn(site, "build", FAKE_SOFFICE="hang")
    try:
        wait_for(lambda: len(started(site)) == 2, proc)
        assert list((site / "build").glob(".samdok-*/")), "no staging folder"
        proc.kill()  # SIGKILL: no cleanup of its own can run
        proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert leftovers(site) == []


@pytest.mark.processes
def test_ctrl_c_as_the_converters_start_leaves_none_running(site: Path) -> None:
    # Four cases, four converters: Ctrl-C as soon as the first one runs, while the others are
    # being started. A converter started as the interrupt was handled was left running.
    for n in range(1, 4):
        text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
        (site / "cases" / f"m{n}.yaml").write_text(text.replace("id: minimal", f"id: m{n}"),
                                                   encoding="utf-8")
    # The race showed on a busy machine. samdok and its converters share one core with a
    # process that keeps it busy: at most half a core for all of them, however idle the
    # machine, and the other cores stay free for the rest of the suite. The burner runs from
    # when the Word files are written (the converters come next) until the build has ended:
    # kept stopped while samdok starts, it costs the suite a second, not ten.
    cpu = max(os.sched_getaffinity(0))
    burn = (f"import os, time\nos.sched_setaffinity(0, {{{cpu}}})\n"
            "end = time.time() + 120\nwhile time.time() < end: pass")
    burner = subprocess.Popen([sys.executable, "-c", burn])
    burner.send_signal(signal.SIGSTOP)
    try:
        for _ in range(3):
            (site.parent / "started").unlink(missing_ok=True)
            proc = spawn(site, "build", "--jobs", "4", cpu=cpu, FAKE_SOFFICE="hang")
            try:
                wait_for(lambda: list(site.glob("build/.samdok-*/*.docx")), proc)
                burner.send_signal(signal.SIGCONT)
                wait_for(lambda: started(site), proc)
                proc.send_signal(signal.SIGINT)
                _, stderr = proc.communicate(timeout=30)
            finally:
                burner.send_signal(signal.SIGSTOP)
                proc.kill()
            assert proc.returncode == 130, stderr
            assert leftovers(site) == []
    finally:
        burner.kill()
        burner.wait()


@pytest.mark.processes
def test_a_killed_word_worker_fails_the_build_without_a_hang(site: Path) -> None:
    from tests.helpers import many_councils_case

    # 121 documents, written by a pool of processes: enough that the kill lands while they
    # are being written, also on a busy machine.
    case, _ = many_councils_case(120)
    (site / "cases" / "mange.yaml").write_text(case, encoding="utf-8")
    (site / "cases" / "minimal.yaml").unlink()
    proc = spawn(site, "build", "--jobs", "2")
    try:
        samdok = psutil.Process(proc.pid)

        def children(started_as_samdok: bool) -> list[psutil.Process]:
            found = []
            for child in samdok.children():
                try:  # a child may end (or be a zombie) between listing and reading it
                    if ("-c" not in child.cmdline()) == started_as_samdok:
                        found.append(child)
                except psutil.Error:
                    continue
            return found

        # The watchdog (python -c) starts before the pool. Between its fork and its exec it
        # carries samdok's command line too, so the workers are looked for only once it runs:
        # killing it there instead of a worker let the build go on.
        wait_for(lambda: children(started_as_samdok=False), proc, seconds=120)
        wait_for(lambda: children(started_as_samdok=True), proc,
                 seconds=120)[0].kill()  # as the OOM killer does
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 3, stderr
    assert "a process writing the Word files was killed" in stderr
    assert "hint:" in stderr and "Traceback" not in stderr
    assert leftovers(site) == []
    assert not (site / "build" / "mange").exists()


# --- how many converters ------------------------------------------------------------------

@pytest.mark.processes
def test_a_small_build_starts_one_converter_unless_more_are_asked_for(site: Path,
                                                                       monkeypatch) -> None:
    # Each LibreOffice costs about 1.4 s of CPU to start: four documents are not worth two.
    monkeypatch.chdir(site)
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    for n in range(1, 4):
        (site / "cases" / f"m{n}.yaml").write_text(text.replace("id: minimal", f"id: m{n}"),
                                                   encoding="utf-8")
    code, output = build()
    assert code == 0, output
    assert output.count("wrote build/") == 12 and len(started(site)) == 1
    code, output = build("--force", "--jobs", "2")
    assert code == 0, output
    assert len(started(site)) == 3  # asked for two: two more


@pytest.mark.parametrize(("cores", "documents", "converters"), [
    (2, 1, 1), (2, 15, 1), (2, 16, 2), (2, 358, 2), (8, 30, 3), (8, 1000, 8), (1, 500, 1)])
def test_one_converter_per_core_and_per_eight_documents(monkeypatch, cores, documents,
                                                        converters) -> None:
    from generator.pdf import convert

    monkeypatch.setattr(convert, "default_jobs", lambda: cores)
    assert convert.default_converters(documents) == converters


# --- the outputs of a case: all or nothing ------------------------------------------------

@pytest.mark.processes
def test_an_output_that_cannot_be_replaced_leaves_the_earlier_set_whole(
        site: Path, monkeypatch) -> None:
    monkeypatch.chdir(site)
    assert build()[0] == 0
    folder = site / "build" / "minimal"
    assert sorted(p.name for p in folder.iterdir()) == [
        "manifest.json", "samarbeidsavtale.docx", "samarbeidsavtale.pdf"]
    # A folder where the PDF goes: it cannot be replaced by a file (not even by root).
    (folder / "samarbeidsavtale.pdf").unlink()
    (folder / "samarbeidsavtale.pdf").mkdir()
    before = files(site / "build")
    code, output = build("--force")
    assert code == 3, output
    assert "samarbeidsavtale.pdf: cannot write" in output and "no output was replaced" in output
    assert files(site / "build") == before
    assert leftovers(site) == []


@pytest.mark.parametrize("failing", range(9))
def test_a_commit_that_fails_at_any_step_puts_everything_back(tmp_path: Path, monkeypatch,
                                                              failing: int) -> None:
    # Three outputs of a case, two there before; the nth move fails (a file held open on
    # Windows, a read-only place): every earlier output is back, no new one is in place.
    out = tmp_path / "build"
    staging = out / ".samdok-staging"
    staging.mkdir(parents=True)
    (out / "case").mkdir()
    staged = []
    for name in ("a.docx", "a.pdf", "manifest.json"):
        (staging / name).write_text("new " + name)
        staged.append((staging / name, out / "case" / name))
    for name in ("a.docx", "a.pdf"):
        (out / "case" / name).write_text("old " + name)
    real, calls = os.replace, []

    def replace(source, target):
        calls.append(target)
        if len(calls) == failing + 1:
            raise PermissionError(13, "Permission denied")
        real(source, target)

    monkeypatch.setattr(pipeline.os, "replace", replace)
    if failing >= 5:  # 2 set aside + 3 moved in: the commit succeeds
        assert pipeline._commit(staged, out) == [target for _, target in staged]
        assert {p.name: p.read_text() for p in (out / "case").iterdir()} == {
            "a.docx": "new a.docx", "a.pdf": "new a.pdf", "manifest.json": "new manifest.json"}
    else:
        with pytest.raises(pipeline.OutputError, match="no output was replaced"):
            pipeline._commit(staged, out)
        assert {p.name: p.read_text() for p in (out / "case").iterdir()} == {
            "a.docx": "old a.docx", "a.pdf": "old a.pdf"}
    assert sorted(p.name for p in out.iterdir()) == [".samdok-staging", "case"]


# --- every PDF checked before it is taken -------------------------------------------------

@pytest.mark.processes
@pytest.mark.parametrize(("mode", "check"), [
    ("blank", "PDF/A: not PDF/A"),
    ("cut", "the PDF is damaged or cut short"),
    ("title", "title: document info /Title is 'Something else', expected"),
])
def test_a_pdf_that_fails_a_check_is_converted_again_then_refused(
        site: Path, monkeypatch, mode: str, check: str) -> None:
    monkeypatch.chdir(site)
    monkeypatch.setenv("FAKE_SOFFICE", "good")
    assert build()[0] == 0
    before = files(site / "build")
    monkeypatch.setenv("FAKE_SOFFICE", mode)
    code, output = build("--force")
    assert code == 3, output
    assert "samarbeidsavtale.docx that cannot be used: " + check in output, output
    assert "tried twice" in output and "hint:" in output
    assert len(started(site)) == 3  # the first build, then the conversion and its retry
    assert files(site / "build") == before
    assert leftovers(site) == []


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 16 MiB file system (tmpfs) to build into; skipped where mounting is not allowed."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("a small file system cannot be mounted here (needs root)")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


@pytest.mark.processes
def test_a_full_disk_is_reported_as_a_full_disk(site: Path, monkeypatch, small_disk) -> None:
    # The stand-in fills the disk, then writes what fits of the PDF and exits 0, as
    # LibreOffice does.
    monkeypatch.chdir(site)
    assert build("-o", str(small_disk))[0] == 0
    before = files(small_disk)
    monkeypatch.setenv("FAKE_SOFFICE", "fill")
    code, output = build("--force", "-o", str(small_disk))
    assert code == 3, output
    assert f"{small_disk}: the disk is full" in output and "hint: free some space" in output
    assert files(small_disk) == before
    assert leftovers(site) == []
    assert not list(small_disk.glob(".samdok-*/"))


# --- environment variables ----------------------------------------------------------------

@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-5", "1e400", "zehn", "1e9"])
def test_a_timeout_that_is_not_a_positive_number_of_seconds_is_refused(
        site: Path, monkeypatch, value: str) -> None:
    monkeypatch.chdir(site)
    monkeypatch.setenv("SAMDOK_CONVERT_TIMEOUT", value)
    code, output = build()
    assert code == 3, output
    assert f"SAMDOK_CONVERT_TIMEOUT={value} is not a number of seconds" in output
    assert "hint:" in output
    assert not (site / "build" / "minimal").exists()
    assert leftovers(site) == []


@pytest.mark.parametrize("value", ["99999999999999", "-1", "1e9", "gestern"])
def test_a_source_date_epoch_that_is_not_a_time_is_refused(site: Path, monkeypatch,
                                                            value: str) -> None:
    monkeypatch.chdir(site)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    code, output = build()
    assert code == 3, output
    assert f"SOURCE_DATE_EPOCH={value} is not a time" in output and "hint:" in output
    assert not (site / "build" / "minimal").exists()
    assert leftovers(site) == []
