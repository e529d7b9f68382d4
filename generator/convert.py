"""PDF conversion with real LibreOffice: one headless process converts every document of a build."""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import subprocess
import tempfile
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

DEFAULT_TIMEOUT = float(os.environ.get("SAMDOK_CONVERT_TIMEOUT", "180"))


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


def to_pdf(documents: list[Path], outdir: Path, timeout: float = DEFAULT_TIMEOUT,
           verbose: bool = False) -> list[Path]:
    """Convert .docx files to PDF in outdir with one LibreOffice process; return the PDFs.

    The process gets a profile folder of its own: two soffice processes sharing a profile make
    one of them exit without a PDF and without a message (DESIGN.md section 11).
    """
    if not documents:
        return []
    soffice = find_soffice()
    names = [d.stem for d in documents]
    if len(set(names)) != len(names):
        raise ValueError("documents converted together need distinct file names")
    with tempfile.TemporaryDirectory(prefix="samdok-lo-profile-") as profile:
        command = [
            soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
            "--nolockcheck", f"-env:UserInstallation={Path(profile).as_uri()}",
            "--convert-to", PDF_FILTER, "--outdir", str(outdir), *map(str, documents),
        ]
        if verbose:
            print("$ " + " ".join(command))
        try:
            # A new session, so a hang can be ended with every child LibreOffice started.
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            raise ConversionError(
                f"could not start {soffice}: {exc}; hint: {INSTALL_HINT}") from None
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise ConversionError(
                f"LibreOffice did not finish converting {len(documents)} document(s) within "
                f"{timeout:.0f} s and was stopped; hint: set SAMDOK_CONVERT_TIMEOUT to allow "
                "longer, or run with -v to see the command") from None
        except BaseException:  # Ctrl-C: do not leave a LibreOffice behind
            _kill(proc)
            raise
    pdfs = [outdir / f"{name}.pdf" for name in names]
    missing = [p.name for p in pdfs if not p.is_file() or p.stat().st_size == 0]
    if proc.returncode != 0 or missing:
        detail = (err or out).decode("utf-8", "replace").strip().splitlines()[-3:]
        what = f"exited with code {proc.returncode}" if proc.returncode else "exited normally"
        result = f"but produced no PDF for: {', '.join(missing)}" if missing else "(failed)"
        raise ConversionError(
            f"LibreOffice {what} {result}"
            + (f" ({' / '.join(detail)})" if detail else "")
            + "; hint: run with -v to see the command, and try it by hand")
    return pdfs


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
