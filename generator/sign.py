"""PAdES signatures with pyHanko: sign a finished PDF party by party; check its signatures."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import SigningError

PASSWORD_VARIABLE = "SAMDOK_PKCS12_PASSWORD"
SIGNED_SUFFIX = "-signert"
FIELD_PREFIX = "Underskrift"

# pyHanko logs certificate-path failures with tracebacks; samdok reports them itself.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).setLevel(logging.CRITICAL + 1)


@dataclass(frozen=True)
class Signed:
    """The result of one signing."""

    output: Path
    field: str
    signer: str
    pdfa: str | None  # the PDF/A claim kept ("2B"), or None when the input had none


@dataclass(frozen=True)
class SignatureCheck:
    """One signature of a PDF, as `samdok signatures` reports it."""

    field: str
    signer: str
    time: dt.datetime | None
    intact: bool  # the signed bytes are unchanged and the signature value verifies
    covers: bool  # nothing but signing (or form filling) happened after it
    coverage: str  # in words
    trusted: bool | None  # None: no trust roots were given
    trust_note: str = ""


@dataclass(frozen=True)
class SignaturesReport:
    """Every signature of a PDF, and the bytes after the last one that no signature covers."""

    pdf: Path
    signatures: list[SignatureCheck]
    uncovered_bytes: int

    @property
    def ok(self) -> bool:
        return (self.uncovered_bytes == 0
                and all(s.intact and s.covers and s.trusted is not False for s in self.signatures))


def default_output(pdf: Path) -> Path:
    """NAME.pdf is signed into NAME-signert.pdf; a NAME-signert.pdf is signed in place, so the
    parties sign one file in turn."""
    if pdf.stem.endswith(SIGNED_SUFFIX):
        return pdf
    return pdf.with_name(f"{pdf.stem}{SIGNED_SUFFIX}{pdf.suffix}")


def check_output(pdf: Path, out: Path) -> None:
    """Refuse to replace a file other than the input: it may hold someone's signature."""
    if out.exists() and not (pdf.exists() and out.samefile(pdf)):
        raise SigningError(f"{out} already exists; hint: to add a signature, sign that file "
                           f"(a file named *{SIGNED_SUFFIX}.pdf is signed in place), or choose "
                           "another output with -o")
    if not out.parent.is_dir():
        raise SigningError(f"{out.parent}: no such folder for the signed file")


def read_pdf(pdf: Path) -> bytes:
    """The PDF's bytes, after making sure pyHanko can read it."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    data = _read(pdf, "PDF", "hint: give the path of a built agreement, e.g. "
                 "build/<case-id>/samarbeidsavtale.pdf")
    try:
        reader = PdfFileReader(io.BytesIO(data))
        if reader.encrypted:
            raise SigningError(f"{pdf}: the PDF is encrypted; samdok signs only unencrypted PDFs")
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise SigningError(f"{pdf}: not a readable PDF ({exc})") from None
    return data


def read_pkcs12(path: Path) -> bytes:
    """The PKCS#12 file's bytes, after making sure it is one (its password is not needed yet)."""
    from asn1crypto import pkcs12

    data = _read(path, "PKCS#12 file", "hint: give the .p12 or .pfx file that holds the "
                 "signer's certificate and private key")
    try:
        _ = pkcs12.Pfx.load(data).native  # parses the whole structure; the contents stay locked
    except ValueError:
        raise SigningError(f"{path}: not a PKCS#12 file, or a damaged one; hint: export the "
                           "certificate with its private key as .p12 or .pfx") from None
    return data


def load_signer(data: bytes, path: Path, password: str):
    """The signer (certificate and key) in a PKCS#12 file opened with `password`."""
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.sign.signers import SimpleSigner

    passphrase = password.encode("utf-8") if password else None
    try:
        # Opened here first (as pyHanko does) to see that a key is there: pyHanko fails with
        # an AttributeError on a file that holds certificates only.
        key, cert, _ = pkcs12.load_key_and_certificates(data, passphrase)
        if key is None or cert is None:
            raise SigningError(f"{path}: holds no private key with its certificate; hint: "
                               "export the certificate together with its private key (in "
                               "Windows: 'Yes, export the private key'; .p12 or .pfx)")
        signer = SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=passphrase)
    except ValueError:
        # The structure was read before (read_pkcs12), so what fails here is unlocking it.
        raise SigningError(f"{path}: wrong password for the PKCS#12 file (or its contents are "
                           f"damaged); hint: check ${PASSWORD_VARIABLE}, or unset it to be "
                           "asked") from None
    if signer.signing_key is None or signer.signing_cert is None:
        raise SigningError(f"{path}: holds no private key with its certificate; hint: export "
                           "the certificate together with its private key")
    cert = signer.signing_cert
    now = dt.datetime.now(dt.UTC)
    validity = cert["tbs_certificate"]["validity"]
    begins, ends = validity["not_before"].native, validity["not_after"].native
    if not begins <= now <= ends:
        raise SigningError(f"{path}: the certificate of {subject_name(cert)} is valid from "
                           f"{begins:%Y-%m-%d} to {ends:%Y-%m-%d}, not now")
    return signer


def sign(pdf: Path, data: bytes, signer, out: Path) -> Signed:
    """Add a PAdES signature in a new field as an incremental update, written to `out`.

    The signed file is written next to `out` under a temporary name, checked, and only then
    renamed, so on any failure `out` (which may be the input itself) is as it was.
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.metadata.model import VENDOR
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError as PyHankoSigningError

    from . import pdfa

    claim_before = pdfa.identification(io.BytesIO(data))
    known = pdfa.archive_claims(io.BytesIO(data)) if claim_before else []
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        field = _new_field_name(writer.prev)
        # pyHanko appends itself to the info dictionary's /Producer but writes only itself to
        # the XMP pdf:Producer; PDF/A requires the two to agree, so both say pyHanko.
        info_ref = writer.trailer.raw_get("/Info") if "/Info" in writer.trailer else None
        if info_ref is not None:
            info = info_ref.get_object()
            if str(info.get("/Producer", "")) != VENDOR:
                info["/Producer"] = generic.TextStringObject(VENDOR)
                writer.mark_update(info_ref)
        meta = signers.PdfSignatureMetadata(field_name=field,
                                            subfilter=fields.SigSeedSubFilter.PADES)
        # Invisible: pyHanko's visible stamp uses a font it does not embed (not PDF/A). The
        # print flag is what PDF/A needs; a box outside the page is what PDF/UA accepts.
        spec = fields.SigFieldSpec(field, invis_sig_settings=fields.InvisSigSettings(
            set_print_flag=True, box_out_of_bounds=True))
        signed = io.BytesIO()
        signers.PdfSigner(meta, signer=signer, new_field_spec=spec).sign_pdf(
            writer, output=signed)
    except (PdfError, PyHankoSigningError, ValueError, KeyError) as exc:
        raise SigningError(f"{pdf}: could not be signed ({exc})") from None
    result = signed.getvalue()
    _check_signed(pdf, result, field, claim_before, known)
    _write_atomically(pdf, out, result)
    return Signed(out, field, subject_name(signer.signing_cert), claim_before)


def check_signatures(pdf: Path, trust: list[Path]) -> SignaturesReport:
    """Validate every signature in `pdf`: integrity, what happened after it, and (with trust
    roots) whether the certificate chains to one of them. Revocation is not checked."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    data = _read(pdf, "PDF", "")
    roots = []
    for path in trust:
        try:
            roots.append(load_cert_from_pemder(str(path)))
        except (OSError, ValueError) as exc:
            raise SigningError(f"{path}: not a certificate file (PEM or DER) ({exc}); hint: "
                               "--trust takes the trust root's certificate") from None
    try:
        reader = PdfFileReader(io.BytesIO(data))
        embedded = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise SigningError(f"{pdf}: not a readable PDF ({exc})") from None
    if not embedded:
        raise SigningError(f"{pdf}: has no signatures; hint: sign it with "
                           "'samdok sign PDF --pkcs12 FILE'")
    checks = [_check_one(sig, roots) for sig in embedded]
    return SignaturesReport(pdf, checks, max(0, len(data) - max(map(_signed_end, embedded))))


def subject_name(cert) -> str:
    """"Ingrid Haugen (Røros kommune)": the certificate's common name and organisation."""
    subject = cert.subject.native
    name = subject.get("common_name") or cert.subject.human_friendly
    organisation = subject.get("organization_name")
    return f"{name} ({organisation})" if organisation and organisation != name else name


def _check_one(sig, roots) -> SignatureCheck:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    field = sig.field_name
    try:
        signer = subject_name(sig.signer_cert)
    except (ValueError, KeyError):
        signer = "(unreadable certificate)"
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        status = validate_pdf_signature(sig, context)
    except (PdfError, ValueError, KeyError) as exc:  # pyHanko's validation errors are ValueErrors
        return SignatureCheck(field, signer, sig.self_reported_timestamp, False, False,
                              f"cannot be validated ({exc})", None if not roots else False)
    intact = bool(status.intact and status.valid)
    level = status.modification_level
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        covers, coverage = True, "covers the whole file"
    elif status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and (
            level == ModificationLevel.NONE):  # no later revision, yet bytes follow
        covers, coverage = False, "bytes were added to the file after this signature"
    elif (status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
          and level is not None and level <= ModificationLevel.FORM_FILLING
          and status.docmdp_ok is not False):
        covers, coverage = True, "later updates only add signatures (or fill in forms)"
    elif status.coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        covers, coverage = False, "the document was changed after this signature"
        if isinstance(status.diff_result, Exception):  # pyHanko says what looked wrong
            coverage += f" ({status.diff_result})"
    else:
        covers, coverage = False, "does not cover the whole revision it signs"
    trusted: bool | None = None
    note = "not checked (give --trust with the trust root's certificate)"
    if roots:
        trusted = bool(status.trusted)
        note = "chains to a given trust root" if trusted else (
            "does not chain to a given trust root"
            + (f" ({status.trust_problem_indic.name})" if status.trust_problem_indic else ""))
    when = status.signer_reported_dt
    timestamp = getattr(status, "timestamp_validity", None)
    if timestamp is not None:
        when = timestamp.timestamp
    return SignatureCheck(field, signer, when, intact, covers, coverage, trusted, note)


def _signed_end(sig) -> int:
    """Where the bytes a signature covers end: its /ByteRange is [start, length, start, length]."""
    try:
        byte_range = [int(sig.byte_range[i]) for i in range(4)]
    except (IndexError, TypeError, ValueError):
        return 0
    return byte_range[2] + byte_range[3]


def _new_field_name(reader) -> str:
    from pyhanko.sign.fields import enumerate_sig_fields

    taken = {name for name, _, _ in enumerate_sig_fields(reader)}
    number = len(taken) + 1
    while f"{FIELD_PREFIX}{number}" in taken:
        number += 1
    return f"{FIELD_PREFIX}{number}"


def _check_signed(pdf: Path, result: bytes, field: str, claim_before: str | None,
                  known: list) -> None:
    """Read the signed file back before it replaces anything: the new signature verifies and
    the PDF/A claims hold as well as before (`known`: what was already wrong)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from . import pdfa

    reader = PdfFileReader(io.BytesIO(result))
    new = [s for s in reader.embedded_signatures if s.field_name == field]
    context = ValidationContext(trust_roots=[], allow_fetching=False)  # integrity only
    status = validate_pdf_signature(new[0], context, skip_diff=True)
    if not (status.intact and status.valid):
        raise SigningError(f"{pdf}: the new signature did not verify; nothing was written")
    if claim_before:
        failures = [str(f) for f in pdfa.archive_claims(io.BytesIO(result)) if f not in known]
        if pdfa.identification(io.BytesIO(result)) != claim_before:
            failures.append(f"the claim {claim_before} is gone")
        if failures:
            raise SigningError(f"{pdf}: signing would break its PDF/A claims ("
                               + "; ".join(failures) + "); nothing was written")


def _write_atomically(pdf: Path, out: Path, data: bytes) -> None:
    handle, name = tempfile.mkstemp(prefix=".samdok-", suffix=".pdf", dir=out.parent)
    temp = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.chmod(temp, (out if out.exists() else pdf).stat().st_mode & 0o777)
        except OSError:
            pass  # the default mode is fine
        os.replace(temp, out)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise SigningError(f"{out}: cannot write the signed file ({exc.strerror})") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _read(path: Path, what: str, hint: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SigningError(f"{path}: {what} not found" + (f"; {hint}" if hint else "")) from None
    except IsADirectoryError:
        raise SigningError(f"{path}: is a folder, not a {what}") from None
    except OSError as exc:
        raise SigningError(f"{path}: cannot read the {what} ({exc.strerror})") from None
