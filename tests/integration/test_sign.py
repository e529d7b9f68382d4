"""Signing in turn and checking signatures through the command line: a PDF built by real
LibreOffice, real pyHanko, and throw-away certificates made at test time (never committed)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from generator.pdf import archive as pdfa
from tests.helpers import invoke

pytestmark = pytest.mark.libreoffice

PASSWORD = "prøve-passord-ŋ"  # not ASCII on purpose
TITLE = "Samarbeidsavtale mellom Røros, Os og Holtålen"
PARTIES = (("Ingrid Haugen", "Røros kommune"), ("Ola Bakken", "Os kommune"),
           ("Marit Lien", "Holtålen kommune"))


@dataclass(frozen=True)
class Pki:
    """A throw-away CA, one PKCS#12 file per party signed by it, and an unrelated CA."""

    ca: Path
    signers: list[Path]
    other_ca: Path


def _name(common: str, organisation: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _certificate(subject: x509.Name, key, issuer: x509.Name, issuer_key, *, ca: bool):
    now = dt.datetime.now(dt.UTC)
    usage = dict.fromkeys(("digital_signature", "content_commitment", "key_encipherment",
                           "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign",
                           "encipher_only", "decipher_only"), False)
    usage.update({"key_cert_sign": True, "crl_sign": True} if ca else
                 {"digital_signature": True, "content_commitment": True})
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=7))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(**usage), critical=True)
            .sign(issuer_key, hashes.SHA256()))


def _ca(folder: Path, label: str):
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(f"samdok test-CA {label}", "samdok test")
    cert = _certificate(name, key, name, key, ca=True)
    path = folder / f"ca-{label}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert, path


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    ca_key, ca_cert, ca_path = _ca(folder, "a")
    signers = []
    for number, (person, organisation) in enumerate(PARTIES, start=1):
        key = ec.generate_private_key(ec.SECP256R1())  # P-256: fast
        cert = _certificate(_name(person, organisation), key, ca_cert.subject, ca_key, ca=False)
        data = pkcs12.serialize_key_and_certificates(
            person.encode(), key, cert, [ca_cert],
            serialization.BestAvailableEncryption(PASSWORD.encode("utf-8")))
        path = folder / f"part{number}.p12"
        path.write_bytes(data)
        signers.append(path)
    return Pki(ca_path, signers, _ca(folder, "b")[2])


@pytest.fixture(scope="module")
def built(built: Path) -> Path:
    """The example agreement, from the suite's one build of the examples (conftest's
    `built`); never changed here, only copied."""
    return built / "build" / "roros-os-holtalen" / "samarbeidsavtale.pdf"


@pytest.fixture
def agreement(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(built, tmp_path / "samarbeidsavtale.pdf"))


def sign(pdf: Path, p12: Path, *args: str, password: str = PASSWORD):
    return invoke("sign", pdf.name, "--pkcs12", str(p12), *args, cwd=pdf.parent,
                  env={"SAMDOK_PKCS12_PASSWORD": password})


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def three_signatures(built: Path, pki: Pki, tmp_path_factory) -> Path:
    """The agreement signed by the three parties in turn, with the real command line, once."""
    agreement = Path(shutil.copy(built, tmp_path_factory.mktemp("signed") / built.name))
    before = sha256(agreement)
    out = agreement.with_name("samarbeidsavtale-signert.pdf")
    revisions = []
    for number, p12 in enumerate(pki.signers, start=1):
        result = sign(agreement if number == 1 else out, p12)
        assert result.returncode == 0, result.stderr
        person, organisation = PARTIES[number - 1]
        assert (f"signed by {person} ({organisation}) in field Underskrift{number}: "
                f"wrote {out.name}") in result.stdout
        assert PASSWORD not in result.stdout + result.stderr
        revisions.append(out.read_bytes())
    assert sha256(agreement) == before  # the built agreement itself is never changed
    # Incremental updates: each signed file begins with the previous one, byte for byte.
    for earlier, later in zip(revisions, revisions[1:], strict=False):
        assert later.startswith(earlier) and len(later) > len(earlier)
    return out


@pytest.fixture
def signed_by_three(three_signatures: Path, agreement: Path) -> Path:
    """A copy of the three times signed agreement, beside a copy of the unsigned one."""
    return Path(shutil.copy(three_signatures, agreement.with_name(three_signatures.name)))


def signatures(pdf: Path, *args: str):
    return invoke("signatures", pdf.name, *args, cwd=pdf.parent)


def test_three_parties_sign_in_turn_and_all_three_signatures_hold(signed_by_three: Path,
                                                                  pki: Pki) -> None:
    result = signatures(signed_by_three, "--trust", str(pki.ca))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for number, (person, organisation) in enumerate(PARTIES, start=1):
        assert f"{number}. Underskrift{number}: {person} ({organisation})" in out
    assert out.count("intact:   yes, the signed content is unchanged") == 3
    assert out.count("coverage: later revisions only add signatures") == 2
    assert out.count("coverage: covers the whole file") == 1
    assert out.count("trusted:  chains to a given trust root") == 3
    assert re.search(r"signed:   \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", out)
    assert "3 signature(s), all intact" in out


def test_trust_is_only_claimed_against_a_given_root(signed_by_three: Path, pki: Pki) -> None:
    unchecked = signatures(signed_by_three)
    assert unchecked.returncode == 0
    assert unchecked.stdout.count("trusted:  not checked") == 3
    other = signatures(signed_by_three, "--trust", str(pki.other_ca))
    assert other.returncode == 1
    assert other.stdout.count("trusted:  NO: does not chain to a given trust root") == 3


def test_signing_keeps_the_pdfa_claims_and_adds_invisible_pades_signatures(
        signed_by_three: Path) -> None:
    assert pdfa.identification(signed_by_three) == "2B"
    assert pdfa.check(signed_by_three, "nb-NO", TITLE) == []
    with pikepdf.open(signed_by_three) as doc:
        fields = doc.Root.AcroForm.Fields
        assert [str(f.T) for f in fields] == ["Underskrift1", "Underskrift2", "Underskrift3"]
        for field in fields:
            assert field.V.SubFilter == "/ETSI.CAdES.detached"  # PAdES baseline
            assert int(field.F) & 4  # printable, as PDF/A requires
            x1, y1, x2, y2 = (float(v) for v in field.Rect)
            assert x1 == x2 and y1 == y2  # no appearance on the page


def test_one_changed_byte_in_the_signed_content_is_reported(signed_by_three: Path,
                                                            built: Path) -> None:
    data = bytearray(signed_by_three.read_bytes())
    # A byte inside the first content stream of the original revision, which all three
    # signatures cover.
    at = data.index(b"stream", data.index(b"/Length")) + 60
    assert at < built.stat().st_size
    data[at] ^= 0x01
    signed_by_three.write_bytes(bytes(data))
    result = signatures(signed_by_three)
    assert result.returncode == 1
    assert result.stdout.count("intact:   NO: the signed content was changed") == 3
    assert "3 of 3 signature(s) fail" in result.stderr
    assert "Traceback" not in result.stderr


def test_bytes_added_after_the_last_signature_are_reported(signed_by_three: Path) -> None:
    with signed_by_three.open("ab") as stream:
        stream.write(b"\n% lagt til etter signering\n")
    result = signatures(signed_by_three)
    assert result.returncode == 1
    assert "byte(s) after the last signature are not covered by any signature" in result.stderr
    assert "coverage: NO: bytes were added to the file after this signature" in result.stdout
    assert "1 of 3 signature(s) fail and the file changed after the last signature" in \
        result.stderr


def test_a_content_change_after_signing_is_reported(signed_by_three: Path) -> None:
    # An incremental update that replaces the first page's content: every signature's own
    # bytes stay intact, but the document is no longer what was signed.
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    changed = signed_by_three.with_name("endret.pdf")
    with signed_by_three.open("rb") as source:
        writer = IncrementalPdfFileWriter(source)
        page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
        page_ref.get_object()["/Contents"] = writer.add_object(
            generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 72 Td (Endret) Tj ET"))
        writer.mark_update(page_ref)
        with changed.open("wb") as out:
            writer.write(out)
    result = signatures(changed)
    assert result.returncode == 1
    assert result.stdout.count("intact:   yes") == 3
    assert result.stdout.count("coverage: NO: the document was changed after this signature") == 3


def unchanged_folder(folder: Path):
    """The files of a folder with their hashes, to show a failed command wrote nothing."""
    return {p.name: sha256(p) for p in sorted(folder.iterdir())}


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("wrong-password", "part1.p12: wrong password for the PKCS#12 file"),
        ("missing", "missing.p12: PKCS#12 file not found"),
        ("truncated", "truncated.p12: not a PKCS#12 file, or a damaged one"),
        ("not-a-key", "not-a-key.p12: not a PKCS#12 file, or a damaged one"),
    ],
)
def test_a_bad_pkcs12_or_password_fails_clearly_and_changes_nothing(
        agreement: Path, pki: Pki, case: str, message: str) -> None:
    p12, password = pki.signers[0], PASSWORD
    if case == "wrong-password":
        password = "feil-passord"
    elif case == "missing":
        p12 = pki.signers[0].with_name("missing.p12")
    elif case == "truncated":
        p12 = agreement.with_name("truncated.p12")
        p12.write_bytes(pki.signers[0].read_bytes()[:300])
    else:
        p12 = agreement.with_name("not-a-key.p12")
        p12.write_text("-----BEGIN NOTHING-----\n", encoding="utf-8")
    before = unchanged_folder(agreement.parent)
    result = sign(agreement, p12, password=password)
    assert result.returncode == 1
    assert message in result.stderr
    assert "hint:" in result.stderr
    assert "Traceback" not in result.stderr
    assert password not in result.stdout + result.stderr
    assert unchanged_folder(agreement.parent) == before


def test_an_unsigned_pdf_has_no_signatures_to_list(agreement: Path) -> None:
    before = sha256(agreement)
    result = signatures(agreement)
    assert result.returncode == 1
    assert "samarbeidsavtale.pdf: has no signatures" in result.stderr
    assert "Traceback" not in result.stderr
    assert sha256(agreement) == before


def test_without_password_or_terminal_signing_stops_and_says_how(agreement: Path,
                                                                 pki: Pki) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SAMDOK_PKCS12_PASSWORD"}
    before = unchanged_folder(agreement.parent)
    result = subprocess.run([sys.executable, "-m", "generator", "sign", agreement.name,
                             "--pkcs12", str(pki.signers[0])], cwd=agreement.parent, env=env,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert "set SAMDOK_PKCS12_PASSWORD" in result.stderr
    assert unchanged_folder(agreement.parent) == before


def test_the_password_is_no_command_line_option() -> None:
    result = invoke("sign", "--help", cwd=Path.cwd())
    assert result.returncode == 0
    assert "--password" not in result.stdout
    assert "SAMDOK_PKCS12_PASSWORD" in result.stdout


def test_an_existing_signed_file_is_never_replaced_by_signing_the_original(
        signed_by_three: Path, agreement: Path, pki: Pki) -> None:
    before = unchanged_folder(agreement.parent)
    result = sign(agreement, pki.signers[0])
    assert result.returncode == 1
    assert "samarbeidsavtale-signert.pdf already exists" in result.stderr
    assert unchanged_folder(agreement.parent) == before


def test_a_file_that_is_no_pdf_is_refused(tmp_path: Path, pki: Pki) -> None:
    text = tmp_path / "avtale.pdf"
    text.write_text("ikke en PDF\n", encoding="utf-8")
    result = sign(text, pki.signers[0])
    assert result.returncode == 1
    assert "avtale.pdf: not a readable PDF" in result.stderr
    assert not (tmp_path / "avtale-signert.pdf").exists()
