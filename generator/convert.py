"""PDF conversion with real LibreOffice: a small pool of warm soffice workers for a whole build."""

from __future__ import annotations

import glob
import json
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConversionError

INSTALL_HINT = (
    "install LibreOffice Writer: sudo apt-get install --no-install-recommends "
    "libreoffice-writer-nogui fonts-crosextra-carlito "
    "(or set SAMDOK_SOFFICE to the soffice program)"
)

# PDF/A-2b with tags (PDF/UA), the option string measured to work on LibreOffice 7.4
# (DESIGN.md section 11). A malformed string silently gives a plain PDF, so keep it exact.
PDF_FILTER = "pdf:writer_pdf_Export:" + json.dumps(
    {
        "SelectPdfVersion": {"type": "long", "value": "2"},
        "PDFUACompliance": {"type": "boolean", "value": "true"},
    },
    separators=(",", ":"),
)

DEFAULT_TIMEOUT = 180.0  # seconds without progress; SAMDOK_CONVERT_TIMEOUT overrides it

# What soffice prints as it takes up each document of a --convert-to call: the line for the
# next document means the one before it is finished.
_STARTED = (b"convert ", b"Error: source file could not be loaded")
_NOISE = ("Warning: failed to launch javaldx",)


def find_soffice() -> str:
    """The LibreOffice program: $SAMDOK_SOFFICE, then PATH, then the usual install folders."""
    configured = os.environ.get("SAMDOK_SOFFICE")
    if configured:
        if Path(configured).is_file() and os.access(configured, os.X_OK):
            return configured
        raise ConversionError(f"SAMDOK_SOFFICE={configured} is not an executable file; "
                              f"hint: {INSTALL_HINT}")
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for pattern in ("/usr/lib/libreoffice/program/soffice", "/opt/libreoffice*/program/soffice",
                    "/Applications/LibreOffice.app/Contents/MacOS/soffice"):
        for found in sorted(glob.glob(pattern)):
            return found
    raise ConversionError("LibreOffice (soffice) was not found on PATH, in "
                          f"/usr/lib/libreoffice or /opt/libreoffice*; hint: {INSTALL_HINT}")


def default_jobs() -> int:
    """One converter per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS has no sched_getaffinity
        return max(1, os.cpu_count() or 1)


def convert_timeout() -> float:
    """Seconds a converter may go without finishing a document: $SAMDOK_CONVERT_TIMEOUT."""
    value = os.environ.get("SAMDOK_CONVERT_TIMEOUT")
    if not value:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0
    if seconds <= 0:
        raise ConversionError(f"SAMDOK_CONVERT_TIMEOUT={value} is not a number of seconds; "
                              "hint: e.g. SAMDOK_CONVERT_TIMEOUT=300")
    return seconds


def to_pdf(documents: list[Path], outdir: Path, timeout: float | None = None,
           verbose: bool = False, jobs: int | None = None,
           on_done: Callable[[Path], None] | None = None) -> list[Path]:
    """Convert .docx files to PDF in outdir with a pool of LibreOffice workers; return the PDFs.

    `jobs` workers (default: one per core) each convert a share of the documents in one warm
    soffice process with a profile folder of its own: two processes sharing a profile make
    one of them exit without a PDF and without a message (DESIGN.md section 11). A worker
    that crashes, gives no PDF, or finishes no document within `timeout` seconds is killed
    with its whole process group, and its unfinished documents are tried once more on a
    fresh worker. `on_done` is called with each finished PDF. Every worker is gone when this
    returns or raises, Ctrl-C included.
    """
    if not documents:
        return []
    names = [d.stem for d in documents]
    if len(set(names)) != len(names):
        raise ValueError("documents converted together need distinct file names")
    pool = _Pool(find_soffice(), outdir, timeout or convert_timeout(), verbose,
                 on_done or (lambda pdf: None))
    try:
        return pool.run(documents, jobs or default_jobs())
    finally:
        pool.close()


def pdf_for(document: Path, outdir: Path) -> Path:
    return outdir / f"{document.stem}.pdf"


def _ok(pdf: Path) -> bool:
    return pdf.is_file() and pdf.stat().st_size > 0


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
    reported: int = 0  # documents passed to on_done
    timed_out: bool = False
    pending: bytes = b""
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=3))


class _Pool:
    """Runs the workers from this thread: one selector over their output, one deadline each."""

    def __init__(self, soffice: str, outdir: Path, timeout: float, verbose: bool,
                 on_done: Callable[[Path], None]):
        self.soffice = soffice
        self.outdir = outdir
        self.timeout = timeout
        self.verbose = verbose
        self.on_done = on_done
        self.profiles = Path(tempfile.mkdtemp(prefix="samdok-lo-profiles-"))
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
        for worker in list(self.workers):
            self._stop(worker)
        self.selector.close()
        shutil.rmtree(self.profiles, ignore_errors=True)

    def _start(self, batch: list[Path], attempt: int) -> None:
        self.count += 1
        profile = self.profiles / f"worker-{self.count}"  # a fresh profile for every process
        command = [
            self.soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
            "--nolockcheck", f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to", PDF_FILTER, "--outdir", str(self.outdir), *map(str, batch),
        ]
        if self.verbose:
            print("$ " + " ".join(command), flush=True)
        try:
            # A new session, so a hang can be ended with every child LibreOffice started.
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            raise ConversionError(
                f"could not start {self.soffice}: {exc}; hint: {INSTALL_HINT}") from None
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
        while worker.reported < upto:
            pdf = pdf_for(worker.batch[worker.reported], self.outdir)
            worker.reported += 1
            if _ok(pdf):
                self.on_done(pdf)

    def _stop(self, worker: _Worker) -> None:
        if worker.proc.poll() is None:
            try:
                os.killpg(worker.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        worker.proc.wait()
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
        done = [d for d in worker.batch[:trusted] if _ok(pdf_for(d, self.outdir))]
        left = [d for d in worker.batch if d not in done]
        if not left:
            return
        for document in left:
            pdf_for(document, self.outdir).unlink(missing_ok=True)
        if worker.attempt == 1:
            self._start(left, attempt=2)
        else:
            raise ConversionError(self._failure(worker, left))

    def _failure(self, worker: _Worker, left: list[Path]) -> str:
        current = worker.batch[max(0, worker.started - 1)].name
        detail = f" ({' / '.join(worker.tail)})" if worker.tail else ""
        retried = "; tried twice, each time in a LibreOffice of its own"
        if worker.timed_out:
            return (f"LibreOffice did not finish converting {current} within "
                    f"{self.timeout:g} s and was stopped{retried}; hint: set "
                    "SAMDOK_CONVERT_TIMEOUT to allow longer, or run with -v to see the command")
        code = worker.proc.returncode
        if code:
            what = f"exited with code {code}" if code > 0 else f"was killed by signal {-code}"
            return (f"LibreOffice {what} while converting {current}{detail}{retried}; "
                    "hint: run with -v to see the command, and try it by hand")
        return (f"LibreOffice exited normally but produced no PDF for: "
                f"{', '.join(d.name for d in left)}{detail}; hint: run with -v to see the "
                "command, and try it by hand")
