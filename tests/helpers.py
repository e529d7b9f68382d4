"""What the tests share: the example and fixture folders, samdok run as a process or in this
one, real git with a fixed identity, PDF pages read back, and generated many-council cases."""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber

from generator.base.project import templates_dir
from generator.compose.enrich import compose
from generator.model.case import load_case

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "cases"
FIXTURES = Path(__file__).resolve().parent / "cases"


def run_samdok(*args: str, cwd: Path, env: dict[str, str] | None = None,
               timeout: float = 300) -> subprocess.CompletedProcess:
    """Run samdok as a user would (a separate process), capturing its output: for signals,
    import time and what a process leaves behind; else use invoke(), LibreOffice builds
    included (they start the real soffice either way)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


@dataclass(frozen=True)
class Invoked:
    """What one in-process command gave, under subprocess.CompletedProcess's names."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def invoke(*args: str, cwd: Path, env: dict[str, str | None] | None = None) -> Invoked:
    """Run samdok's command line in this process (click's CliRunner) with `cwd` as the working
    folder: for message and exit-code checks, where a separate process would only cost its
    start. An exception samdok did not turn into a message lands in stderr as the traceback a
    separate process would print, so "no traceback" assertions keep their meaning."""
    from click.testing import CliRunner

    from generator.cli import main

    with contextlib.chdir(cwd):
        result = CliRunner().invoke(main, list(args), env=env)
    stderr = result.stderr
    if result.exc_info is not None and not issubclass(result.exc_info[0], SystemExit):
        stderr += "".join(traceback.format_exception(*result.exc_info))
    return Invoked(tuple(args), result.exit_code, result.stdout, stderr)


def write_case(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# The complete cases the LibreOffice tests read: the examples, one case per cooperation form,
# and the case whose text holds every Norwegian and Sami letter.
BUILT_CASES = [*sorted(EXAMPLES.glob("*.yaml")), *sorted((FIXTURES / "former").glob("*.yaml")),
               FIXTURES / "samiske-bokstaver.yaml"]


CASE = "cases/roros-os-holtalen.yaml"
COMMIT_DATE = "2026-11-23T10:00:00+01:00"


def git(folder: Path, *args: str, date: str = COMMIT_DATE) -> str:
    """Real git, with a fixed identity and commit date so the stamp's date is known."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "Sekretariatet", "GIT_AUTHOR_EMAIL": "s@example.no",
           "GIT_COMMITTER_NAME": "Sekretariatet", "GIT_COMMITTER_EMAIL": "s@example.no",
           "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    result = subprocess.run(["git", *args], cwd=folder, env=env, capture_output=True, text=True,
                            check=True)
    return result.stdout.strip()


def make_repo(folder: Path, status: str = "utkast") -> Path:
    """A project in git: the example case (with the status given) and its own templates."""
    (folder / "cases").mkdir(parents=True)
    text = (EXAMPLES / "roros-os-holtalen.yaml").read_text(encoding="utf-8")
    (folder / CASE).write_text(text.replace("status: utkast", f"status: {status}"),
                               encoding="utf-8")
    shutil.copytree(ROOT / "templates", folder / "templates",
                    ignore=shutil.ignore_patterns("__pycache__"))
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "Utkast 1")
    return folder


SUBMISSIONS = {  # case id -> {kommunenummer: (header, arkivsak)}, as in the example cases
    "barnevern-lillehammer-gausdal": {"3405": ("Lillehammer kommune", "2026/1184"),
                                      "3441": ("Gausdal kommune", "26/2210")},
    "lillehammerregionen-3-1": {"3405": ("Lillehammer kommune", "2027/118"),
                                "3441": ("Gausdal kommune", "27/140"),
                                "3440": ("Øyer kommune", "27/88")},
    "pp-teneste-sogn": {"4640": ("Sogndal kommune", "2027/412"),
                        "4644": ("Luster kommune", "27/519"),
                        "4641": ("Aurland kommune", "27/208")},
}
COPIES = [(case_id, number) for case_id, copies in SUBMISSIONS.items() for number in copies]


def words(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


# Where pages() and chars() keep what pdfplumber read, for every worker of the run (set by
# conftest.py): pdfplumber takes about 0.1 s of CPU a page, and tests on different workers
# read the same PDFs of the shared build, for their text and for their characters.
PAGE_CACHE: Path | None = None


def pages(pdf: Path, first: int | None = None) -> list[str]:
    """The text of each page (or of the first `first` pages), as pdfplumber reads it."""
    return list(_read(pdf, first)[0])


def chars(pdf: Path) -> list[list[dict]]:
    """pdfplumber's characters of each page, as {"text", "fontname"} (archive.check's
    `chars`)."""
    return [list(page) for page in _read(pdf, None)[1]]


def pdf_text(pdf: Path) -> str:
    """The words of every page, as pdfplumber reads them, one space between each."""
    return " ".join(pages(pdf))


def _read(pdf: Path, first: int | None) -> tuple[tuple, tuple]:
    info = pdf.stat()
    return _read_once(pdf.resolve(), info.st_ino, info.st_size, info.st_mtime_ns, first)


@functools.lru_cache(maxsize=64)
def _read_once(pdf: Path, inode: int, size: int, mtime_ns: int, first: int | None
               ) -> tuple[tuple, tuple]:
    # Many tests read the same PDFs of the shared build (an agreement once per council): each
    # file is read once per run, keyed by its bytes. A file written again has another inode,
    # size or time, so this worker reads its bytes again.
    data = pdf.read_bytes()
    key = hashlib.sha256(data).hexdigest() + ("" if first is None else f"-{first}")
    kept = PAGE_CACHE / f"{key}.json" if PAGE_CACHE else None
    if kept is not None and kept.is_file():
        texts, characters = json.loads(kept.read_text(encoding="utf-8"))
    else:
        texts, characters = [], []
        with pdfplumber.open(io.BytesIO(data), pages=range(1, first + 1) if first else None
                             ) as doc:
            for page in doc.pages:
                texts.append(words(page.extract_text() or ""))
                characters.append([{"text": c["text"], "fontname": c.get("fontname", "")}
                                   for c in page.chars])
        if kept is not None:
            _keep(kept, [texts, characters])
    return tuple(texts), tuple(tuple(page) for page in characters)


def _kept(pdf: Path, *parts: object) -> Path | None:
    """Where what was read of the PDF (as it is now) with `parts` is kept for the run."""
    if PAGE_CACHE is None:
        return None
    key = "-".join([hashlib.sha256(pdf.read_bytes()).hexdigest(), *map(str, parts)])
    return PAGE_CACHE / f"{hashlib.sha256(key.encode()).hexdigest()}.json"


def _keep(kept: Path, value: object) -> None:
    # Whole or not at all: another worker may read it at any moment.
    kept.parent.mkdir(parents=True, exist_ok=True)
    partial = kept.with_name(f"{kept.name}.{os.getpid()}")
    partial.write_text(json.dumps(value), encoding="utf-8")
    partial.replace(kept)


def plumber_reading(pdf: Path, margins: tuple[float, float], pages: int | None = None):
    """samdok's own pdfplumber reading (generator.pdf.reading.with_pdfplumber), taken from
    the shared `verify --strict` run where it read the same bytes (see keeping_readings)."""
    from generator.pdf.reading import Reading, with_pdfplumber

    kept = _kept(pdf, "reading", *margins, pages)
    if kept is not None and kept.is_file():
        return Reading(**json.loads(kept.read_text(encoding="utf-8")))
    reading = with_pdfplumber(pdf, margins, pages)
    if kept is not None:
        _keep(kept, vars(reading))
    return reading


@contextlib.contextmanager
def keeping_readings():
    """While in it, every pdfplumber reading verify makes is kept for plumber_reading()."""
    from generator.pdf import verify

    def keep(pdf: Path, margins=verify.DEFAULT_MARGINS, pages: int | None = None):
        reading = read(pdf, margins, pages)
        if (kept := _kept(pdf, "reading", *margins, pages)) is not None:
            _keep(kept, vars(reading))
        return reading

    read, verify.with_pdfplumber = verify.with_pdfplumber, keep
    try:
        yield
    finally:
        verify.with_pdfplumber = read


def yaml_data(text: str) -> Any:
    """The plain data of a YAML text as ruamel's pure parser reads it (YAML 1.2, as samdok
    does): a fresh copy each time, each text parsed once per process (tests take the same
    minimal cases apart hundreds of times)."""
    return copy.deepcopy(_yaml_data(text))


@functools.lru_cache(maxsize=256)
def _yaml_data(text: str) -> Any:
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(text)


@functools.cache
def _composed(case_id: str) -> tuple:
    return tuple(compose(load_case(EXAMPLES / f"{case_id}.yaml"), templates_dir()))


def model(case_id: str, stem: str):
    """The document model of one document of an example case (composed once per worker;
    tests only read it)."""
    return next(d for d in _composed(case_id) if d.file_stem == stem)


def many_councils_case(count: int, language: str = "nb") -> tuple[str, list[str]]:
    """A case file with a submission to the first `count` councils of the register: its
    text, and the parties' numbers."""
    import csv

    with (ROOT / "generator" / "data" / "kommuner.csv").open() as f:
        numbers = [row["kommunenummer"] for row in csv.DictReader(f)][:count]
    case = "\n".join([
        f"språk: {language}", "id: mange", "tittel: Felles innkjøp", "samarbeidsform: vertskommune",
        "dokumenter: [samarbeidsavtale, saksframlegg]", f"vertskommune: '{numbers[0]}'",
        "parter:", *[f"  - kommune: '{n}'" for n in numbers],
        "formål: Felles innkjøp.", "oppgaver: [Innkjøp.]", "overføring: 2027-01-01",
        "underretning: alle vedtak om innkjøp",
        "økonomi: {budsjett: {2027: 1000000}, fordeling: {nøkkel: folketall}}",
        "inntreden: Etter vedtak.", "uttreden: {oppsigelsestid_måneder: 12}",
        "oppløsning: Etter vedtak.", "ikrafttredelse: 2027-01-01",
        "saksframlegg:", "  sammendrag: Felles innkjøp.", "  saksopplysninger: Utredet.",
        "  vurdering: Godt.", "  kommuner:",
        *[f"    '{n}': {{arkivsak: 2027/{i}, saksbehandler: Kari Nordmann, dato: 2027-02-01, "
          f"behandling: [{{utvalg: Kommunestyret, møtedato: 2027-03-18}}]}}"
          for i, n in enumerate(numbers, start=1)],
    ]) + "\n"
    return case, numbers


def many_councils(folder: Path, language: str = "nb"):
    """A case with one party more than MANY_PARTIES: its documents, and the parties' numbers."""
    from generator.compose.enrich import MANY_PARTIES

    case, numbers = many_councils_case(MANY_PARTIES + 1, language)
    return compose(load_case(write_case(folder, "mange.yaml", case)), templates_dir()), numbers


# The example with a complete decision history, and its variants: one council's meetings
# replaced by others ("Kommunestyret 2026-09-16 vedtatt" lines as inline YAML mappings).
LEGEVAKT = EXAMPLES / "legevakt-hamar-loten-stange.yaml"


def legevakt(text: str | None = None, **routes: list[str]) -> str:
    """The example's text (or `text`) with the meetings of each council named replaced."""
    import re

    text = text if text is not None else LEGEVAKT.read_text(encoding="utf-8")
    for council, meetings in routes.items():
        block = "".join(f"        - {m}\n" for m in meetings)
        pattern = rf"(\n    {council}:\n(?:      .*\n)*?      behandling:\n)(?:        - .*\n)+"
        text, count = re.subn(pattern, lambda m, block=block: m.group(1) + block, text)
        assert count == 1, council
    return text
