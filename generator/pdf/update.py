"""Incremental updates (ISO 32000-1, 7.5.6): new and changed objects behind a PDF's own bytes."""

from __future__ import annotations

import hashlib
import re
from collections import deque
from dataclasses import dataclass
from decimal import Decimal

import pikepdf

# The last cross-reference section's offset, at the end of every PDF (7.5.5).
STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


@dataclass(frozen=True)
class Ref:
    """A reference by number to an object of the base PDF or of the update."""

    number: int


@dataclass(frozen=True)
class Raw:
    """A value already in PDF syntax."""

    data: bytes


class Update:
    """The objects of one update behind `base`, a PDF read by pikepdf as `base_pdf`.

    Values are pikepdf objects of the base (referenced by their own numbers), of one other
    PDF, `source` (whose indirect objects are written too, numbered from the base's /Size on,
    each once, as they are first referenced), plain dicts and lists around them, Ref and Raw.
    `redirect` sends references to some of the source's objects elsewhere: to the base's
    catalog, page tree and structure tree, which the update replaces.
    """

    def __init__(self, base: bytes, base_pdf: pikepdf.Pdf, source: pikepdf.Pdf):
        match = STARTXREF.search(base[-64:])
        if match is None:
            raise ValueError("the PDF to append to has no startxref at its end")
        self.base = base
        self.base_pdf = base_pdf
        self.source = source
        self.prev = int(match.group(1))
        self.size = int(base_pdf.trailer.Size)
        self.redirect: dict[tuple[int, int], int] = {}
        self._numbers: dict[tuple[int, int], int] = {}
        self._queue: deque[tuple[int, pikepdf.Object]] = deque()
        self._bodies: dict[int, bytes] = {}

    def new_number(self) -> int:
        self.size += 1
        return self.size - 1

    def stand_in(self, number: int) -> pikepdf.Object:
        """An object of the source that is written as a reference to object `number`, so
        that the source's own objects can point at the base's or the update's."""
        placeholder = self.source.make_indirect(pikepdf.Dictionary())
        self.redirect[placeholder.objgen] = number
        return placeholder

    def put(self, number: int, value) -> None:
        """Write `value` as object `number`: a new one, or a new version of a base object."""
        self._bodies[number] = self.serialise(value)

    def serialise(self, value) -> bytes:
        if isinstance(value, pikepdf.Object) and value.is_indirect:
            return b"%d 0 R" % self._number(value)
        if isinstance(value, Ref):
            return b"%d 0 R" % value.number
        if isinstance(value, Raw):
            return value.data
        if isinstance(value, bool):
            return b"true" if value else b"false"
        if isinstance(value, int):
            return b"%d" % value
        if isinstance(value, Decimal) and value.is_finite():
            return format(value, "f").encode()
        if value is None:
            return b"null"
        if isinstance(value, dict | pikepdf.Dictionary):
            items = value.items()
            return b"<<" + b"".join(_name(k) + b" " + self.serialise(v) for k, v in items) + b">>"
        if isinstance(value, list | pikepdf.Array):
            return b"[" + b" ".join(self.serialise(v) for v in value) + b"]"
        if isinstance(value, pikepdf.Object):  # a name or a string
            return value.unparse()
        raise TypeError(f"cannot write {type(value).__name__} into a PDF")

    def _number(self, obj: pikepdf.Object) -> int:
        objgen = obj.objgen
        if obj.is_owned_by(self.base_pdf):
            if objgen[1] != 0:  # every reference here is written with generation 0
                raise ValueError(f"object {objgen[0]} of the PDF to append to has generation "
                                 f"{objgen[1]}; pin its dates (qpdf renumbers) first")
            return objgen[0]
        if not obj.is_owned_by(self.source):
            raise ValueError(f"object {objgen[0]} belongs to neither PDF of this update")
        number = self.redirect.get(objgen) or self._numbers.get(objgen)
        if number is None:
            number = self._numbers[objgen] = self.new_number()
            self._queue.append((number, obj))
        return number

    def write(self, trailer: dict) -> bytes:
        """The base's bytes, this update's objects, its cross-reference section and trailer."""
        fields = {key: Raw(self.serialise(value)) for key, value in trailer.items()}
        while self._queue:  # writing an object may reference more of the source's
            number, obj = self._queue.popleft()
            self._bodies[number] = self._body(obj)
        out = bytearray(self.base)
        if not out.endswith(b"\n"):
            out += b"\n"
        offsets = {}
        for number in sorted(self._bodies):
            offsets[number] = len(out)
            out += b"%d 0 obj\n" % number + self._bodies[number] + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n"
        numbers = sorted(offsets)
        start = 0
        while start < len(numbers):  # one subsection per run of consecutive numbers
            end = start
            while end + 1 < len(numbers) and numbers[end + 1] == numbers[end] + 1:
                end += 1
            out += b"%d %d\n" % (numbers[start], end - start + 1)
            for number in numbers[start:end + 1]:
                out += b"%010d 00000 n\r\n" % offsets[number]
            start = end + 1
        # The first half of /ID stays the file's permanent one, the second names this
        # version (ISO 32000-1, 14.4): derived from the update, so the same update gives
        # the same bytes.
        digest = hashlib.md5(bytes(out[len(self.base):]), usedforsecurity=False).hexdigest()
        first = self.base_pdf.trailer.get("/ID", [pikepdf.String(bytes.fromhex(digest))])[0]
        fields.update({"/Size": self.size, "/Prev": self.prev,
                       "/ID": Raw(b"[<%s><%s>]" % (bytes(first).hex().encode(),
                                                     digest.encode()))})
        out += b"trailer\n" + self.serialise(fields) + b"\nstartxref\n%d\n%%%%EOF\n" % xref
        return bytes(out)

    def _body(self, obj: pikepdf.Object) -> bytes:
        """An indirect object of the source itself, not a reference to it."""
        if isinstance(obj, pikepdf.Stream):
            data = obj.read_raw_bytes()
            fields = {k: v for k, v in obj.stream_dict.items() if k != "/Length"}
            fields["/Length"] = len(data)
            return self.serialise(fields) + b"\nstream\n" + data + b"\nendstream"
        if isinstance(obj, pikepdf.Dictionary):
            return self.serialise(dict(obj.items()))
        if isinstance(obj, pikepdf.Array):
            return self.serialise(list(obj))
        return obj.unparse(resolved=True)


_NAMES: dict[str, bytes] = {}


def _name(key: str) -> bytes:
    """A dictionary key in PDF syntax (keys come as '/Type'; a few need # escapes)."""
    found = _NAMES.get(key)
    if found is None:
        found = _NAMES[key] = pikepdf.Name(key).unparse()
    return found
