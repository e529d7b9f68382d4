"""samdok writes inside its output folder only: every case id passes one check, case discovery
skips hidden files, and links committed into the output folder are refused or replaced, never
written through. Each attack watches a folder outside the output folder, victim files included,
and checks that not one byte or name in it changed."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.helpers import FIXTURES

HOSTILE = FIXTURES / "fiendtlig"
NO_ID = HOSTILE / "sti-uten-id.yaml"  # a valid case without 'id'
MINIMAL = FIXTURES / "minimal.yaml"  # id: minimal
SCRIPT = b"#!/bin/sh\necho 'this file belongs to the user'\n"


def tree(root: Path, skip: Path | None = None) -> dict[str, bytes | str]:
    """Every name under root (but not under skip) -> its bytes, or where a link points."""
    found: dict[str, bytes | str] = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        for name in list(dirs):
            if here / name == skip:
                dirs.remove(name)
            elif (here / name).is_symlink():
                found[str((here / name).relative_to(root))] = os.readlink(here / name)
        for name in files:
            path = here / name
            found[str(path.relative_to(root))] = (os.readlink(path) if path.is_symlink()
                                                  else path.read_bytes())
        found[str(here.relative_to(root)) + "/"] = b""
    return found


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """tmp/project (the working folder, output folder build/) beside tmp/utenfor, a folder
    outside holding a user's script. Yields (project, outside)."""
    project, outside = tmp_path / "project", tmp_path / "utenfor"
    (project / "cases").mkdir(parents=True)
    (outside / "mappe").mkdir(parents=True)
    (outside / "offer.sh").write_bytes(SCRIPT)
    monkeypatch.chdir(project)
    return project, outside


def samdok(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def assert_refused(result, code: int, *phrases: str) -> None:
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a traceback
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


# --- one check for every case id -------------------------------------------------------------

@pytest.mark.parametrize("name", ["...yaml", "..yaml"])
def test_a_file_name_of_dots_names_no_folder_and_nothing_outside_is_written(world, name) -> None:
    """'...yaml' without an id once built into build/.., the working folder."""
    project, outside = world
    shutil.copy(NO_ID, project / "cases" / name)
    (project / "manifest.json").write_bytes(SCRIPT)  # where build/../manifest.json would go
    before = tree(project.parent)
    result = samdok("build", f"cases/{name}")
    assert_refused(result, 1, f"cases/{name}: id: the case has no 'id', and its file name "
                              f"gives the id '{name[:-5]}'", "hint: add a line 'id: ")
    assert tree(project.parent) == before


@pytest.mark.parametrize(("name", "suggested"), [
    ("Røros Os.yaml", "roros-os"),
    ("sak_1.yaml", "sak-1"),
    ("nul.yaml", "min-sak"),  # a device on Windows
    (f"{'a' * 200}.yaml", "a" * 64),
])
def test_a_file_name_that_is_no_id_is_a_problem_naming_the_file(world, name, suggested) -> None:
    project, _ = world
    shutil.copy(NO_ID, project / "cases" / name)
    result = samdok("check", f"cases/{name}")
    assert_refused(result, 1, f"cases/{name}: id: the case has no 'id', and its file name",
                   f"hint: add a line 'id: {suggested}' to the case")


def test_a_file_name_that_is_an_id_still_gives_the_id(world) -> None:
    project, _ = world
    shutil.copy(NO_ID, project / "cases" / "lonn-2027.yaml")
    result = samdok("check", "cases/lonn-2027.yaml")
    assert result.exit_code == 0, result.output
    assert "ok  cases/lonn-2027.yaml (lonn-2027: samarbeidsavtale)" in result.stdout


def test_an_over_long_id_is_a_located_problem_not_a_traceback(world) -> None:
    project, _ = world
    shutil.copy(HOSTILE / "sti-lang-id.yaml", project / "cases" / "lang.yaml")
    for command in ("check", "build"):
        result = samdok(command, "cases/lang.yaml")
        assert_refused(result, 1, "cases/lang.yaml:2:5: id: 'aaaa",
                       "is 300 characters long; an id has at most 64", "hint: write e.g. 'id: ")
    assert not (project / "build").exists()


def test_a_written_id_that_climbs_out_is_refused(world) -> None:
    project, outside = world
    shutil.copy(HOSTILE / "sti-id-utenfor.yaml", project / "cases" / "sak.yaml")
    before = tree(project.parent)
    result = samdok("build", "cases/sak.yaml")
    assert_refused(result, 1, "cases/sak.yaml:2:5: id: '../../utenfor' is not allowed here: "
                              "an id holds only lower-case letters a-z, digits and '-'",
                   "hint: write e.g. 'id: utenfor'")
    assert tree(project.parent) == before


def test_discovery_skips_hidden_files_and_says_so(world) -> None:
    project, _ = world
    shutil.copy(MINIMAL, project / "cases" / "minimal.yaml")
    shutil.copy(NO_ID, project / "cases" / "...yaml")
    shutil.copy(MINIMAL, project / "cases" / ".skjult.yaml")  # a valid id inside: still skipped
    result = samdok("check")
    assert result.exit_code == 0, result.output
    assert result.stdout == "ok  cases/minimal.yaml (minimal: samarbeidsavtale)\n"
    for name in ("...yaml", ".skjult.yaml"):
        assert (f"note: skipped cases/{name}: a hidden file (its name starts with '.'); "
                "name it to build it") in result.stderr


def test_only_hidden_files_is_no_case_found(world) -> None:
    project, _ = world
    shutil.copy(NO_ID, project / "cases" / "...yaml")
    result = samdok("build")
    assert_refused(result, 1, "note: skipped cases/...yaml", "no case files found")
    assert not (project / "build").exists()


@pytest.mark.parametrize("case_id", ["../offer", "../utenfor/offer", "Røros", "a" * 65, "-x"])
def test_new_takes_only_a_valid_id(world, case_id) -> None:
    project, outside = world
    (project / "offer.yaml").write_bytes(SCRIPT)
    before = tree(project.parent)
    result = samdok("new", "--form", "vertskommune", "-p", "3405", "-p", "3441",
                    "--id", case_id, "--force")
    assert_refused(result, 2, "Invalid value for '--id'", "hint: e.g. --id ")
    assert tree(project.parent) == before


def test_new_replaces_a_link_at_its_file_and_never_writes_through_it(world) -> None:
    project, outside = world
    link = project / "cases" / "ny-sak.yaml"
    link.symlink_to(outside / "offer.sh")
    before = tree(outside)
    result = samdok("new", "--form", "vertskommune", "-p", "3405", "-p", "3441",
                    "--id", "ny-sak")
    assert_refused(result, 1, "exists already")  # a link is a file there: --force replaces it
    result = samdok("new", "--form", "vertskommune", "-p", "3405", "-p", "3441",
                    "--id", "ny-sak", "--force")
    assert result.exit_code == 0, result.output
    assert not link.is_symlink() and "id: ny-sak" in link.read_text(encoding="utf-8")
    assert tree(outside) == before


def test_ids_read_back_from_the_state_file_pass_the_same_check(world) -> None:
    """The state file may be committed by someone else: an entry whose id climbs out is no
    record of a current case."""
    import json

    from generator import __version__
    from generator.base.project import templates_dir
    from generator.build.state import STATE_FILE, BuildState

    project, outside = world
    case = project / "cases" / "sak.yaml"
    shutil.copy(MINIMAL, case)
    out = project / "build"
    out.mkdir()
    (outside / "sak.pdf").write_bytes(b"%PDF")
    info = (outside / "sak.pdf").stat()
    key = BuildState(out, templates_dir()).key(case)
    entry = {"id": "../../utenfor", "inputs": key, "warnings": 0, "documents": 1,
             "outputs": {"sak.pdf": [info.st_size, info.st_mtime_ns]}}
    (out / STATE_FILE).write_text(json.dumps(
        {"samdok": __version__, "cases": {str(case.resolve()): entry}}), encoding="utf-8")
    assert BuildState(out, templates_dir()).current_case(case) is None
    entry["id"] = "utenfor"  # the same entry with a valid id is current: only the id differs
    (out / "utenfor").mkdir()
    shutil.copy2(outside / "sak.pdf", out / "utenfor" / "sak.pdf")
    (out / STATE_FILE).write_text(json.dumps(
        {"samdok": __version__, "cases": {str(case.resolve()): entry}}), encoding="utf-8")
    assert BuildState(out, templates_dir()).current_case(case) == ("utenfor", 1)


# --- links in the output folder -------------------------------------------------------------

def test_a_link_in_place_of_the_output_folder_is_refused(world) -> None:
    project, outside = world
    shutil.copy(MINIMAL, project / "cases" / "minimal.yaml")
    (project / "build").symlink_to(outside / "mappe")
    before = tree(project.parent, skip=project / "build")
    result = samdok("build")
    assert_refused(result, 3, "build: the output folder is a symbolic link (to ",
                   f"hint: pass the real folder with -o {outside / 'mappe'}, if that is where "
                   "the documents belong")
    assert tree(project.parent, skip=project / "build") == before


def test_a_link_in_place_of_a_case_folder_is_refused_before_converting(world) -> None:
    project, outside = world
    shutil.copy(MINIMAL, project / "cases" / "minimal.yaml")
    (project / "build").mkdir()
    (project / "build" / "minimal").symlink_to(outside / "mappe")
    before = tree(project.parent)
    result = samdok("build")
    assert_refused(result, 3, "build/minimal: the case folder is a symbolic link (to ",
                   "samdok writes only inside its output folder and follows no links there",
                   "hint: remove build/minimal; samdok makes the folder again")
    assert tree(project.parent) == before


def test_a_file_in_place_of_a_case_folder_is_refused_before_converting(world) -> None:
    project, _ = world
    shutil.copy(MINIMAL, project / "cases" / "minimal.yaml")
    (project / "build").mkdir()
    (project / "build" / "minimal").write_bytes(SCRIPT)
    before = tree(project.parent)
    result = samdok("build")
    assert_refused(result, 3, "build/minimal: the case folder is a file, not a folder")
    assert tree(project.parent) == before


@pytest.mark.parametrize("target", ["offer.sh", "ny-fil"])  # an existing file, and none
@pytest.mark.parametrize("name", [".samdok.lock", ".samdok.state.json"])
def test_a_link_in_place_of_the_lock_or_the_state_file_is_refused(world, name, target) -> None:
    project, outside = world
    shutil.copy(MINIMAL, project / "cases" / "minimal.yaml")
    (project / "build").mkdir()
    (project / "build" / name).symlink_to(outside / target)
    before = tree(project.parent)
    result = samdok("build")
    assert_refused(result, 3, f"build/{name}: samdok's ", "is a symbolic link (to ",
                   f"hint: remove build/{name}")
    assert tree(project.parent) == before


def test_the_state_file_is_written_atomically_beside_itself_never_through_a_link(world) -> None:
    """The fixed temporary name .samdok.state.json.tmp once was a link's way out: the state
    file (which names the case file) overwrote the user's script."""
    from generator.base.project import templates_dir
    from generator.build.state import STATE_FILE, BuildState

    project, outside = world
    out = project / "build"
    out.mkdir()
    (out / f"{STATE_FILE}.tmp").symlink_to(outside / "offer.sh")
    before = tree(outside)
    recorded = BuildState(out, templates_dir())
    recorded.save()
    assert tree(outside) == before
    assert (out / STATE_FILE).is_file() and not (out / STATE_FILE).is_symlink()
    assert sorted(p.name for p in out.iterdir()) == [STATE_FILE, f"{STATE_FILE}.tmp"]


@pytest.mark.libreoffice
def test_a_real_build_writes_nothing_through_links_committed_into_its_output_folder(
        world) -> None:
    """A whole build with the links a hostile repository could commit: the state file's old
    temporary name and two outputs of the case. The links are replaced (outputs) or left
    alone (the temporary samdok no longer uses); the user's files are untouched."""
    project, outside = world
    shutil.copy(MINIMAL, project / "cases" / "minimal.yaml")
    (outside / "offer.pdf").write_bytes(b"%PDF-1.7 the user's own\n")
    out = project / "build"
    (out / "minimal").mkdir(parents=True)
    (out / ".samdok.state.json.tmp").symlink_to(outside / "offer.sh")
    (out / "minimal" / "manifest.json").symlink_to(outside / "offer.sh")
    (out / "minimal" / "samarbeidsavtale.pdf").symlink_to(outside / "offer.pdf")
    (out / "minimal" / "samarbeidsavtale.docx").symlink_to(outside / "ny.docx")
    before = tree(outside)
    result = samdok("build")
    assert result.exit_code == 0, result.output
    assert tree(outside) == before
    for name in ("manifest.json", "samarbeidsavtale.pdf", "samarbeidsavtale.docx"):
        assert not (out / "minimal" / name).is_symlink()
    assert (out / "minimal" / "samarbeidsavtale.pdf").read_bytes().startswith(b"%PDF-")
    assert b"cases/minimal.yaml" in (out / ".samdok.state.json").read_bytes()


# --- samdok sign's default output ------------------------------------------------------------

def test_signing_replaces_a_link_at_the_signed_name_and_never_writes_through_it(
        world, tmp_path: Path) -> None:
    """NAME-signert.pdf committed as a link to a file that does not exist yet: the signed
    file takes the link's place, and nothing appears where it pointed."""
    import pikepdf
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    project, outside = world
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Ola Bakken")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    p12 = tmp_path / "ola.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"ola", key, cert, None, serialization.BestAvailableEncryption(b"passord")))
    pdf = project / "avtale.pdf"
    with pikepdf.new() as document:
        document.add_blank_page()
        document.save(pdf)
    link = project / "avtale-signert.pdf"
    link.symlink_to(outside / "signert.pdf")
    before = tree(outside)
    result = samdok("sign", "avtale.pdf", "--pkcs12", str(p12),
                    env={"SAMDOK_PKCS12_PASSWORD": "passord"})
    assert result.exit_code == 0, result.output
    assert tree(outside) == before
    assert not link.is_symlink() and link.read_bytes().startswith(b"%PDF")
