"""The only door: every job samdok's developers and CI run is a session here (nox -l)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True

# What conversion needs from the system: LibreOffice Writer without a GUI, and fonts that
# cover æøå and the Sami letters áčđŋšŧž (Carlito is the template's font; DejaVu a fallback).
# The tests also need poppler's pdfsig, a second opinion on every signature verdict.
APT_PACKAGES = ["libreoffice-writer-nogui", "fonts-crosextra-carlito", "fonts-dejavu-core",
                "poppler-utils"]


def _has_font(family: str) -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", f":family={family}", "family"], capture_output=True,
                         text=True, check=False).stdout
    return bool(out.strip())


def ensure_libreoffice(session: nox.Session) -> None:
    """Install LibreOffice Writer and the fonts with apt-get when missing (as root), else stop
    with the exact command to run."""
    missing = []
    if not (shutil.which("soffice") or shutil.which("libreoffice")
            or os.environ.get("SAMDOK_SOFFICE")):
        missing.append("libreoffice-writer-nogui")
    if not _has_font("Carlito"):
        missing.append("fonts-crosextra-carlito")
    if not _has_font("DejaVu Sans"):
        missing.append("fonts-dejavu-core")
    if not shutil.which("pdfsig"):
        missing.append("poppler-utils")
    if not missing:
        return
    command = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        session.log(f"installing {', '.join(missing)} with apt-get")
        env = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run("apt-get", "update", "-q", external=True, env=env)
        session.run(*command, external=True, env=env)
    else:
        session.error("LibreOffice Writer or fonts are missing. Install them with:\n"
                      f"    sudo apt-get update && sudo {' '.join(command)}")


# Python may keep its compiled modules (__pycache__, ignored by git) while the tests run, even
# where the environment says not to: every samdok process a test starts then imports samdok
# from them instead of compiling it again, and pytest keeps its rewritten test modules.
BYTECODE = {"PYTHONDONTWRITEBYTECODE": ""}


def install(session: nox.Session, *extras: str) -> None:
    """samdok (editable) and its dependencies, unless the session's virtualenv already has
    them for this pyproject.toml: pip takes about 8 s only to find everything in place."""
    target = f".[{','.join(extras)}]" if extras else "."
    stamp = Path(session.virtualenv.location) / ".samdok-installed"
    wanted = hashlib.sha256(Path("pyproject.toml").read_bytes() + target.encode()).hexdigest()
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        session.log(f"{target}: installed for this pyproject.toml")
        return
    session.install("-e", target)
    stamp.write_text(wanted, encoding="utf-8")


@nox.session
def build(session: nox.Session) -> None:
    """Build every case in cases/ into build/ (Word and PDF), then verify the PDFs."""
    ensure_libreoffice(session)
    install(session)
    session.run("samdok", "build", "--strict", *session.posargs)
    session.run("samdok", "verify", "--strict", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite, LibreOffice round trips included (never skipped), one worker per
    core: the workers share one build of the example cases (conftest.py's `built`); an idle
    worker takes tests queued for a busy one (worksteal: 196.5 s against 213.6 s with a test
    file kept on one worker, measured on 2 cores)."""
    ensure_libreoffice(session)
    install(session, "test")
    session.run("pytest", "-n", "auto", "--dist", "worksteal", *session.posargs, env=BYTECODE)


@nox.session
def fast(session: nox.Session) -> None:
    """Run every test that needs neither LibreOffice (nor poppler's pdfsig, installed with it)
    nor separate processes racing signals, spread over the cores: the quick loop while
    editing, on any machine with Python; `nox -s tests` runs the rest as well."""
    install(session, "test")
    session.run("pytest", "-m", "not libreoffice and not processes and not pdfsig", "-n",
                "auto", "--dist", "worksteal", *session.posargs, env=BYTECODE)


@nox.session
def lint(session: nox.Session) -> None:
    """Check the code with ruff."""
    session.install("ruff")
    session.run("ruff", "check", "generator", "tests", "templates", "noxfile.py")


@nox.session
def bench(session: nox.Session) -> None:
    """Time builds against one LibreOffice process per document; print the figures."""
    ensure_libreoffice(session)
    install(session)
    session.install("psutil")
    session.run("python", "tests/bench.py", *session.posargs)
