"""PAdES signatures with pyHanko: sign a finished PDF party by party; check its signatures."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..base import files
from ..errors import SigningError
from ..settings import PASSWORD_VARIABLE

SIGNED_SUFFIX = "-signert"
FIELD_PREFIX = "Underskrift"
# A key usage that allows signing documents (RFC 5280: non_repudiation is contentCommitment).
SIGNING_USAGES = frozenset({"digital_signature", "non_repudiation"})

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
    covers: bool  # nothing but the next signatures were added after it (samdok's policy)
    coverage: str  # in words
    trusted: bool | None  # None: not checked (no trust roots given, or the signature is broken)
    trust_note: str = ""
    revision: int = 0  # the revision it signs (pyHanko's number, from 0)
    damage: str = ""  # why the signature field cannot be checked, in words; "" when it can
    usage: str = ""  # why its certificate may not sign, in words; "" when it may
    detail: str = ""  # what pyHanko said, for -v

    @property
    def ok(self) -> bool:
        return (not self.damage and self.intact and self.covers and not self.usage
                and self.trusted is not False)


@dataclass(frozen=True)
class SignaturesReport:
    """Every signature of a PDF, each revision after the first signature that did more than add
    the next one, and the bytes after the last signature that no signature covers."""

    pdf: Path
    signatures: list[SignatureCheck]
    uncovered_bytes: int
    findings: list = field(default_factory=list)  # policy.Finding, by revision

    @property
    def ok(self) -> bool:
        return (self.uncovered_bytes == 0 and not self.findings
                and all(s.ok for s in self.signatures))


def default_output(pdf: Path) -> Path:
    """NAME.pdf is signed into NAME-signert.pdf; a NAME-signert.pdf is signed in place, so the
    parties sign one file in turn."""
    if pdf.stem.endswith(SIGNED_SUFFIX):
        return pdf
    return pdf.with_name(f"{pdf.stem}{SIGNED_SUFFIX}{pdf.suffix}")


def check_output(pdf: Path, out: Path) -> None:
    """Refuse to replace a file other than the input: it may hold someone's signature."""
    if out.exists() and not (pdf.exists() and out.samefile(pdf)):
        raise SigningError(f"{out} already exists", hint="to add a signature, sign that file "
                           f"(a file named *{SIGNED_SUFFIX}.pdf is signed in place), or choose "
                           "another output with -o")
    if not out.parent.is_dir():
        raise SigningError(f"{out.parent}: no such folder for the signed file")


def read_pdf(pdf: Path) -> bytes:
    """The PDF's bytes, after making sure pyHanko can read it."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    data = _read(pdf, "PDF", "give the path of a built agreement, e.g. "
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

    data = _read(path, "PKCS#12 file", "give the .p12 or .pfx file that holds the "
                 "signer's certificate and private key")
    try:
        _ = pkcs12.Pfx.load(data).native  # parses the whole structure; the contents stay locked
    except ValueError:
        raise SigningError(f"{path}: not a PKCS#12 file, or a damaged one", hint="export the "
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
            raise SigningError(f"{path}: holds no private key with its certificate",
                               hint="export the certificate together with its private key (in "
                               "Windows: 'Yes, export the private key'; .p12 or .pfx)")
        signer = SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=passphrase)
    except ValueError:
        # The structure was read before (read_pkcs12), so what fails here is unlocking it.
        raise SigningError(f"{path}: wrong password for the PKCS#12 file (or its contents are "
                           "damaged)", hint=f"check ${PASSWORD_VARIABLE}, or unset it to be "
                           "asked") from None
    if signer.signing_key is None or signer.signing_cert is None:
        raise SigningError(f"{path}: holds no private key with its certificate", hint="export "
                           "the certificate together with its private key")
    cert = signer.signing_cert
    now = dt.datetime.now(dt.UTC)
    validity = cert["tbs_certificate"]["validity"]
    begins, ends = validity["not_before"].native, validity["not_after"].native
    if not begins <= now <= ends:
        raise SigningError(f"{path}: the certificate of {subject_name(cert)} is valid from "
                           f"{begins:%Y-%m-%d} to {ends:%Y-%m-%d}, not now")
    return signer


def sign_file(pdf: Path, pkcs12: Path, output: Path | None,
              password: Callable[[Path], str]) -> Signed:
    """`samdok sign`: PDF signed with the key in the PKCS#12 file into output (default:
    default_output). Everything that can be checked without the password is checked before
    `password` is asked for it: the output name, the PDF and the PKCS#12 file."""
    out = output or default_output(pdf)
    check_output(pdf, out)
    data = read_pdf(pdf)
    credential = read_pkcs12(pkcs12)
    signer = load_signer(credential, pkcs12, password(pkcs12))
    require_signing_usage(signer, pkcs12)
    return sign(pdf, data, signer, out)


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

    from ..pdf import archive

    claim_before = archive.identification(io.BytesIO(data))
    known = archive.archive_claims(io.BytesIO(data)) if claim_before else []
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
    """Validate every signature in `pdf`: integrity, what happened after it (samdok's policy:
    only the next signatures may follow), its certificate's key usage, and (with trust roots)
    whether the certificate chains to one of them. Revocation is not checked. A damaged
    signature field is reported as damaged; the others are still checked."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    from . import policy

    data = _read(pdf, "PDF", "")
    roots = []
    for path in trust:
        try:
            roots.append(load_cert_from_pemder(str(path)))
        except (OSError, ValueError) as exc:
            raise SigningError(f"{path}: not a certificate file (PEM or DER) ({exc})",
                               hint="--trust takes the trust root's certificate") from None
    try:
        reader = PdfFileReader(io.BytesIO(data))
        if reader.encrypted:
            raise SigningError(f"{pdf}: the PDF is encrypted; samdok checks only unencrypted "
                               "PDFs")
        fields = list(enumerate_sig_fields(reader, filled_status=True))
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise SigningError(f"{pdf}: not a readable PDF ({exc})") from None
    if not fields:
        raise SigningError(f"{pdf}: has no signatures", hint="sign it with "
                           "'samdok sign PDF --pkcs12 FILE'")
    history = policy.review(reader)
    checks, ends = [], []
    for name, _value, field_ref in fields:
        check, end = _check_field(reader, str(name), field_ref, roots, history)
        checks.append(check)
        ends.append(end)
    checks.sort(key=lambda c: c.revision)
    uncovered = max(0, len(data) - max(ends)) if any(ends) else 0
    return SignaturesReport(pdf, checks, uncovered, history.findings)


def subject_name(cert) -> str:
    """"Ingrid Haugen (Røros kommune)": the certificate's common name and organisation."""
    subject = cert.subject.native
    name = subject.get("common_name") or cert.subject.human_friendly
    organisation = subject.get("organization_name")
    return f"{name} ({organisation})" if organisation and organisation != name else name


def usage_problem(cert) -> str:
    """Why the certificate's key usage does not allow signing, in words; "" when it does (or
    the certificate does not restrict its key usage)."""
    try:
        usage = cert.key_usage_value
    except ValueError:
        return "its key usage cannot be read"
    if usage is None or usage.native & SIGNING_USAGES:
        return ""
    allowed = ", ".join(sorted(u.replace("_", " ") for u in usage.native)) or "nothing"
    return f"its key usage ({allowed}) does not allow signing"


def require_signing_usage(signer, pkcs12: Path) -> None:
    """Refuse a certificate that may not sign: its signatures would not hold anywhere."""
    problem = usage_problem(signer.signing_cert)
    if problem:
        raise SigningError(f"{pkcs12}: the certificate of {subject_name(signer.signing_cert)} "
                           f"may not sign: {problem}", hint="use the certificate meant for "
                           "signing (a virksomhetssertifikat comes as a pair, one for signing "
                           "and one for encryption)")


def _check_field(reader, name: str, field_ref, roots, history) -> tuple[SignatureCheck, int]:
    """One filled signature field checked, and where the bytes it signs end (0 when its
    /ByteRange cannot be read)."""
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    revision = history.introduced.get(name, history.revisions - 1)

    def damaged(what: str, detail: str = "") -> tuple[SignatureCheck, int]:
        check = SignatureCheck(name, "(unknown: the signature cannot be read)", None,
                               intact=False, covers=False, coverage="not judged", trusted=None,
                               trust_note="not checked: the signature is damaged",
                               revision=revision, damage=what, detail=detail)
        return check, _signed_end(field_ref)

    try:
        value = field_ref.get_object()["/V"]
        subfilter = value.get("/SubFilter") if hasattr(value, "get") else None
        if subfilter not in {f.value for f in SigSeedSubFilter}:
            return damaged(f"its type (/SubFilter {subfilter}) is not one samdok can check")
        sig = EmbeddedPdfSignature(reader, field_ref, name)
        _ = sig.signer_cert
    except Exception as exc:  # noqa: BLE001 - hostile bytes can fail anywhere in the parsing
        return damaged("the signature field is damaged: it holds no readable signature",
                       f"{type(exc).__name__}: {exc}")
    later = [f for f in history.findings if f.revision > sig.signed_revision]
    return _check_one(sig, roots, later, history.revisions - 1), _signed_end(sig)


def _check_one(sig, roots, later: list, last: int) -> SignatureCheck:
    """One readable signature: integrity and trust by pyHanko; what came after it by samdok's
    policy (`later`: the findings of the revisions after the one it signs)."""
    from pyhanko.sign.fields import MDPPerm
    from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko_certvalidator import ValidationContext

    name, revision = sig.field_name, sig.signed_revision
    try:
        signer = subject_name(sig.signer_cert)
    except (ValueError, KeyError):
        signer = "(unreadable certificate)"
    usage = usage_problem(sig.signer_cert)
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        # The difference analysis is samdok's own (policy.py); key usage is checked
        # above, so pyHanko's trust verdict is about the chain alone.
        status = validate_pdf_signature(sig, context, skip_diff=True,
                                        key_usage_settings=KeyUsageConstraints(key_usage=set()))
    except Exception as exc:  # noqa: BLE001 - pyHanko's errors on hostile data vary in type
        return SignatureCheck(name, signer, sig.self_reported_timestamp, intact=False,
                              covers=False, coverage="not judged", trusted=None,
                              trust_note="not checked: the signature is broken",
                              revision=revision, damage="the signature cannot be validated (its "
                              "/ByteRange or signature data is broken)", usage=usage,
                              detail=f"{type(exc).__name__}: {exc}")
    intact = bool(status.intact and status.valid)
    changed = sorted({f.revision + 1 for f in later})
    if status.coverage not in (SignatureCoverageLevel.ENTIRE_FILE,
                               SignatureCoverageLevel.ENTIRE_REVISION):
        covers, coverage = False, "does not cover the whole revision it signs"
    elif changed:
        covers, coverage = False, ("the document was changed after this signature (revision "
                                   + ", ".join(map(str, changed)) + ")")
    elif status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        covers, coverage = True, "covers the whole file"
    elif revision == last:  # no later revision, yet bytes follow
        covers, coverage = False, "bytes were added to the file after this signature"
    elif sig.docmdp_level == MDPPerm.NO_CHANGES:
        covers, coverage = False, "certifies the document as final, yet signatures follow"
    else:
        covers, coverage = True, "later revisions only add signatures"
    trusted: bool | None = None
    note = "not checked (give --trust with the trust root's certificate)"
    if not intact:
        note = "not checked: the signature is broken"
    elif roots:
        trusted = bool(status.trusted)
        note = "chains to a given trust root" if trusted else (
            "does not chain to a given trust root"
            + (f" ({status.trust_problem_indic.name})" if status.trust_problem_indic else ""))
    when = status.signer_reported_dt
    timestamp = getattr(status, "timestamp_validity", None)
    if timestamp is not None:
        when = timestamp.timestamp
    return SignatureCheck(name, signer, when, intact, covers, coverage, trusted, note,
                          revision=revision, usage=usage)


def _signed_end(sig) -> int:
    """Where the bytes a signature covers end: its /ByteRange is [start, length, start, length].
    `sig` is pyHanko's signature, or the field of a damaged one (its /ByteRange may still be
    readable: then damage is not also reported as bytes after the last signature)."""
    try:
        byte_range = sig.byte_range if hasattr(sig, "byte_range") else (
            sig.get_object()["/V"]["/ByteRange"])
        byte_range = [int(byte_range[i]) for i in range(4)]
    except Exception:  # noqa: BLE001 - a damaged field may hold anything
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

    from ..pdf import archive

    reader = PdfFileReader(io.BytesIO(result))
    new = [s for s in reader.embedded_signatures if s.field_name == field]
    context = ValidationContext(trust_roots=[], allow_fetching=False)  # integrity only
    status = validate_pdf_signature(new[0], context, skip_diff=True)
    if not (status.intact and status.valid):
        raise SigningError(f"{pdf}: the new signature did not verify; nothing was written")
    if claim_before:
        failures = [str(f) for f in archive.archive_claims(io.BytesIO(result)) if f not in known]
        if archive.identification(io.BytesIO(result)) != claim_before:
            failures.append(f"the claim {claim_before} is gone")
        if failures:
            raise SigningError(f"{pdf}: signing would break its PDF/A claims ("
                               + "; ".join(failures) + "); nothing was written")


def _write_atomically(pdf: Path, out: Path, data: bytes) -> None:
    # A link at `out` (NAME-signert.pdf) is replaced itself, never written through.
    try:
        mode = (out if out.exists() else pdf).stat().st_mode & 0o777
    except OSError:
        mode = None  # the default mode is fine
    try:
        files.write_atomic(out, data, mode)
    except OSError as exc:
        raise SigningError(f"{out}: cannot write the signed file ({exc.strerror})") from None


def _read(path: Path, what: str, hint: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SigningError(f"{path}: {what} not found", hint) from None
    except IsADirectoryError:
        raise SigningError(f"{path}: is a folder, not a {what}") from None
    except OSError as exc:
        raise SigningError(f"{path}: cannot read the {what} ({exc.strerror})") from None
