"""Untrusted files and repositories: git never takes a user string as an option nor runs a
repository's commands, Word files are bounded and never pass macros on, a PKCS#12 file
without a key is a message, and check, text and diff write nothing at all."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.base import gitinfo
from generator.cli import main
from tests.helpers import EXAMPLES, FIXTURES, git, invoke

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
        result = invoke("diff", str(old), str(new), "--docx", str(folder / name), cwd=folder)
        assert result.returncode == 0, result.stderr
    return folder / "v1.docx", folder / "v2.docx"


# Runs samdok's commands one after another in one fresh process, each through click's
# CliRunner, and prints each one's exit code and output as JSON.
COMMANDS = r"""
import json, sys
from click.testing import CliRunner
from generator.cli import main

print(json.dumps([(command, *(lambda r: (r.exit_code, r.stdout, r.stderr))(
    CliRunner().invoke(main, command))) for command in json.loads(sys.argv[1])]))
"""


@pytest.mark.processes
def test_check_text_and_diff_write_nothing(tmp_path: Path, samdok_docx) -> None:
    """The commands run in a fresh process (so every library is imported, and so could write
    a cache, as it is for a user) with TMPDIR and HOME pointed at watched folders, in a
    project folder that is a git repository; nothing in any of them changes."""
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
    before = snapshot(project, tmp, home)
    result = subprocess.run([sys.executable, "-c", COMMANDS, json.dumps(list(commands))],
                            cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for command, code, stdout, stderr in json.loads(result.stdout):
        assert code == 0, (command, stderr)
        assert commands[tuple(command)] in stdout, (command, stdout)
    assert changed(before, snapshot(project, tmp, home)) == []


# --- git: no user string as an option, no command from the repository's configuration ---------

def committed_case(folder: Path) -> Path:
    """A project in git with one case committed twice (draft 1, draft 2)."""
    case = folder / "cases" / "diff.yaml"
    case.parent.mkdir(parents=True)
    shutil.copy(V1, case)
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "Utkast 1")
    shutil.copy(V2, case)
    git(folder, "commit", "-q", "-am", "Utkast 2")
    return case


@pytest.mark.parametrize("revision", ["--output=pwn", "-p", "--output=pwn "])
def test_a_revision_is_never_a_git_option(tmp_path: Path, monkeypatch, revision: str) -> None:
    """`git show --output=pwn:./diff.yaml` writes a file; with a folder named 'pwn:.' in place
    (a repository can hold one) it did. The revision is refused before git sees it."""
    committed_case(tmp_path)
    target = tmp_path / "cases" / "pwn:."
    target.mkdir()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["diff", f"cases/diff.yaml@{revision}"])
    assert result.exit_code == 1, result.output
    assert f"'{revision}' is not a revision: it starts with '-'" in result.output
    assert "hint: name a commit, branch or tag" in result.output
    assert list(target.iterdir()) == []


@pytest.mark.parametrize("revision", ["HEAD^{tree}", "HEAD:cases/diff.yaml", "nosuchrev"])
def test_a_revision_must_name_a_commit(tmp_path: Path, monkeypatch, revision: str) -> None:
    committed_case(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["diff", f"cases/diff.yaml@{revision}"])
    assert result.exit_code == 1, result.output
    assert f"git has no version of diff.yaml at '{revision}' (no such commit)" in result.output


def test_a_file_name_is_not_a_pathspec(tmp_path: Path) -> None:
    """A case named '[d]iff.yaml' is not 'diff.yaml' (a glob), nor is ':(top)*' pathspec magic:
    git's answer about one file is about that file only."""
    case = committed_case(tmp_path)
    for name in ("[d]iff.yaml", "*.yaml", ":(glob)*"):
        other = case.parent / name
        shutil.copy(V1, other)  # new, never committed
        found = gitinfo.state(other)
        assert (found.commit, found.dirty) == (None, True), name
        assert gitinfo.changes(other) == [f"?? cases/{name}"], name
    assert gitinfo.state(case).commit is not None
    assert gitinfo.changes(case) == []


def hostile_repository(folder: Path, marker: Path) -> Path:
    """A repository whose own .git/config (as in a zip someone sent) names commands that
    git runs on `status`, `log` and when it compares a changed file; its last commit is
    signed, so log.showSignature has a signature to check."""
    case = committed_case(folder)
    signer = folder.parent / "sign-gpg"
    signer.write_text("#!/bin/sh\ncat >/dev/null\necho '[GNUPG:] SIG_CREATED ' >&2\n"
                      "printf -- '-----BEGIN PGP SIGNATURE-----\\nx\\n"
                      "-----END PGP SIGNATURE-----\\n'\n", encoding="utf-8")
    signer.chmod(0o755)
    case.write_text(V2.read_text(encoding="utf-8") + "# signert\n", encoding="utf-8")
    git(folder, "-c", f"gpg.program={signer}", "commit", "-q", "-S", "-am", "Signert")
    marker_command = f"touch {marker}"
    toucher = folder.parent / "touch-gpg"  # git gives gpg options that touch would refuse
    toucher.write_text(f"#!/bin/sh\n{marker_command}-gpg\n", encoding="utf-8")
    toucher.chmod(0o755)
    config = {
        "core.fsmonitor": f"{marker_command}-fsmonitor; false",
        "filter.ren.clean": f"{marker_command}-clean; cat",
        "filter.ren.process": f"{marker_command}-process",
        "filter.ren.required": "true",
        "log.showSignature": "true",
        "gpg.program": str(toucher),
        "status.submoduleSummary": "true",
        "core.pager": f"{marker_command}-pager",
    }
    for key, value in config.items():
        git(folder, "config", key, value)
    (folder / ".git" / "info" / "attributes").write_text("* filter=ren\n", encoding="utf-8")
    return case


def test_a_repository_runs_none_of_its_commands(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    case = hostile_repository(tmp_path / "project", marker)
    templates = case.parent.parent / "templates"
    templates.mkdir()
    (templates / "x.yaml").write_text("a: 1\n", encoding="utf-8")
    assert gitinfo.changes(case) == []  # the stat data is fresh: no file is compared yet
    os.utime(case, ns=(0, 0))  # now git must compare the contents (the clean filter's moment)
    found = gitinfo.state(case)
    assert found.commit is not None and found.dirty is False
    assert gitinfo.changes(templates) == ["?? templates/x.yaml"]
    assert gitinfo.head(case) is not None
    assert gitinfo.show(case, "HEAD~2", "x", 10**6).startswith(b"# Draft 1")
    case.write_text("endret\n", encoding="utf-8")
    assert gitinfo.state(case).dirty is True
    assert gitinfo.changes(case) == ["M cases/diff.yaml"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("ran")) == []


# --- Word files ---------------------------------------------------------------------------------

def rewritten(source: Path, out: Path, change) -> Path:
    """A copy of a .docx whose parts (name -> bytes) `change` edits."""
    with zipfile.ZipFile(source) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    change(parts)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out


def add_part(parts: dict, name: str, data: bytes, content_type: str, reltype: str,
             rels: str = "word/_rels/document.xml.rels", target: str | None = None,
             external: bool = False) -> None:
    """A part with its content type and a relationship to it (or only an external one)."""
    if not external:
        parts[name] = data
        types = parts["[Content_Types].xml"].decode()
        parts["[Content_Types].xml"] = types.replace(
            "</Types>", f'<Override PartName="/{name}" ContentType="{content_type}"/></Types>'
        ).encode()
    mode = ' TargetMode="External"' if external else ""
    rel = (f'<Relationship Id="rIdEvil" Type="{reltype}" '
           f'Target="{target or name.removeprefix("word/")}"{mode}/>')
    if rels not in parts:
        parts[rels] = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                       b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                       b'relationships"></Relationships>')
    parts[rels] = parts[rels].decode().replace("</Relationships>",
                                               rel + "</Relationships>").encode()


R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
MS = "http://schemas.microsoft.com/office/2006/relationships/"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # the start of a compound file
SETTINGS_RELS = "word/_rels/settings.xml.rels"


def macro_main(parts: dict) -> None:
    add_part(parts, "word/vbaProject.bin", OLE, "application/vnd.ms-office.vbaProject",
             MS + "vbaProject")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml")


ACTIVE = {
    "a macro project": lambda p: add_part(
        p, "word/vbaProject.bin", OLE, "application/vnd.ms-office.vbaProject",
        MS + "vbaProject"),
    "a macro-enabled document": macro_main,
    "ActiveX controls": lambda p: add_part(
        p, "word/activeX/activeX1.xml", b'<?xml version="1.0"?><ax:ocx xmlns:ax="http://'
        b'schemas.microsoft.com/office/2006/activeX" ax:classid="{0}"/>',
        "application/vnd.ms-office.activeX+xml", R + "control"),
    "an embedded (OLE) object": lambda p: add_part(
        p, "word/embeddings/oleObject1.bin", OLE,
        "application/vnd.openxmlformats-officedocument.oleObject", R + "oleObject"),
    "a remote template": lambda p: add_part(
        p, "", b"", "", R + "attachedTemplate", rels=SETTINGS_RELS,
        target="https://example.invalid/mal.dotm", external=True),
    "a remote picture": lambda p: add_part(
        p, "", b"", "", R + "image", target="file://server/share/x.png", external=True),
}


@pytest.mark.parametrize("kind", list(ACTIVE))
def test_active_content_never_reaches_the_redline(tmp_path: Path, samdok_docx, kind) -> None:
    """The redline is the new .docx annotated: a macro project, control, OLE object or
    remote link in it was written on into the redline. Now the file is refused."""
    hostile = rewritten(samdok_docx[1], tmp_path / "ny.docx", ACTIVE[kind])
    redline = tmp_path / "redline.docx"
    result = CliRunner().invoke(main, ["diff", str(V1), str(hostile), "--docx", str(redline)])
    assert result.exit_code == 1, result.output
    expected = {"a remote template": "makes Word fetch 'https://example.invalid/mal.dotm'",
                "a remote picture": "makes Word fetch 'file://server/share/x.png'",
                "a macro-enabled document": "carries a macro project"}
    assert f"ny.docx: {expected.get(kind, f'carries {kind}')}" in result.output
    assert "hint: " in result.output
    assert not redline.exists()


def test_a_hyperlink_is_not_active_content(tmp_path: Path, samdok_docx) -> None:
    """Links to web pages are part of a text; they stay (the refusal is not of everything)."""
    linked = rewritten(samdok_docx[1], tmp_path / "ny.docx", lambda p: add_part(
        p, "", b"", "", R + "hyperlink", target="https://lovdata.no", external=True))
    redline = tmp_path / "redline.docx"
    result = CliRunner().invoke(main, ["diff", str(V1), str(linked), "--docx", str(redline)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(redline) as archive:
        assert "https://lovdata.no" in archive.read("word/_rels/document.xml.rels").decode()


def bomb(source: Path, out: Path, size: int, level: int = 1) -> Path:
    """A copy of a .docx with a picture of `size` zero bytes, related from the document as
    pictures are, written in chunks (the test never holds it in memory)."""
    def related(parts: dict) -> None:
        add_part(parts, "word/media/image1.png", b"", "image/png", R + "image")
        del parts["word/media/image1.png"]  # written below, in chunks

    rewritten(source, out, related)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        with archive.open("word/media/image1.png", "w", force_zip64=True) as part:
            chunk = bytes(1 << 20)
            for _ in range(size >> 20):
                part.write(chunk)
    return out


@pytest.fixture(scope="module")
def zip_bomb(samdok_docx, tmp_path_factory) -> Path:
    """256 MiB of picture in a file of about 1 MB."""
    folder = tmp_path_factory.mktemp("bomb")
    return bomb(samdok_docx[1], folder / "bomb.docx", 256 << 20)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path, zip_bomb: Path) -> None:
    assert zip_bomb.stat().st_size < 2 << 20
    for args in (["diff", str(V1), str(zip_bomb)], ["text", str(zip_bomb)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, result.output
        assert f"{zip_bomb}: the Word file unpacks to 268," in result.output
        assert "samdok reads at most 104,857,600 (a zip bomb?)" in result.output


def test_a_part_packed_too_tightly_is_refused(tmp_path: Path, samdok_docx) -> None:
    """20 MiB is within the size bound; packed a thousand times it is not a picture."""
    packed = bomb(samdok_docx[1], tmp_path / "ny.docx", 20 << 20, level=9)
    result = CliRunner().invoke(main, ["diff", str(V1), str(packed)])
    assert result.exit_code == 1, result.output
    assert "word/media/image1.png unpacks 1,0" in result.output
    assert "times its packed size (more than 100: a zip bomb?)" in result.output


def test_too_many_parts_are_refused(tmp_path: Path, samdok_docx) -> None:
    def many(parts: dict) -> None:
        for number in range(1200):  # the limit is 1,000
            add_part(parts, f"word/media/p{number}.png", b"", "image/png", R + "image")

    crowded = rewritten(samdok_docx[1], tmp_path / "ny.docx", many)
    for args in (["diff", str(V1), str(crowded)], ["text", str(crowded)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, result.output
        assert "the Word file holds 1,2" in result.output
        assert "samdok reads at most 1,000" in result.output


LAUGHS = ('<!DOCTYPE w:document [<!ENTITY l0 "hahahahahahahahaha">'
          + "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10)) + "]>")
XXE = '<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize("doctype,entity", [(LAUGHS, "&l9;"), (XXE, "&x;")])
def test_xml_entities_are_refused(tmp_path: Path, samdok_docx, doctype, entity) -> None:
    """An entity bomb or an external entity in document.xml: python-docx did not expand
    them, pandoc failed with a hint to install pandoc; now both say what the file holds."""
    def with_doctype(parts: dict) -> None:
        xml = parts["word/document.xml"].decode()
        end = xml.index("?>") + 2
        parts["word/document.xml"] = (xml[:end] + doctype + xml[end:]).replace(
            "Personale", "Personale" + entity, 1).encode()

    hostile = rewritten(samdok_docx[1], tmp_path / "ny.docx", with_doctype)
    for args in (["diff", str(V1), str(hostile)], ["text", str(hostile)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, result.output
        assert "ny.docx: word/document.xml declares a DOCTYPE (XML entities); Word never " \
               "writes one" in result.output
        assert "root:" not in result.output


# --- PKCS#12 -------------------------------------------------------------------------------------

def test_a_pkcs12_file_without_a_private_key(tmp_path: Path, monkeypatch) -> None:
    """Certificates only (as a party exports its public certificate): pyHanko failed with an
    AttributeError traceback."""
    import datetime as dt

    import pikepdf
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Ordfører i Røros")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    credential = tmp_path / "offentlig.p12"
    credential.write_bytes(pkcs12.serialize_key_and_certificates(
        b"ordforer", None, cert, None, serialization.BestAvailableEncryption(b"hemmelig")))
    pdf = tmp_path / "avtale.pdf"
    with pikepdf.new() as document:
        document.add_blank_page()
        document.save(pdf)
    monkeypatch.setenv("SAMDOK_PKCS12_PASSWORD", "hemmelig")
    result = CliRunner().invoke(main, ["sign", str(pdf), "--pkcs12", str(credential)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert f"error: {credential}: holds no private key with its certificate; hint: export " \
           "the certificate together with its private key" in result.output
    assert not (tmp_path / "avtale-signert.pdf").exists()


def _field(*runs: str) -> str:
    return "<w:p>" + "".join(runs) + "</w:p>"


def _char(kind: str) -> str:
    return f'<w:r><w:fldChar w:fldCharType="{kind}"/></w:r>'


def _code(text: str) -> str:
    return f'<w:r><w:instrText xml:space="preserve">{text}</w:instrText></w:r>'


FIELDS = {
    "DDEAUTO": _field(_char("begin"), _code(' DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe '
                                             '"/k calc.exe" '), _char("separate"), _char("end")),
    "split DDE": _field(_char("begin"), _code(" DD"), _code("EAUTO cmd "), _char("end")),
    "INCLUDETEXT": '<w:p><w:fldSimple w:instr=" INCLUDETEXT &quot;\\\\\\\\server\\\\x.docx&quot; ">'
                   '<w:r><w:t>x</w:t></w:r></w:fldSimple></w:p>',
    "built by QUOTE": _field(_char("begin"), _char("begin"), _code(" QUOTE 68 68 69 "),
                             _char("end"), _code(" cmd "), _char("end")),
}


@pytest.mark.parametrize("kind", list(FIELDS))
def test_a_field_that_fetches_or_runs_never_reaches_the_redline(tmp_path: Path, samdok_docx,
                                                                kind: str) -> None:
    """A DDE or INCLUDE field in a party's Word file ran or fetched when the redline samdok
    wrote from it was opened; such a file is refused, a PAGE field is not."""
    def add(parts: dict) -> None:
        parts["word/document.xml"] = parts["word/document.xml"].replace(
            b"<w:body>", b"<w:body>" + FIELDS[kind].encode(), 1)

    hostile = rewritten(samdok_docx[1], tmp_path / "ny.docx", add)
    redline = tmp_path / "redline.docx"
    result = CliRunner().invoke(main, ["diff", str(V1), str(hostile), "--docx", str(redline)])
    assert result.exit_code == 1, result.output
    expected = {"built by QUOTE": "holds a field whose code is built by another field",
                "split DDE": "holds a DDEAUTO field"}.get(kind, f"holds a {kind} field")
    assert f"ny.docx: {expected}" in result.output
    assert "hint: " in result.output
    assert not redline.exists()
    page = rewritten(samdok_docx[1], tmp_path / "side.docx", lambda parts: parts.update({
        "word/document.xml": parts["word/document.xml"].replace(
            b"<w:body>", b"<w:body>" + _field(_char("begin"), _code(" PAGE "),
                                              _char("end")).encode(), 1)}))
    result = CliRunner().invoke(main, ["diff", str(V1), str(page), "--docx", str(redline)])
    assert result.exit_code == 0, result.output


def test_a_huge_blob_in_git_is_refused_before_it_is_read(tmp_path: Path, monkeypatch) -> None:
    """git packs repeated bytes so well that a small repository holds a blob of gigabytes:
    its size is asked first, and a blob over the case-file limit is never read."""
    from generator.model import source as load

    case = committed_case(tmp_path)
    monkeypatch.setattr(load, "MAX_FILE_BYTES", 50_000)
    monkeypatch.setattr("generator.review.versions.MAX_FILE_BYTES", 50_000)
    case.write_text(case.read_text(encoding="utf-8") + "#" + " " * 60_000 + "\n",
                    encoding="utf-8")
    git(tmp_path, "commit", "-q", "-am", "Stor")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["diff", "cases/diff.yaml@HEAD~1", "cases/diff.yaml@HEAD"])
    assert result.exit_code == 1, result.output
    assert "cases/diff.yaml@HEAD: the file at 'HEAD' is larger than 50,000 bytes" in (
        result.output)
    working = CliRunner().invoke(main, ["diff", "cases/diff.yaml@HEAD~1", "cases/diff.yaml"])
    assert working.exit_code == 1, working.output
    assert "cases/diff.yaml: the file is larger than 50,000 bytes" in working.output
