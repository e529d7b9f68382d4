"""Signature verdicts a dishonest party must not fool: a field painted over signed content, a
removed signature, a certificate that may not sign, a damaged signature field. Each attack PDF
is built here with pyHanko from a small PDF and throw-away certificates; each verdict is
cross-checked with poppler's pdfsig where pdfsig can judge."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pikepdf
import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from generator.cli import main

if TYPE_CHECKING:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

PASSWORD = "prøve"
AMOUNT = b"Kostnad: kr 100 000"
FORGED = b"Kostnad: kr 900 000"
SIGNING = {"digital_signature": True, "content_commitment": True}


class _Imported:
    """A module imported when first used: pyHanko takes half a second to import, and every
    test worker imports every test module to collect it."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        if attribute.startswith("_"):  # pytest looks at every name of a module it collects
            raise AttributeError(attribute)
        return getattr(importlib.import_module(self._name), attribute)


generic = _Imported("pyhanko.pdf_utils.generic")
fields = _Imported("pyhanko.sign.fields")
signers = _Imported("pyhanko.sign.signers")
incremental = _Imported("pyhanko.pdf_utils.incremental_writer")


def N(name: str):  # noqa: N802 (as pyHanko's NameObject reads in a PDF dictionary)
    return generic.NameObject(name)


@dataclass(frozen=True)
class Pki:
    ca: Path
    parties: list[Path]  # PKCS#12 files of three signers the CA issued
    encryption_only: Path  # a PKCS#12 file whose certificate may only encrypt


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"{common} kommune"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _certificate(subject, key, issuer, issuer_key, usage: dict[str, bool], *, ca: bool):
    now = dt.datetime.now(dt.UTC)
    flags = dict.fromkeys(("digital_signature", "content_commitment", "key_encipherment",
                           "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign",
                           "encipher_only", "decipher_only"), False)
    flags.update(usage)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=7))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(**flags), critical=True)
            .sign(issuer_key, hashes.SHA256()))


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("samdok test-CA")
    ca = _certificate(ca_name, ca_key, ca_name, ca_key, {"key_cert_sign": True,
                                                         "crl_sign": True}, ca=True)
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files = []
    for person, usage in (("Røros", SIGNING), ("Os", SIGNING), ("Holtålen", SIGNING),
                          ("Kryptering", {"key_encipherment": True})):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(_name(person), key, ca_name, ca_key, usage, ca=False)
        path = folder / f"{person}.p12"
        path.write_bytes(pkcs12.serialize_key_and_certificates(
            person.encode(), key, cert, [ca],
            serialization.BestAvailableEncryption(PASSWORD.encode())))
        files.append(path)
    return Pki(folder / "ca.pem", files[:3], files[3])


@pytest.fixture
def agreement(tmp_path: Path) -> Path:
    """A one-page PDF with an amount on it, as the cost table of an agreement would have."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    pdf.pages[0].Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    pdf.pages[0].Contents = pdf.make_stream(b"BT /F1 14 Tf 72 700 Td (" + AMOUNT + b") Tj ET")
    path = tmp_path / "avtale.pdf"
    pdf.save(path)
    return path


def samdok(*args: str):
    result = CliRunner().invoke(main, [str(a) for a in args],
                                env={"SAMDOK_PKCS12_PASSWORD": PASSWORD})
    assert "Traceback" not in result.output
    return result


def sign(pdf: Path, p12: Path) -> Path:
    """Sign with samdok, as the parties do: NAME.pdf into NAME-signert.pdf, then in place."""
    result = samdok("sign", pdf, "--pkcs12", p12)
    assert result.exit_code == 0, result.output
    return pdf if pdf.stem.endswith("-signert") else pdf.with_name(f"{pdf.stem}-signert.pdf")


def pyhanko_sign(writer: IncrementalPdfFileWriter, p12: Path, field: str) -> bytes:
    """Sign with pyHanko directly, as a party with another tool (or a dishonest one) would."""
    signer = signers.SimpleSigner.load_pkcs12(str(p12), passphrase=PASSWORD.encode())
    meta = signers.PdfSignatureMetadata(field_name=field,
                                        subfilter=fields.SigSeedSubFilter.PADES)
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=signer, new_field_spec=fields.SigFieldSpec(field)).sign_pdf(
        writer, output=out)
    return out.getvalue()


def writer_for(pdf: Path) -> IncrementalPdfFileWriter:
    return incremental.IncrementalPdfFileWriter(io.BytesIO(pdf.read_bytes()))


def update_form(writer: IncrementalPdfFileWriter) -> None:
    raw = writer.root.raw_get("/AcroForm")
    if isinstance(raw, generic.IndirectObject):
        writer.mark_update(raw)
    else:
        writer.update_root()
    fields_raw = writer.root["/AcroForm"].raw_get("/Fields")
    if isinstance(fields_raw, generic.IndirectObject):
        writer.mark_update(fields_raw)


def paint_over_the_amount(writer: IncrementalPdfFileWriter) -> None:
    """Add an unsigned signature field whose appearance is a white box with another amount,
    exactly where the signed amount stands."""
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    appearance = generic.StreamObject({
        N("/Type"): N("/XObject"), N("/Subtype"): N("/Form"),
        N("/BBox"): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 250, 30)]),
        N("/Resources"): generic.DictionaryObject({
            N("/Font"): page["/Resources"].raw_get("/Font")}),
    }, stream_data=b"1 g 0 0 250 30 re f 0 g BT /F1 14 Tf 2 8 Td (" + FORGED + b") Tj ET")
    field = writer.add_object(generic.DictionaryObject({
        N("/FT"): N("/Sig"), N("/T"): generic.TextStringObject("Merknad"),
        N("/Type"): N("/Annot"), N("/Subtype"): N("/Widget"), N("/F"): generic.NumberObject(4),
        N("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in (70, 692, 320, 722)]),
        N("/P"): page_ref,
        N("/AP"): generic.DictionaryObject({N("/N"): writer.add_object(appearance)}),
    }))
    annots = page.raw_get("/Annots") if "/Annots" in page else None
    if isinstance(annots, generic.IndirectObject):
        annots.get_object().append(field)
        writer.mark_update(annots)
    else:
        page["/Annots"] = generic.ArrayObject([*(annots or []), field])
        writer.mark_update(page_ref)
    writer.root["/AcroForm"]["/Fields"].append(field)
    update_form(writer)


def remove_first_signature_and_change_the_amount(writer: IncrementalPdfFileWriter) -> None:
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    form = writer.root["/AcroForm"]
    listed = form["/Fields"]
    form["/Fields"] = generic.ArrayObject(
        [listed.raw_get(i) for i in range(len(listed)) if listed[i]["/T"] != "Underskrift1"])
    update_form(writer)
    if "/Annots" in page:
        annots = page["/Annots"]
        page["/Annots"] = generic.ArrayObject(
            [annots.raw_get(i) for i in range(len(annots))
             if annots[i].get("/T") != "Underskrift1"])
    page["/Contents"] = writer.add_object(generic.StreamObject(
        stream_data=b"BT /F1 14 Tf 72 700 Td (" + FORGED + b") Tj ET"))
    writer.mark_update(page_ref)


def then_write(writer: IncrementalPdfFileWriter) -> IncrementalPdfFileWriter:
    """End the revision: what follows goes into a new one."""
    out = io.BytesIO()
    writer.write(out)
    return incremental.IncrementalPdfFileWriter(out)


@dataclass(frozen=True)
class PdfsigSignature:
    field: str
    valid: bool | None  # None: no signature in the field (pdfsig does not validate one)
    whole_file: bool
    certificate: str


def pdfsig(pdf: Path) -> list[PdfsigSignature]:
    """poppler's own reading of the signatures (another implementation than pyHanko)."""
    tool = shutil.which("pdfsig")
    assert tool, "pdfsig is missing: apt-get install poppler-utils"
    out = subprocess.run([tool, str(pdf)], capture_output=True, text=True, timeout=60).stdout
    found = []
    for block in re.split(r"^Signature #\d+:\n", out, flags=re.M)[1:]:
        field = re.search(r"Signature Field Name: (.*)", block)
        validation = re.search(r"Signature Validation: (.*)", block)
        certificate = re.search(r"Certificate Validation: (.*)", block)
        found.append(PdfsigSignature(
            field.group(1).strip() if field else "",
            None if validation is None else validation.group(1).strip() == "Signature is Valid.",
            "- Total document signed" in block,
            certificate.group(1).strip() if certificate else ""))
    return found


def revisions(pdf: Path, folder: Path) -> list[Path]:
    """The file as it was after each revision (each ends with %%EOF), for pdfsig."""
    data = pdf.read_bytes()
    paths = []
    for number, end in enumerate(m.end() for m in re.finditer(rb"%%EOF\r?\n?", data)):
        path = folder / f"revision-{number + 1}.pdf"
        path.write_bytes(data[:end])
        paths.append(path)
    return paths


# The honest case: no verdict may be a false alarm.

@pytest.mark.pdfsig
def test_parties_signing_in_turn_pass_and_pdfsig_agrees(agreement: Path, pki: Pki) -> None:
    signed = agreement
    for p12 in pki.parties:
        signed = sign(signed, p12)
    result = samdok("signatures", signed, "--trust", pki.ca)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("intact:   yes") == 3
    assert result.stdout.count("coverage: later revisions only add signatures") == 2
    assert result.stdout.count("trusted:  chains to a given trust root") == 3
    assert "3 signature(s), all intact" in result.stdout
    assert result.stderr == ""
    poppler = pdfsig(signed)
    assert [s.field for s in poppler] == ["Underskrift1", "Underskrift2", "Underskrift3"]
    assert all(s.valid for s in poppler)
    assert [s.whole_file for s in poppler] == [False, False, True]


# Attack 1: a field painted over signed content between two signers.

@pytest.mark.pdfsig
@pytest.mark.parametrize("by", ["someone between the signers", "the next signer"])
def test_a_field_painted_over_signed_content_is_reported(agreement: Path, pki: Pki,
                                                         by: str) -> None:
    first = sign(agreement, pki.parties[0])
    writer = writer_for(first)
    paint_over_the_amount(writer)
    if by == "the next signer":  # the field and the signature in one revision
        forged = first.with_name("forged.pdf")
        forged.write_bytes(pyhanko_sign(writer, pki.parties[1], "Underskrift2"))
        changed = 3
    else:  # handled between the signers, then the next party signs it with samdok
        forged = first.with_name("forged-signert.pdf")
        out = io.BytesIO()
        writer.write(out)
        forged.write_bytes(out.getvalue())
        forged = sign(forged, pki.parties[1])
        changed = 3
    # pyHanko's own analysis calls this form filling; the page does show the forged amount.
    result = samdok("signatures", forged, "--trust", pki.ca)
    assert result.exit_code == 1
    assert "coverage: NO: the document was changed after this signature (revision " \
        f"{changed})" in result.stdout
    assert (f"NO: revision {changed} adds the unsigned signature field Merknad, drawn on "
            "page 1 (it can cover signed content)") in result.stderr
    assert "nothing but signing changed the file" not in result.stdout
    assert result.stdout.count("intact:   yes") == 2  # no signature is broken; it was painted
    # pdfsig: both signatures verify, the first does not cover the file, and Merknad is a
    # signature field without a signature (pdfsig lists it, but cannot validate it).
    poppler = {s.field: s for s in pdfsig(forged)}
    assert poppler["Merknad"].valid is None
    assert poppler["Underskrift1"].valid and not poppler["Underskrift1"].whole_file
    last = [name for name in poppler if name not in ("Merknad", "Underskrift1")]
    assert len(last) == 1 and poppler[last[0]].valid and poppler[last[0]].whole_file


@pytest.mark.pdfsig
def test_a_visible_signature_of_a_later_signer_is_reported(agreement: Path, pki: Pki) -> None:
    """The next signer's own field drawn over the amount: pyHanko calls it form filling."""
    first = sign(agreement, pki.parties[0])
    signer = signers.SimpleSigner.load_pkcs12(str(pki.parties[1]), passphrase=PASSWORD.encode())
    meta = signers.PdfSignatureMetadata(field_name="Underskrift2",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=signer, new_field_spec=fields.SigFieldSpec(
        "Underskrift2", box=(70, 692, 320, 722))).sign_pdf(writer_for(first), output=out)
    forged = first.with_name("visible.pdf")
    forged.write_bytes(out.getvalue())
    result = samdok("signatures", forged)
    assert result.exit_code == 1
    assert ("NO: revision 3 draws the signature in field Underskrift2 on page 1 (an "
            "appearance can cover signed content)") in result.stderr
    assert all(s.valid for s in pdfsig(forged))  # pdfsig only judges integrity here


# Attack 2: a later signer removes an earlier signature, changes the content, and signs.

@pytest.mark.pdfsig
@pytest.mark.parametrize("revisions_used", [1, 2])
def test_a_removed_signature_is_reported(agreement: Path, pki: Pki, revisions_used: int,
                                         tmp_path: Path) -> None:
    first = sign(agreement, pki.parties[0])
    writer = writer_for(first)
    remove_first_signature_and_change_the_amount(writer)
    if revisions_used == 2:
        writer = then_write(writer)
    forged = first.with_name("forged.pdf")
    forged.write_bytes(pyhanko_sign(writer, pki.parties[1], "Underskrift2"))
    result = samdok("signatures", forged)
    assert result.exit_code == 1
    assert "NO: revision 3 removes the signature in field Underskrift1" in result.stderr
    assert "nothing but signing changed the file" not in result.stdout
    # pdfsig, file as it is: one signature, which verifies and covers the whole file (the
    # removal is invisible to it); the file as it was after revision 2: Underskrift1 signed.
    poppler = pdfsig(forged)
    assert [(s.field, s.valid, s.whole_file) for s in poppler] == [
        ("Underskrift2", True, True)]
    assert result.stdout.count("intact:   yes") == 1
    before = revisions(forged, tmp_path)[1]
    assert [(s.field, s.valid) for s in pdfsig(before)] == [("Underskrift1", True)]


@pytest.mark.pdfsig
def test_a_content_change_after_the_last_signature_names_its_revision(agreement: Path,
                                                                      pki: Pki) -> None:
    signed = sign(sign(agreement, pki.parties[0]), pki.parties[1])
    writer = writer_for(signed)
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page_ref.get_object()["/Contents"] = writer.add_object(generic.StreamObject(
        stream_data=b"BT /F1 14 Tf 72 700 Td (" + FORGED + b") Tj ET"))
    writer.mark_update(page_ref)
    out = io.BytesIO()
    writer.write(out)
    signed.write_bytes(out.getvalue())
    result = samdok("signatures", signed)
    assert result.exit_code == 1
    assert result.stdout.count("coverage: NO: the document was changed after this signature "
                               "(revision 4)") == 2
    assert "NO: revision 4 adds no signature; changes more than signature fields" in \
        result.stderr
    # One plain line per finding: pyHanko's difference analysis only with -v.
    assert "details" not in result.output and "unexplained" not in result.output.lower()
    assert len(result.output) < 2000
    verbose = samdok("-v", "signatures", signed)
    assert "    details: SuspiciousModification: " in verbose.stderr
    poppler = pdfsig(signed)
    assert [(s.valid, s.whole_file) for s in poppler] == [(True, False), (True, False)]


# Attack 3: a certificate whose key usage does not allow signing.

def test_signing_refuses_a_certificate_that_may_not_sign(agreement: Path, pki: Pki) -> None:
    before = sorted(p.name for p in agreement.parent.iterdir())
    result = samdok("sign", agreement, "--pkcs12", pki.encryption_only)
    assert result.exit_code == 1
    assert ("Kryptering.p12: the certificate of Kryptering (Kryptering kommune) may not sign: "
            "its key usage (key encipherment) does not allow signing; hint: use the "
            "certificate meant for signing") in result.stderr
    assert sorted(p.name for p in agreement.parent.iterdir()) == before


@pytest.mark.pdfsig
def test_a_signature_by_a_certificate_that_may_not_sign_is_reported(agreement: Path,
                                                                    pki: Pki) -> None:
    """Made with another tool: samdok says what is wrong, not that trust failed."""
    forged = agreement.with_name("kryptert.pdf")
    forged.write_bytes(pyhanko_sign(writer_for(agreement), pki.encryption_only,
                                    "Underskrift1"))
    for trust in ([], ["--trust", pki.ca]):
        result = samdok("signatures", forged, *trust)
        assert result.exit_code == 1
        assert ("usage:    NO: the certificate may not sign: its key usage (key encipherment) "
                "does not allow signing") in result.stdout
        assert "does not chain" not in result.stdout
    # pdfsig: the signature value verifies, but poppler objects to the certificate beyond its
    # unknown issuer, as it does not for a signing certificate of the same CA.
    honest = sign(agreement, pki.parties[0])
    [bad], [good] = pdfsig(forged), pdfsig(honest)
    assert bad.valid and good.valid
    assert bad.certificate != good.certificate


# Attack 4: a damaged signature field must not hide the others.

@pytest.mark.pdfsig
@pytest.mark.parametrize("damage", ["contents", "byte range short", "byte range past the end"])
def test_a_damaged_signature_is_reported_and_the_others_are_listed(agreement: Path, pki: Pki,
                                                                   damage: str) -> None:
    signed = sign(sign(agreement, pki.parties[0]), pki.parties[1])
    data = bytearray(signed.read_bytes())
    if damage == "contents":  # the last signature's /Contents is garbage (same length)
        at = data.rindex(b"/Contents <") + len(b"/Contents <")
        data[at:at + 64] = b"7" * 64
    else:  # the last signature's /ByteRange lies about where the signed bytes end
        match = list(re.finditer(rb"/ByteRange \[(\d+) (\d+) (\d+) (\d+) *\]", data))[-1]
        length = int(match.group(4)) + (-10 if damage == "byte range short" else 1000)
        data[match.start(4):match.end(4)] = str(length).encode().rjust(len(match.group(4)))
    signed.write_bytes(bytes(data))
    result = samdok("signatures", signed, "--trust", pki.ca)
    assert result.exit_code == 1
    first, second = result.stdout.split("\n2. ")
    assert "1. Underskrift1: Røros (Røros kommune)" in first
    assert "intact:   yes" in first and "trusted:  chains to a given trust root" in first
    assert second.startswith("Underskrift2: ")
    assert "intact:   NO: " in second
    assert "trusted:  not checked" in second  # a broken signature has no trust verdict
    assert "not a readable PDF" not in result.stderr
    if damage == "contents":  # its /ByteRange still says the whole file is signed
        assert "after the last signature" not in result.stderr
    poppler = {s.field: s for s in pdfsig(signed)}
    assert poppler["Underskrift1"].valid is True
    assert poppler["Underskrift2"].valid is False
