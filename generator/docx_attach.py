"""Attached Word files as sub-documents of a template, composed once and replayed after."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from docx import Document as open_docx
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docxtpl import DocxTemplate
from docxtpl.subdoc import Subdoc, SubdocComposer

# The agreement behind a joint case submission is the same for every council, and so is the
# template it is placed in: composing it (styles and numbering merged into the template) once
# and replaying the result makes each further council's copy several times cheaper.
_CACHE_SIZE = 4
_composed: OrderedDict[tuple, _Composed | None] = OrderedDict()


class _Composer(SubdocComposer):
    """docxtpl's sub-document composer, adding the styles the attached body uses in one pass.

    docxcompose adds them body element by body element and lists all of our styles again for
    each: a 357-party agreement took five seconds to attach to each council's submission.
    Gathered over the whole body, the styles added and renamed are the same, in the same order.
    """

    def attach_parts(self, doc, remove_property_fields=True):
        self._styled = None
        super().attach_parts(doc, remove_property_fields)

    def add_styles(self, doc, element):
        body = doc.element.body
        if element.getparent() is not body:  # headers, footnotes and such: as docxcompose does
            super().add_styles(doc, element)
        elif self._styled is not body:
            self._styled = body
            super().add_styles(doc, body)


@dataclass(frozen=True)
class _Composed:
    """What composing an attachment into a fresh template made: the attachment's body as
    XML, and the template parts it changed (styles, numbering), as they were afterwards."""

    xml: str
    parts: dict[str, bytes]

    def __html__(self) -> str:  # what docxtpl puts in place of {{p vedlegg }}
        return self.xml

    __str__ = __html__

    def replay(self, tpl: DocxTemplate) -> None:
        for part in tpl.docx.part.package.iter_parts():
            blob = self.parts.get(str(part.partname))
            if blob is not None:
                part._element = parse_xml(blob)


def _snapshot(tpl: DocxTemplate) -> tuple[dict[str, bytes], dict[str, tuple]]:
    """Every part of the template's package, and the main document's relationships."""
    parts = {str(part.partname): part.blob for part in tpl.docx.part.package.iter_parts()}
    rels = {rid: (rel.reltype, rel.target_ref) for rid, rel in tpl.docx.part.rels.items()}
    return parts, rels


def _stamp(path: Path) -> tuple[str, int, int]:
    """A file as a cache key: a rewritten file (a new build's agreement) is another key."""
    info = path.stat()
    return str(path), info.st_mtime_ns, info.st_size


def attach(tpl: DocxTemplate, template: Path, path: Path) -> Subdoc | _Composed:
    """The Word file at path as a sub-document of tpl, a template freshly read from template.

    The first time for a (template, file) pair it is composed as docxtpl would; later times
    the recorded result is replayed, when composing changed nothing but existing XML parts
    other than the main document (otherwise it is composed every time).
    """
    tpl.init_docx()  # replay needs the template's parts read in
    key = (_stamp(template), _stamp(path))
    if key in _composed:
        _composed.move_to_end(key)
        recorded = _composed[key]
        if recorded is not None:
            recorded.replay(tpl)
            return recorded
    before, rels_before = _snapshot(tpl)
    sub = tpl.new_subdoc()
    sub.subdocx = open_docx(str(path))
    _Composer(sub.docx).attach_parts(sub.subdocx)
    after, rels_after = _snapshot(tpl)
    changed = {name: blob for name, blob in after.items() if before.get(name) != blob}
    xml_parts = {str(part.partname) for part in tpl.docx.part.package.iter_parts()
                 if isinstance(part, XmlPart) and part is not tpl.docx.part}
    replayable = (rels_before == rels_after and set(before) == set(after)
                  and set(changed) <= xml_parts)
    _composed[key] = _Composed(str(sub), changed) if replayable else None
    while len(_composed) > _CACHE_SIZE:
        _composed.popitem(last=False)
    return sub
