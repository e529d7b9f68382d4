"""Word redline: the new version with real tracked changes (w:ins, w:del) against the old one."""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import io
import tempfile
from pathlib import Path

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from ..base import files
from ..compose.document import Clause, Item, Table
from ..errors import OutputError
from ..word.ooxml import child, paragraph_style, paragraph_text, row_cells
from ..word.reader import ReadBack, read_docx
from .diff import (
    Comparison,
    Version,
    Words,
    align,
    compare,
    renumbered_points,
    squash,
    units,
    words,
)

AUTHOR = "samdok"


class _Marks:
    """Makes the w:ins / w:del elements, each with its own id, author and date."""

    def __init__(self, body, when: dt.datetime):
        ids = [int(v) for el in body.iter() for v in [el.get(qn("w:id"))] if v and v.isdigit()]
        self.next = max(ids, default=0) + 1
        self.date = when.strftime("%Y-%m-%dT%H:%M:%SZ")

    def make(self, tag: str):
        el = OxmlElement(tag)
        el.set(qn("w:id"), str(self.next))
        el.set(qn("w:author"), AUTHOR)
        el.set(qn("w:date"), self.date)
        self.next += 1
        return el


def change_date() -> dt.datetime:
    """The date the tracked changes carry: SOURCE_DATE_EPOCH when set, else now."""
    from ..settings import current

    seconds = current().source_date_epoch
    if seconds is not None:
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def write_redline(comparison: Comparison, templates: Path, out: Path,
                  read_back: ReadBack | None = None) -> None:
    """Write the new version as .docx with every difference from the old one as a tracked
    change by "samdok": inserted words in w:ins, deleted words in w:del, whole clauses and
    blocks likewise. Unchanged text, and numbers that changed only by renumbering, are left
    as they are."""
    if read_back is None:
        from ..word.writer import write_docx

        with tempfile.TemporaryDirectory(prefix="samdok-redline-") as folder:
            base = Path(folder) / "new.docx"
            write_docx(comparison.new.document, templates, base)
            read_back = read_docx(base.read_bytes(), comparison.new.label)
    # Compare with the model read from the very file being annotated, so every block has its
    # element in that file.
    new = Version(comparison.new.label, read_back.document, comparison.new.facts)
    labels = comparison.new.document.labels
    result = compare(comparison.old, new, labels or _no_labels(comparison))
    body = read_back.word.element.body
    marks = _Marks(body, change_date())
    elements = read_back.elements
    order = [c.id for c in new.document.clauses]

    for change in result.clauses:
        if change.kind == "added":
            for el in elements[change.id]:
                _mark_inserted(el, marks)
        elif change.kind in ("removed", "moved"):
            if change.kind == "moved":
                for el in elements[change.id]:
                    _mark_inserted(el, marks)
            anchor = _old_place(change.old, comparison, order, elements, body)
            for el in _deleted_clause(change.old, body, marks):
                anchor.addprevious(el)
        else:
            _annotate(change.old, change.new, elements[change.id], body, marks)
    if result.head:
        _annotate_head(comparison.old.document, templates, body, elements, order, marks)
    buffer = io.BytesIO()
    read_back.word.save(buffer)
    try:
        files.write_atomic(out, buffer.getvalue())
    except OSError as exc:
        raise OutputError(f"{out}: cannot write ({exc.strerror})", hint="close the file if it is "
                          "open in Word, and check the folder exists") from None


def write_redlines(comparison: Comparison, templates: Path, out: Path,
                   read_back: ReadBack | None = None) -> list[Path]:
    """The redline of the compared document at `out`, and one beside it for each council's
    copy of the submission that changed: out's name with the copy's ("endringer.docx" ->
    "endringer-saksframlegg-3405.docx"). The files written, in that order."""
    write_redline(comparison, templates, out, read_back)
    written = [out]
    for copies in comparison.documents:
        for stem, copy_comparison in copies.copies.items():
            if copy_comparison.empty:
                continue
            path = out.with_name(f"{out.stem}-{stem}{out.suffix}")
            write_redline(copy_comparison, templates, path)
            written.append(path)
    return written


def _head_region(body, elements, order: list[str]) -> list:
    """The body elements before the first clause: the title and a submission's head."""
    first = elements[order[0]][0] if order else None
    out = []
    for el in body:
        if el is first or el.tag == qn("w:sectPr"):
            break
        out.append(el)
    return out


def _annotate_head(old, templates: Path, body, elements, order: list[str],
                   marks: _Marks) -> None:
    """Tracked changes in the head (the title; a council's numbers, officer, date, meetings):
    the old version is written with the same template, and its head compared with this one
    element by element, table rows by row."""
    from ..word.writer import write_docx

    with tempfile.TemporaryDirectory(prefix="samdok-redline-") as folder:
        base = Path(folder) / "old.docx"
        write_docx(old, templates, base)
        before = read_docx(base.read_bytes(), "old")
    old_region = _head_region(before.word.element.body, before.elements,
                              [c.id for c in before.document.clauses])
    new_region = _head_region(body, elements, order)
    if [el.tag for el in old_region] != [el.tag for el in new_region]:
        return  # not the same template: the head's changes stay in the text report only
    for a, b in zip(old_region, new_region, strict=True):
        if b.tag == qn("w:p"):
            if paragraph_text(a) != paragraph_text(b):
                _rewrite(b, "", words(paragraph_text(a), paragraph_text(b)), marks)
        elif b.tag == qn("w:tbl"):
            _replace_rows(list(a.iter(qn("w:tr"))), list(b.iter(qn("w:tr"))), marks)


def _replace_rows(old: list, new: list, marks: _Marks) -> None:
    """Rows of the old table that are not in the new one go in deleted, before the row that
    took their place; new rows are marked inserted."""
    a, b = [row_cells(tr) for tr in old], [row_cells(tr) for tr in new]
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        for tr in new[j1:j2]:
            _row_mark(tr, "w:ins", marks)
            for p in tr.iter(qn("w:p")):
                _wrap_runs(p, "w:ins", marks)
        anchor = new[j1] if j1 < len(new) else None
        for tr in old[i1:i2]:
            gone = copy.deepcopy(tr)
            _delete_row(gone, marks)
            if anchor is not None:
                anchor.addprevious(gone)
            else:
                new[-1].addnext(gone)


def _no_labels(comparison: Comparison) -> dict[str, str]:
    # Data lines are not written into the redline; compare() only needs the keys to exist.
    return _AnyLabel()


class _AnyLabel(dict):
    def __missing__(self, key: str) -> str:
        return key


def _old_place(old: Clause, comparison: Comparison, order: list[str], elements, body):
    """The element a deleted clause goes before: the heading of the first clause after it in
    the old version that is still in the new one, else the end of the clauses."""
    ids = [c.id for c in comparison.old.document.clauses]
    for clause_id in ids[ids.index(old.id) + 1:]:
        if clause_id in elements and clause_id in order:
            return elements[clause_id][0]
    last = elements[order[-1]][-1] if order else None
    following = last.getnext() if last is not None else None
    if following is None:
        following = body[-1]  # the section properties always close the body
    return following


def _annotate(old: Clause, new: Clause, parts: list, body, marks: _Marks) -> None:
    """Word-level tracked changes inside one clause present in both versions."""
    heading, blocks = parts[0], parts[1:]
    old = renumbered_points(old, new.number)  # a sub-point renumbered with its clause stays
    if old.heading != new.heading:
        _rewrite(heading, f"{new.number}. ", words(old.heading, new.heading), marks)
    a, b = units(old), units(new)
    tail = blocks[-1] if blocks else heading  # deleted blocks after the last one go here
    for op, i, j in align(old, new):
        if op == "insert":
            _mark_inserted(blocks[j], marks)
        elif op == "delete":
            for el in _deleted_block(old.blocks[i], blocks, body, marks):
                if j < len(blocks):
                    blocks[j].addprevious(el)
                else:
                    tail.addnext(el)
                    tail = el
        elif op == "replace" and a[i] != b[j]:
            old_block, new_block = old.blocks[i], new.blocks[j]
            if isinstance(new_block, Table):
                _replace_table(old_block, new_block, blocks[j], marks)
            elif isinstance(new_block, Item) and new_block.label:
                _rewrite(blocks[j], f"{new_block.label}\t", words(
                    _text(old_block, with_label=False), new_block.text), marks)
            else:
                _rewrite(blocks[j], "", words(_text(old_block), _text(new_block)), marks)


def _text(block, with_label: bool = True) -> str:
    label = getattr(block, "label", "") if with_label else ""
    return squash(f"{label} {block.text}")


# --- paragraphs ------------------------------------------------------------------------------

def _run(text: str, rpr, deleted: bool = False):
    """A w:r holding text; tabs become w:tab, and deleted text is w:delText."""
    run = OxmlElement("w:r")
    if rpr is not None:
        run.append(copy.deepcopy(rpr))
    for index, piece in enumerate(text.split("\t")):
        if index:
            run.append(OxmlElement("w:tab"))
        if piece:
            t = OxmlElement("w:delText" if deleted else "w:t")
            t.set(qn("xml:space"), "preserve")
            t.text = piece
            run.append(t)
    return run


def _rewrite(p, prefix: str, changes: tuple[Words, ...], marks: _Marks) -> None:
    """Replace a paragraph's runs with the word changes: equal text plain, the rest tracked."""
    runs = [el for el in p if el.tag in (qn("w:r"), qn("w:ins"), qn("w:del"), qn("w:hyperlink"))]
    first = p.find(qn("w:r"))
    rpr = first.find(qn("w:rPr")) if first is not None else None
    end = p.find(qn("w:bookmarkEnd"))
    for el in runs:
        p.remove(el)
    new = [_run(prefix, rpr)] if prefix else []
    for change in changes:
        if change.op == "=":
            new.append(_run(change.text, rpr))
        else:
            wrapper = marks.make("w:del" if change.op == "-" else "w:ins")
            wrapper.append(_run(change.text, rpr, deleted=change.op == "-"))
            new.append(wrapper)
    for el in new:
        (end.addprevious if end is not None else p.append)(el)


def _mark_paragraph(p, tag: str, marks: _Marks) -> None:
    """Mark a paragraph's mark (its end) as inserted or deleted, so accepting or rejecting the
    change also removes the empty paragraph."""
    child(child(p, "w:pPr", first=True), "w:rPr").insert(0, marks.make(tag))


def _mark_inserted(el, marks: _Marks) -> None:
    """A whole paragraph or table as inserted."""
    if el.tag == qn("w:tbl"):
        for tr in el.iter(qn("w:tr")):
            _row_mark(tr, "w:ins", marks)
        for p in el.iter(qn("w:p")):
            _wrap_runs(p, "w:ins", marks)
        return
    _wrap_runs(el, "w:ins", marks)
    _mark_paragraph(el, "w:ins", marks)


def _wrap_runs(p, tag: str, marks: _Marks) -> None:
    for run in [el for el in p if el.tag == qn("w:r")]:
        wrapper = marks.make(tag)
        run.addprevious(wrapper)
        wrapper.append(run)
        if tag == "w:del":
            for t in run.findall(qn("w:t")):
                t.tag = qn("w:delText")


def _row_mark(tr, tag: str, marks: _Marks) -> None:
    trpr = tr.find(qn("w:trPr"))
    if trpr is None:
        trpr = OxmlElement("w:trPr")
        tblpr_ex = tr.find(qn("w:tblPrEx"))
        (tblpr_ex.addnext if tblpr_ex is not None else lambda e: tr.insert(0, e))(trpr)
    trpr.append(marks.make(tag))


def _deleted_paragraph(text: str, like, marks: _Marks):
    """A paragraph that was in the old version only: its text in w:del, styled like `like`."""
    p = OxmlElement("w:p")
    if like is not None and like.find(qn("w:pPr")) is not None:
        ppr = copy.deepcopy(like.find(qn("w:pPr")))
        for old in ppr.findall(qn("w:rPr")):
            ppr.remove(old)
        p.append(ppr)
    first = like.find(qn("w:r")) if like is not None else None
    rpr = first.find(qn("w:rPr")) if first is not None else None
    wrapper = marks.make("w:del")
    wrapper.append(_run(text, rpr, deleted=True))
    p.append(wrapper)
    _mark_paragraph(p, "w:del", marks)
    return p


def _deleted_clause(clause: Clause, body, marks: _Marks) -> list:
    """A removed clause rebuilt from the old model: heading and blocks, all deleted."""
    like = _example(body, "Heading1")
    out = [_deleted_paragraph(clause.numbered_heading, like, marks)]
    for block in clause.blocks:
        out += _deleted_block(block, [], body, marks)
    return out


def _deleted_block(block, neighbours: list, body, marks: _Marks) -> list:
    if isinstance(block, Table):
        return [_deleted_table(block, body, marks)]
    if isinstance(block, Item):
        return [_deleted_paragraph(f"{block.label}\t{block.text}", _example(body, "SamdokPunkt"),
                                   marks)]
    if block.kind == "underoverskrift":
        like = _example(body, "Heading2")
    else:
        like = next((el for el in neighbours
                     if el.tag == qn("w:p") and paragraph_style(el) is None), None)
        if like is None:
            like = _example(body, None)
    return [_deleted_paragraph(_text(block), like, marks)]


def _example(body, style: str | None):
    """A paragraph of the given style in the document, to copy its formatting from."""
    return next((p for p in body.iter(qn("w:p")) if paragraph_style(p) == style), None)


# --- tables ----------------------------------------------------------------------------------

def _replace_table(old: Table, new: Table, tbl, marks: _Marks) -> None:
    """Same shape: each changed row as the old row deleted before the new row inserted, so
    every cell keeps one value on one line, as in the document (old and new words side by side
    in a cell made it wrap: "kr 9 294 31510 61 9 719"). Otherwise the old table deleted before
    the new one, which is marked inserted (Word tracks rows, not columns)."""
    old_rows, new_rows = old.all_rows, new.all_rows
    trs = list(tbl.iter(qn("w:tr")))
    same_shape = (len(old_rows) == len(new_rows) == len(trs)
                  and all(len(a) == len(b) for a, b in zip(old_rows, new_rows, strict=True)))
    if not same_shape:
        tbl.addprevious(_deleted_table(old, tbl.getparent(), marks, like=tbl))
        _mark_inserted(tbl, marks)
        return
    for tr, a, b in zip(trs, old_rows, new_rows, strict=True):
        if a == b:
            continue
        before = copy.deepcopy(tr)
        for tc, value in zip(before.iter(qn("w:tc")), a, strict=False):
            _set_cell(tc, value)
        _delete_row(before, marks)
        tr.addprevious(before)
        _row_mark(tr, "w:ins", marks)
        for p in tr.iter(qn("w:p")):
            _wrap_runs(p, "w:ins", marks)


def _set_cell(tc, value: str) -> None:
    """A cell's text replaced by value, in the formatting of its first run."""
    paragraphs = tc.findall(qn("w:p"))
    for extra in paragraphs[1:]:
        tc.remove(extra)
    p = paragraphs[0]
    first = next(p.iter(qn("w:r")), None)
    rpr = first.find(qn("w:rPr")) if first is not None else None
    for el in [el for el in p if el.tag != qn("w:pPr")]:
        p.remove(el)
    p.append(_run(value, rpr))


def _delete_row(tr, marks: _Marks) -> None:
    """A row as deleted: the row itself and the text in it (a cell keeps its paragraph mark,
    which Word cannot delete on its own)."""
    _row_mark(tr, "w:del", marks)
    for p in tr.iter(qn("w:p")):
        _wrap_runs(p, "w:del", marks)


def _deleted_table(table: Table, body, marks: _Marks, like=None):
    """A table of the old version only, every row and its text deleted, written as the Word
    writer writes tables (column widths, bold header and sum, numbers on the right) so it
    looks as it did."""
    from docx.oxml import parse_xml

    from ..word.writer import table_rows_xml

    like = like if like is not None else next(body.iter(qn("w:tbl")), None)
    tbl = OxmlElement("w:tbl")
    if like is not None and like.find(qn("w:tblPr")) is not None:
        tbl.append(copy.deepcopy(like.find(qn("w:tblPr"))))
    # As wide as the table it stood for: that table's width, shared evenly, as the writer does.
    columns = like.findall(f"{qn('w:tblGrid')}/{qn('w:gridCol')}") if like is not None else []
    total = sum(int(c.get(qn("w:w"), "0")) for c in columns
                if c.get(qn("w:w"), "").isdigit()) or 8640
    width = str(total // max(len(table.header), 1))
    grid = OxmlElement("w:tblGrid")
    for _ in table.header:
        col = OxmlElement("w:gridCol")
        col.set(qn("w:w"), width)
        grid.append(col)
    tbl.append(grid)
    for tr in parse_xml(table_rows_xml(table, [width] * len(table.header))).findall(qn("w:tr")):
        _delete_row(tr, marks)
        tbl.append(tr)
    return tbl
