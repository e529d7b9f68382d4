"""PDF conversion with real LibreOffice: a small pool of warm soffice workers for a whole build."""

from __future__ import annotations

import glob
import json
import os
import selectors
import shlex
import shutil
import signal
import subprocess
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import settings
from ..base import interrupts
from ..base.lifeline import Lifeline
from ..errors import ConversionError, OutputError
from .accept import Asked, refusal

INSTALL_HINT = (
    "install LibreOffice Writer: sudo apt-get install --no-install-recommends "
    "libreoffice-writer-nogui fonts-crosextra-carlito "
    "(or set SAMDOK_SOFFICE to the soffice program)"
)

# PDF/A-2b with tags (PDF/UA), the option string measured to work on LibreOffice 7.4
# (measured here). A malformed string silently gives a plain PDF, so keep it exact.
PDF_FILTER = "pdf:writer_pdf_Export:" + json.dumps(
    {
        "SelectPdfVersion": {"type": "long", "value": "2"},
        "PDFUACompliance": {"type": "boolean", "value": "true"},
    },
    separators=(",", ":"),
)

# Free space below which a PDF that LibreOffice left unfinished is taken for a full disk: it
# writes a truncated PDF and exits 0 when a write fails.
NEARLY_FULL = 8 * 1024 * 1024

# What soffice prints as it takes up each document of a --convert-to call: the line for the
# next document means the one before it is finished.
_STARTED = (b"convert ", b"Error: source file could not be loaded")
_NOISE = ("Warning: failed to launch javaldx",)


def find_soffice() -> str:
    """The LibreOffice program: $SAMDOK_SOFFICE, then PATH, then the usual install folders."""
    configured = settings.current().soffice
    if configured:
        if Path(configured).is_file() and os.access(configured, os.X_OK):
            return configured
        raise ConversionError(f"SAMDOK_SOFFICE={configured} is not an executable file",
                              hint=INSTALL_HINT)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for pattern in ("/usr/lib/libreoffice/program/soffice", "/opt/libreoffice*/program/soffice",
                    "/Applications/LibreOffice.app/Contents/MacOS/soffice"):
        for found in sorted(glob.glob(pattern)):
            return found
    raise ConversionError("LibreOffice (soffice) was not found on PATH, in "
                          "/usr/lib/libreoffice or /opt/libreoffice*", hint=INSTALL_HINT)


def default_jobs() -> int:
    """One converter per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS has no sched_getaffinity
        return max(1, os.cpu_count() or 1)


# Starting LibreOffice costs about 1.4 s of CPU; converting one more document in a running
# one about 0.1 s. A second converter only shortens a build that has many documents to share:
# measured on 2 cores, 10 documents took 4.2 s with one converter or two, 22 documents 7.5 s
# with one and 6.0 s with two.
DOCUMENTS_PER_CONVERTER = 8


def default_converters(documents: int) -> int:
    """One converter per core, but none without DOCUMENTS_PER_CONVERTER documents to convert
    (one at least)."""
    return max(1, min(default_jobs(), documents // DOCUMENTS_PER_CONVERTER))


def to_pdf(documents: list[Path], outdir: Path, timeout: float | None = None,
           verbose: bool = False, jobs: int | None = None,
           on_done: Callable[[Path], None] | None = None,
           asked: dict[Path, Asked] | None = None,
           lifeline: Lifeline | None = None) -> list[Path]:
    """Convert .docx files to PDF in outdir with a pool of LibreOffice workers; return the PDFs.

    `jobs` workers (default: default_converters) each convert a share of the documents in one
    warm soffice process with a profile folder of its own: two processes sharing a profile make
    one of them exit without a PDF and without a message (measured on LibreOffice 7.4). A worker
    that crashes, gives no PDF, or finishes no document within `timeout` seconds is killed
    with its whole process group, and its unfinished documents are tried once more on a
    fresh worker. Each PDF must pass accept.refusal (with what `asked` holds for its
    .docx) before `on_done` is called with it; one that fails is converted once more, then
    the build fails naming the check. The profiles and LibreOffice's temporary files are in
    the folder of `lifeline` (one of its own when not given), whose watchdog kills the workers
    if this process is killed. Every worker is gone when this returns or raises, Ctrl-C
    included.
    """
    if not documents:
        return []
    names = [d.stem for d in documents]
    if len(set(names)) != len(names):
        raise ValueError("documents converted together need distinct file names")
    soffice, seconds = find_soffice(), timeout or settings.current().convert_timeout
    own = lifeline is None
    lifeline = lifeline or Lifeline()
    try:
        pool = _Pool(soffice, outdir, seconds, verbose, on_done or (lambda pdf: None),
                     asked or {}, lifeline)
        try:
            return pool.run(documents, jobs or default_converters(len(documents)))
        finally:
            pool.close()
    finally:
        if own:
            lifeline.close()


def pdf_for(document: Path, outdir: Path) -> Path:
    return outdir / f"{document.stem}.pdf"


def disk_full(folder: Path) -> bool:
    """True when the file system holding `folder` is (nearly) out of space."""
    try:
        return shutil.disk_usage(folder).free < NEARLY_FULL
    except OSError:
        return False


class DiskFull(OutputError):
    """The disk holding the output folder is full."""


def disk_full_error(folder: Path) -> DiskFull:
    free = shutil.disk_usage(folder).free if folder.exists() else 0
    return DiskFull(f"{folder}: the disk is full ({free // 1024} KiB free); earlier "
                    "outputs are unchanged",
                    hint="free some space on it, or build into another folder with -o")


def balanced(documents: list[Path], parts: int) -> list[list[Path]]:
    """Split documents into at most `parts` batches of similar total size, each in order.

    The .docx size stands in for the work: the longest first, each to the lightest batch.
    """
    parts = max(1, min(parts, len(documents)))
    loads = [0] * parts
    batches: list[list[tuple[int, Path]]] = [[] for _ in range(parts)]
    by_size = sorted(enumerate(documents), key=lambda item: -item[1].stat().st_size)
    for index, document in by_size:
        lightest = loads.index(min(loads))
        batches[lightest].append((index, document))
        loads[lightest] += document.stat().st_size
    return [[d for _, d in sorted(batch)] for batch in batches if batch]


@dataclass
class _Worker:
    """One soffice process converting one batch, and what it has said so far."""

    proc: subprocess.Popen
    batch: list[Path]
    attempt: int
    deadline: float
    started: int = 0  # documents soffice has taken up
    reported: int = 0  # documents whose PDF was checked (and passed to on_done if accepted)
    timed_out: bool = False
    pending: bytes = b""
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=3))
    refused: dict[Path, str] = field(default_factory=dict)  # document -> the check its PDF failed


class _Pool:
    """Runs the workers from this thread: one selector over their output, one deadline each."""

    def __init__(self, soffice: str, outdir: Path, timeout: float, verbose: bool,
                 on_done: Callable[[Path], None], asked: dict[Path, Asked], lifeline: Lifeline):
        self.soffice = soffice
        self.outdir = outdir
        self.timeout = timeout
        self.verbose = verbose
        self.on_done = on_done
        self.asked = asked
        self.lifeline = lifeline
        self.profiles = lifeline.subfolder("profiles")
        # LibreOffice's own temporary folder (lu*.tmp), which a killed soffice leaves behind.
        self.env = {**os.environ, "TMPDIR": str(lifeline.subfolder("tmp"))}
        self.selector = selectors.DefaultSelector()
        self.workers: list[_Worker] = []
        self.count = 0

    def run(self, documents: list[Path], jobs: int) -> list[Path]:
        for batch in balanced(documents, jobs):
            self._start(batch, attempt=1)
        while self.workers:
            wait = min(w.deadline for w in self.workers) - time.monotonic()
            for key, _ in self.selector.select(timeout=max(0.0, wait)):
                self._read(key.data)
            now = time.monotonic()
            if any(w.deadline <= now for w in self.workers):
                # What the workers said while on_done ran (appending an attachment to the
                # PDFs that waited for it) counts before any of them is taken for hung.
                for key, _ in self.selector.select(timeout=0):
                    self._read(key.data)
            for worker in [w for w in self.workers if w.deadline <= now]:
                worker.timed_out = True
                self._stop(worker)
                self._finish(worker)
        return [pdf_for(d, self.outdir) for d in documents]

    def close(self) -> None:
        with interrupts.held():  # a second Ctrl-C must not leave a worker half stopped
            for worker in list(self.workers):
                self._stop(worker)
            self.selector.close()

    def _start(self, batch: list[Path], attempt: int) -> None:
        self.count += 1
        profile = self.profiles / f"worker-{self.count}"  # a fresh profile for every process
        command = [
            self.soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
            "--nolockcheck", f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to", PDF_FILTER, "--outdir", str(self.outdir), *map(str, batch),
        ]
        if self.verbose:  # quoted, so the line can be pasted into a shell as it is
            print("$ " + shlex.join(command), flush=True)
        # Signals wait until the worker is recorded: an interrupt during Popen would leave a
        # worker that no cleanup knows of (seen on a busy machine).
        with interrupts.held():
            try:
                # A new session, so a hang can be ended with every child LibreOffice started.
                proc = subprocess.Popen(command, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True, env=self.env,
                                        preexec_fn=interrupts.in_child)
            except OSError as exc:
                raise ConversionError(
                    f"could not start {self.soffice}: {exc}", hint=INSTALL_HINT) from None
            self.lifeline.watch(proc.pid)
            worker = _Worker(proc, batch, attempt, time.monotonic() + self.timeout)
            self.workers.append(worker)
            self.selector.register(proc.stdout, selectors.EVENT_READ, worker)

    def _read(self, worker: _Worker) -> None:
        chunk = os.read(worker.proc.stdout.fileno(), 65536)
        if not chunk:  # soffice closed its output: it has exited or is about to
            try:
                worker.proc.wait(timeout=max(0.1, worker.deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.timed_out = True
            self._stop(worker)
            self._finish(worker)
            return
        *lines, worker.pending = (worker.pending + chunk).split(b"\n")
        for line in lines:
            if line.startswith(_STARTED):
                worker.started += 1
                worker.deadline = time.monotonic() + self.timeout
                self._report(worker, upto=worker.started - 1)
            text = line.decode("utf-8", "replace").strip()
            if text and not text.startswith("convert ") and not text.startswith(_NOISE):
                worker.tail.append(text)

    def _report(self, worker: _Worker, upto: int) -> None:
        """Check each PDF soffice has finished; pass those accepted to on_done."""
        while worker.reported < upto:
            document = worker.batch[worker.reported]
            pdf = pdf_for(document, self.outdir)
            worker.reported += 1
            if not pdf.is_file():
                continue  # no PDF: retried, or reported as such
            reason = refusal(pdf, self.asked.get(document))
            if reason is None:
                self.on_done(pdf)
            else:
                worker.refused[document] = reason

    def _stop(self, worker: _Worker) -> None:
        if worker.proc.poll() is None:
            try:
                os.killpg(worker.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        worker.proc.wait()
        try:
            # The group's children may outlive its leader: soffice.bin, a stand-in's child.
            os.killpg(worker.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.lifeline.unwatch(worker.proc.pid)
        try:
            self.selector.unregister(worker.proc.stdout)
        except (KeyError, ValueError):
            pass
        worker.proc.stdout.close()

    def _finish(self, worker: _Worker) -> None:
        """A worker's process has ended: keep its PDFs, retry or report the rest."""
        self.workers.remove(worker)
        clean = worker.proc.returncode == 0 and not worker.timed_out
        # After a crash or a kill the document in progress may be a partial PDF: only those
        # soffice had finished (it took up the next one) are trusted.
        trusted = len(worker.batch) if clean else max(0, worker.started - 1)
        self._report(worker, upto=trusted)
        done = [d for d in worker.batch[:trusted]
                if d not in worker.refused and pdf_for(d, self.outdir).is_file()]
        left = [d for d in worker.batch if d not in done]
        if not left:
            return
        for document in left:
            pdf_for(document, self.outdir).unlink(missing_ok=True)
        if disk_full(self.outdir):  # LibreOffice says nothing of it: a cut PDF, or none
            raise disk_full_error(self.outdir)
        if worker.attempt == 1:
            self._start(left, attempt=2)
        else:
            raise ConversionError(*self._failure(worker, left))

    def _failure(self, worker: _Worker, left: list[Path]) -> tuple[str, str]:
        """What went wrong with the worker's documents, and a hint."""
        current = worker.batch[max(0, worker.started - 1)].name
        detail = f" ({' / '.join(worker.tail)})" if worker.tail else ""
        retried = "; tried twice, each time in a LibreOffice of its own"
        refused = [d for d in left if d in worker.refused]
        if refused:
            return (f"LibreOffice gave a PDF for {refused[0].name} that cannot be used: "
                    f"{worker.refused[refused[0]]}{retried}",
                    "run with -v to see the command, and check the LibreOffice install (a "
                    "full PDF export needs libreoffice-writer)")
        if worker.timed_out:
            return (f"LibreOffice did not finish converting {current} within "
                    f"{self.timeout:g} s and was stopped{retried}",
                    "set SAMDOK_CONVERT_TIMEOUT to allow longer, or run with -v to see the "
                    "command")
        code = worker.proc.returncode
        if code:
            what = f"exited with code {code}" if code > 0 else f"was killed by signal {-code}"
            return (f"LibreOffice {what} while converting {current}{detail}{retried}",
                    "run with -v to see the command, and try it by hand")
        return (f"LibreOffice exited normally but produced no PDF for: "
                f"{', '.join(d.name for d in left)}{detail}",
                "run with -v to see the command, and try it by hand")
