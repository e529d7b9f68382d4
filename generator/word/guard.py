"""Word files from others: bounded before they are parsed, and refused when they carry macros,
ActiveX controls, OLE objects or links that make Word fetch something."""

from __future__ import annotations

import io
import zipfile

from ..errors import CaseError, Problem

# A .docx samdok builds has about 20 parts and 100 KB of XML; one a party edited and filled
# with pictures has some hundreds of parts and tens of MB. These bounds are far above that
# and far below what fills memory.
MAX_ENTRIES = 1_000
MAX_SIZE = 100 * 1024 * 1024  # bytes of all parts together, uncompressed
MAX_RATIO = 100  # uncompressed to compressed, for a part of more than RATIO_FROM bytes
RATIO_FROM = 1024 * 1024
CHUNK = 1024 * 1024

# Office Open XML parts never declare a DTD (the packaging standard forbids one), so a
# DOCTYPE is there only for entities: an entity bomb or an external entity (XXE).
DOCTYPE = [b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be")]

HINT_BOUNDS = ("give the .docx samdok built, or the one a party sent back as Word saved it; "
               "this file is not one Word writes")
HINT_ACTIVE = ("open it in Word and save it as a plain Word document (.docx) without macros, "
               "controls or embedded objects, or compare the case files instead")


def _refuse(shown: str, message: str, hint: str) -> CaseError:
    return CaseError([Problem(shown, None, None, "", message, hint)])


def checked_package(data: bytes, shown: str) -> bytes:
    """The .docx as a new zip holding exactly the parts that were read and checked: the
    number of parts, their uncompressed size and compression ratio bounded before anything
    is decompressed, every part's checksum verified, no XML part with a DOCTYPE. What a
    parser (python-docx, pandoc) gets is that copy, so a header that lies about a size
    cannot make it decompress more."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise _refuse(shown, f"not a Word file that can be read ({exc})",
                      "give a .docx file (a zip archive), as Word saves it") from None
    if len(entries) > MAX_ENTRIES:
        raise _refuse(shown, f"the Word file holds {len(entries):,} parts; samdok reads at "
                      f"most {MAX_ENTRIES:,}", HINT_BOUNDS)
    total = sum(e.file_size for e in entries)
    if total > MAX_SIZE:
        raise _refuse(shown, f"the Word file unpacks to {total:,} bytes; samdok reads at most "
                      f"{MAX_SIZE:,} (a zip bomb?)", HINT_BOUNDS)
    for entry in entries:
        ratio = entry.file_size // max(entry.compress_size, 1)
        if entry.file_size > RATIO_FROM and ratio > MAX_RATIO:
            raise _refuse(shown, f"{entry.filename} unpacks {ratio:,} times its packed size "
                          f"(more than {MAX_RATIO}: a zip bomb?)", HINT_BOUNDS)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for entry in entries:
            content = _read(archive, entry, shown)
            if any(mark in content for mark in DOCTYPE):
                raise _refuse(shown, f"{entry.filename} declares a DOCTYPE (XML entities); "
                              "Word never writes one", HINT_BOUNDS)
            copy.writestr(entry.filename, content)
    return out.getvalue()


def _read(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, shown: str) -> bytes:
    """One part, decompressed in chunks: zipfile stops at the size the archive declares (which
    was bounded) and checks the checksum at the end."""
    if entry.flag_bits & 0x1:
        raise _refuse(shown, f"{entry.filename} is encrypted", "save the file without a "
                      "password in Word")
    chunks, size = [], 0
    try:
        with archive.open(entry) as part:
            while chunk := part.read(CHUNK):
                size += len(chunk)
                if size > entry.file_size:  # cannot happen with zipfile; cheap to be sure
                    raise _refuse(shown, f"{entry.filename} unpacks to more than it declares",
                                  HINT_BOUNDS)
                chunks.append(chunk)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as exc:
        raise _refuse(shown, f"{entry.filename} cannot be unpacked ({exc})",
                      HINT_BOUNDS) from None
    return b"".join(chunks)


# Content types and relationship types of active content. Word writes them into macro-enabled
# files (.docm, .dotm) and files with controls or embedded objects; samdok builds none.
ACTIVE_CONTENT_TYPES = ("macroenabled", "vbaproject", "vbadata", "keymapcustomizations",
                        "activex", "oleobject")
ACTIVE_RELATIONSHIPS = ("/vbaproject", "/wordvbadata", "/keymapcustomizations", "/control",
                        "/activexcontrolbinary", "/oleobject")
ACTIVE_FOLDERS = ("/word/activex/", "/word/embeddings/")


def refuse_active_content(package, shown: str) -> None:
    """Refuse a Word file (a python-docx package) that carries a macro project, ActiveX
    controls, OLE objects, or a link other than a hyperlink to something outside the file
    (a remote template, a picture or frame fetched when Word opens it): the redline samdok
    writes is that file, annotated, and must carry none of them on."""
    for part in package.iter_parts():
        name, kind = str(part.partname), part.content_type.lower()
        if any(word in kind for word in ACTIVE_CONTENT_TYPES) \
                or name.lower().startswith(ACTIVE_FOLDERS) or "vbaproject" in name.lower():
            raise _refuse(shown, f"carries {_what(name, kind)} ({name.lstrip('/')})",
                          HINT_ACTIVE)
    for rel in package.iter_rels():
        kind = rel.reltype.lower()
        if any(kind.endswith(end) for end in ACTIVE_RELATIONSHIPS):
            raise _refuse(shown, f"links {_what(kind, kind)} "
                          f"({rel.reltype.rsplit('/', 1)[-1]})", HINT_ACTIVE)
        if rel.is_external and not kind.endswith("/hyperlink"):
            raise _refuse(shown, f"makes Word fetch {rel.target_ref!r} "
                          f"({rel.reltype.rsplit('/', 1)[-1]}) when it is opened",
                          "remove the linked template, picture or frame in Word (links to "
                          "web pages are fine), or compare the case files instead")
    refuse_active_fields(package, shown)


# Field codes that make Word fetch a file or a page (INCLUDETEXT, INCLUDEPICTURE, LINK, …), run
# a program (DDE, DDEAUTO) or a macro (MACROBUTTON) when the document is opened or updated.
# Fields that only show what the document holds (PAGE, NUMPAGES, REF, TOC, HYPERLINK, …) stay.
ACTIVE_FIELDS = {"DDE", "DDEAUTO", "INCLUDETEXT", "INCLUDEPICTURE", "INCLUDE", "IMPORT", "LINK",
                 "MACROBUTTON", "AUTOTEXT", "AUTOTEXTLIST", "DATABASE"}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def refuse_active_fields(package, shown: str) -> None:
    """Refuse a Word file whose text carries a field that fetches, runs or is built by another
    field (a field type spelt out by a nested QUOTE field is how DDE is hidden)."""
    for part in package.iter_parts():
        element = getattr(part, "element", None)
        if element is None or "wordprocessingml" not in part.content_type:
            continue
        for code, nested in _field_codes(element):
            words = code.split()
            kind = words[0].upper().lstrip("\\") if words else ""
            if nested:
                raise _refuse(shown, f"holds a field whose code is built by another field "
                              f"({str(part.partname).lstrip('/')})", HINT_FIELDS)
            if kind in ACTIVE_FIELDS:
                raise _refuse(shown, f"holds a {kind} field, which makes Word fetch a file or "
                              f"run a program ({str(part.partname).lstrip('/')})", HINT_FIELDS)


HINT_FIELDS = ("in Word, select the field and press Ctrl+Shift+F9 to replace it with its text, "
               "or compare the case files instead")


def _field_codes(root):
    """Each field's code in a part (simple fields and fields spread over runs), and whether
    another field stands inside the code itself."""
    for simple in root.iter(f"{W}fldSimple"):
        yield simple.get(f"{W}instr") or "", False
    stack: list[list] = []  # per open field: [code so far, in its code part, nested]
    for el in root.iter(f"{W}fldChar", f"{W}instrText"):
        if el.tag == f"{W}instrText":
            if stack and stack[-1][1]:
                stack[-1][0] += el.text or ""
            continue
        kind = el.get(f"{W}fldCharType")
        if kind == "begin":
            if stack and stack[-1][1]:
                stack[-1][2] = True
            stack.append(["", True, False])
        elif kind == "separate" and stack:
            stack[-1][1] = False
        elif kind == "end" and stack:
            code, _, nested = stack.pop()
            yield code, nested


def _what(name: str, kind: str) -> str:
    text = f"{name} {kind}".lower()
    if "vba" in text or "macro" in text or "keymap" in text:
        return "a macro project"
    if "activex" in text or "control" in text:
        return "ActiveX controls"
    return "an embedded (OLE) object"
