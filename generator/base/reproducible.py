"""Byte-identical builds: one fixed date per case, pinned in the .docx zip and in the PDF."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import struct
import zipfile
import zlib
from pathlib import Path

from .. import settings
from . import gitinfo

# 1980-01-01T00:00:00Z: the earliest time a zip entry can carry, used when neither
# SOURCE_DATE_EPOCH nor git gives a date.
FALLBACK_EPOCH = 315532800


def fixed_time(case: Path) -> dt.datetime:
    """The one date a build of this case writes everywhere a date is stored (UTC).

    SOURCE_DATE_EPOCH when set (the reproducible-builds convention), else the time of the last
    commit that changed the case file, else 1980-01-01. LibreOffice ignores SOURCE_DATE_EPOCH
    (measured on 7.4), so normalise_docx and normalise_pdf write this date themselves.
    """
    seconds = settings.current().source_date_epoch
    if seconds is None:
        seconds = gitinfo.state(case).commit_time or FALLBACK_EPOCH
    return dt.datetime.fromtimestamp(max(seconds, FALLBACK_EPOCH), dt.UTC)


def normalise_docx(path: Path, when: dt.datetime) -> None:
    """Rewrite a .docx with fixed zip entry times and core-property dates.

    Otherwise every build differs in the zip entries' times, and in the created and modified
    dates a template would carry from wherever it was last saved.
    """
    with zipfile.ZipFile(path) as old:
        entries = [(info.filename, old.read(info.filename)) for info in old.infolist()]
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = []
    for name, data in entries:
        if name == "docProps/core.xml":
            data = _core_dates(data, stamp)
        out.append((name, data))
    stamp_tuple = when.timetuple()[:6]
    with zipfile.ZipFile(path, "w") as new:
        for name, data in out:
            info = zipfile.ZipInfo(name, date_time=stamp_tuple)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # the same bytes whichever system built it
            info.external_attr = 0
            new.writestr(info, data, compresslevel=6)


def _core_dates(xml: bytes, stamp: str) -> bytes:
    for tag in (b"dcterms:created", b"dcterms:modified"):
        xml = re.sub(rb"(<" + tag + rb"[^>]*>)[^<]*(</" + tag + rb">)",
                     rb"\g<1>" + stamp.encode() + rb"\g<2>", xml)
    return xml


def normalise_pdf(path: Path, when: dt.datetime) -> None:
    """Pin what LibreOffice varies from run to run in the PDF at path (see pin), and its
    trailer /ID and /DocChecksum too."""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pin(pdf, when)
        # Without an /ID to keep, qpdf derives both halves from the content
        # (deterministic_id); an existing first half would be kept, and LibreOffice's is
        # random. /DocChecksum is LibreOffice's own trailer key, a checksum over the varying
        # dates; no reader uses it.
        for key in ("/ID", "/DocChecksum"):
            if key in pdf.trailer:
                del pdf.trailer[key]
        pdf.save(path, deterministic_id=True)


def pin(pdf, when: dt.datetime) -> None:
    """Set what LibreOffice varies from run to run in an open pikepdf.Pdf to `when`: the info
    dates, the XMP dates and the date in the embedded ICC colour profile. The PDF/A claims
    stay."""
    import pikepdf

    info_date = when.strftime("D:%Y%m%d%H%M%SZ")
    xmp_date = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    for key in ("/CreationDate", "/ModDate"):
        if key in pdf.docinfo:
            pdf.docinfo[key] = info_date
    metadata = pdf.Root.get("/Metadata")
    if metadata is not None:
        # Replaced in place rather than through pikepdf's XMP editor, which would add
        # itself as producer and re-serialise the packet the PDF/A claims live in.
        xmp = re.sub(rb"(<xmp:(CreateDate|ModifyDate|MetadataDate)>)[^<]*(</xmp:\2>)",
                     rb"\g<1>" + xmp_date + rb"\g<3>", metadata.read_bytes())
        metadata.write(_unescape_twice_escaped(xmp, str(pdf.docinfo.get("/Title", ""))))
    for intent in pdf.Root.get("/OutputIntents", []):
        profile = intent.get("/DestOutputProfile")
        if profile is not None:
            data = _icc_with_date(profile.read_bytes(), when)
            profile.write(zlib.compress(data, 9), filter=pikepdf.Name.FlateDecode)


def _unescape_twice_escaped(xmp: bytes, title: str) -> bytes:
    """LibreOffice 7.4 escapes the XMP dc:title and dc:description twice ("&amp;amp;" for
    "&"), so a title with & < > " reads back wrong there while the document info is right,
    and PDF/A requires the two to agree. Undo the second escaping where that is the case."""
    def fix(match: re.Match) -> bytes:
        return match.group(1) + match.group(2).replace(b"&amp;", b"&") + match.group(3)

    escaped = (title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
               .replace('"', "&quot;").encode())
    if escaped in xmp or b"&amp;" not in xmp:
        return xmp
    return re.sub(rb"(<dc:(?:title|description)>\s*<rdf:Alt>\s*<rdf:li[^>]*>)(.*?)(</rdf:li>)",
                  fix, xmp, flags=re.S)


def _icc_with_date(profile: bytes, when: dt.datetime) -> bytes:
    """An ICC profile with its creation date (header bytes 24-35) set to `when`."""
    if len(profile) < 128:
        return profile
    date = struct.pack(">6H", when.year, when.month, when.day, when.hour, when.minute,
                       when.second)
    data = bytearray(profile)
    data[24:36] = date
    if any(data[84:100]):
        # A profile ID is the MD5 of the profile with flags, rendering intent and the ID
        # itself zeroed (ICC.1:2010 section 7.2.18); recompute it for the new date.
        probe = bytearray(data)
        probe[44:48] = probe[64:68] = b"\0" * 4
        probe[84:100] = b"\0" * 16
        data[84:100] = hashlib.md5(probe).digest()
    return bytes(data)


def sha256(path: Path) -> str:
    """The hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()
