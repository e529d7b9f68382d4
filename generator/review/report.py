"""A comparison written out: for the terminal (coloured on a tty), as one HTML page, as JSON."""

from __future__ import annotations

import difflib
import html
from pathlib import Path
from typing import Any

import click

from ..base import files
from ..compose.document import Clause, Table
from ..errors import OutputError
from .case_diff import Group
from .diff import BlockChange, ClauseChange, Comparison, HeadChange, Words, squash

CSS = """
body { font-family: Carlito, Calibri, 'Segoe UI', sans-serif; max-width: 46rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.45; color: #1f2a37; }
h1 { font-size: 1.3rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; }
.versions { color: #555f6b; } .kind { font-weight: normal; color: #555f6b; }
del { background: #fde2e1; color: #8a1c1c; } ins { background: #dcf5e3; color: #14532d;
      text-decoration: none; }
.block.delete { background: #fde2e1; } .block.insert { background: #dcf5e3; }
.block { padding: 0.1rem 0.3rem; } ul.data li { margin: 0.2rem 0; }
table { border-collapse: collapse; margin: 0.4rem 0; font-size: 0.9rem; }
td, th { border: 1px solid #c9ced6; padding: 0.15rem 0.4rem; }
tr.delete td { background: #fde2e1; text-decoration: line-through; }
tr.insert td { background: #dcf5e3; }
"""


def to_json(comparison: Comparison) -> dict[str, Any]:
    """Machine-readable: one entry per change. A clause change that follows entirely from a
    data-level change is listed under it, not again on its own."""
    changes: list[dict[str, Any]] = [_head_json(change) for change in comparison.head]
    for data in comparison.data:
        changes.append({
            "kind": "data",
            "topic": data.topic,
            "lines": list(data.lines),
            "fields": [{"field": f, "old": a, "new": b} for f, a, b in data.fields],
            "clauses": [_clause_json(c) for c in comparison.explained(data.topic)],
        })
    changes += [_clause_json(c) for c in comparison.unexplained()]
    if comparison.renumbered:
        changes.append({"kind": "renumbered", "clauses": [
            {"id": clause_id, "old": a, "new": b} for clause_id, a, b in comparison.renumbered]})
    documents = [{
        "kind": copies.kind,
        "added": list(copies.added),
        "removed": list(copies.removed),
        "groups": [{"councils": "all" if group.every else list(group.councils),
                    "changes": [_head_json(c) for c in group.head]
                    + [_clause_json(c) for c in group.clauses]} for group in copies.groups],
    } for copies in comparison.documents if not copies.empty]
    return {"old": comparison.old.label, "new": comparison.new.label, "changes": changes,
            "documents": documents}


def _head_json(change: HeadChange) -> dict[str, Any]:
    return {"kind": "head", "field": change.field, "old": change.old, "new": change.new}


def _clause_json(change: ClauseChange) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": change.kind,
        "id": change.id,
        "number": {"old": change.old.number if change.old else None,
                   "new": change.new.number if change.new else None},
        "heading": {"old": change.old.heading if change.old else None,
                    "new": change.new.heading if change.new else None},
    }
    if change.heading:
        out["heading_words"] = _words_json(change.heading)
    if change.kind in ("added", "removed"):
        clause = change.new or change.old
        out["blocks"] = [_content(block) for block in clause.blocks]
    else:
        out["blocks"] = [{"op": b.op, "kind": b.kind, "old": _content(b.old),
                          "new": _content(b.new), **({"words": _words_json(b.words)}
                                                      if b.words else {})}
                         for b in change.blocks]
    return out


def _words_json(words: tuple[Words, ...]) -> list[dict[str, str]]:
    return [{"op": w.op, "text": w.text} for w in words]


def _content(block) -> Any:
    if block is None:
        return None
    if isinstance(block, Table):
        return {"header": list(block.header), "rows": [list(r) for r in block.rows],
                "total": list(block.total) if block.total else None}
    label = getattr(block, "label", "")
    return squash(f"{label} {block.text}")


# --- terminal -------------------------------------------------------------------------------

def to_terminal(comparison: Comparison, labels: dict[str, str], color: bool) -> str:
    """Readable in a terminal: [-deleted-]{+inserted+} as git --word-diff shows it, or red and
    green when color is True."""

    def deleted(text: str) -> str:
        return click.style(text, fg="red", strikethrough=True) if color else f"[-{text}-]"

    def inserted(text: str) -> str:
        return click.style(text, fg="green") if color else f"{{+{text}+}}"

    def bold(text: str) -> str:
        return click.style(text, bold=True) if color else text

    def inline(words: tuple[Words, ...]) -> str:
        return "".join(deleted(w.text) if w.op == "-" else inserted(w.text) if w.op == "+"
                       else w.text for w in words)

    lines = [f"--- {comparison.old.label}", f"+++ {comparison.new.label}"]
    if comparison.empty:
        lines.append(labels["endring_ingen"])
        return "\n".join(lines) + "\n"

    def clause_lines(change: ClauseChange, indent: str) -> list[str]:
        out = []
        if change.kind in ("added", "removed"):
            style = inserted if change.kind == "added" else deleted
            clause = change.new or change.old
            out += [indent + style(text) for text in _texts(clause)]
            return out
        for block in change.blocks:
            if block.kind == "tabell":
                out += [indent + line for line in _table_lines(block, deleted, inserted)]
            elif block.op == "replace":
                out.append(indent + inline(block.words))
            elif block.op == "delete":
                out.append(indent + deleted(_content(block.old)))
            else:
                out.append(indent + inserted(_content(block.new)))
        return out

    def head_line(change: HeadChange) -> str:
        return f"{change.field}: " + inline(_head_words(change))

    lines += [bold(head_line(change)) for change in comparison.head]
    for data in comparison.data:
        lines.append(bold(f"{labels['endring_data']}:"))
        lines += [f"  {line}" for line in data.lines]
        for change in comparison.explained(data.topic):
            lines.append(f"  {labels['endring_følger']}: {_title(change)}")
            lines += clause_lines(change, "      ")
    for change in comparison.unexplained():
        lines.append(bold(f"{labels[_KIND_LABELS[change.kind]]}: {_title(change)}"))
        if change.heading:
            lines.append("    " + inline(change.heading))
        lines += clause_lines(change, "    ")
    if comparison.renumbered:
        lines.append(bold(f"{labels['endring_omnummerert']}:") + " " + _moves(comparison))
    for copies in comparison.documents:
        for name in copies.added:
            lines.append(bold(f"{copies.labels['endring_nytt_dokument']}: {copies.name}, {name}"))
        for name in copies.removed:
            lines.append(bold(f"{copies.labels['endring_dokument_fjernet']}: "
                              f"{copies.name}, {name}"))
        for group in copies.groups:
            lines.append(bold(f"{copies.name}, {_councils(group, copies.labels)}:"))
            lines += [f"    {head_line(change)}" for change in group.head]
            for change in group.clauses:
                lines.append(f"    {copies.labels[_KIND_LABELS[change.kind]]}: {_title(change)}")
                if change.heading:
                    lines.append("        " + inline(change.heading))
                lines += clause_lines(change, "        ")
    return "\n".join(lines) + "\n"


def _councils(group: Group, labels: dict[str, str]) -> str:
    """ "alle kommuner", or the councils named: "Lillehammer kommune, Gausdal kommune" """
    return labels["endring_alle_kommuner"] if group.every else ", ".join(group.councils)


def _head_words(change: HeadChange) -> tuple[Words, ...]:
    """A head field's change as words: the whole old value replaced by the new one."""
    out = []
    if change.old is not None:
        out.append(Words("-", change.old))
    if change.old is not None and change.new is not None:
        out.append(Words("=", " → "))
    if change.new is not None:
        out.append(Words("+", change.new))
    return tuple(out)


def _moves(comparison: Comparison) -> str:
    """ "3 → 2 Formål, 4 → 3 Oppgaver og myndighet" """
    headings = {c.id: c.heading for c in comparison.new.document.clauses}
    return ", ".join(f"{a} → {b} {headings[clause_id]}"
                     for clause_id, a, b in comparison.renumbered)


_KIND_LABELS = {"added": "endring_lagt_til", "removed": "endring_fjernet",
                "moved": "endring_flyttet", "changed": "endring_endret"}


def _title(change: ClauseChange) -> str:
    clause = change.new or change.old
    if change.kind == "moved" and change.old and change.new:
        return f"{change.new.numbered_heading} ({change.old.number} → {change.new.number})"
    return clause.numbered_heading


def _texts(clause: Clause) -> list[str]:
    out = []
    for block in clause.blocks:
        if isinstance(block, Table):
            out += [" | ".join(row) for row in block.all_rows]
        else:
            out.append(_content(block))
    return out


def _table_lines(block: BlockChange, deleted, inserted) -> list[str]:
    old = block.old.all_rows if block.old is not None else []
    new = block.new.all_rows if block.new is not None else []
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if op == "equal":
            continue
        out += [deleted(" | ".join(row)) for row in old[i1:i2]]
        out += [inserted(" | ".join(row)) for row in new[j1:j2]]
    return out


# --- HTML -----------------------------------------------------------------------------------

def write_html(comparison: Comparison, labels: dict[str, str], out: Path) -> None:
    """The comparison as one HTML page (to_html) at `out`, written whole or not at all."""
    try:
        files.write_atomic(out, to_html(comparison, labels).encode("utf-8"))
    except OSError as exc:
        raise OutputError(f"{out}: cannot write ({exc.strerror})",
                          hint="check the folder exists and may be written to") from None


def to_html(comparison: Comparison, labels: dict[str, str]) -> str:
    """One self-contained page (styles inline, nothing fetched) for reviewers."""
    e = html.escape
    title = f"{comparison.new.document.title}: {comparison.old.label} → {comparison.new.label}"
    body = [f"<h1>{e(comparison.new.document.title)}</h1>",
            f'<p class="versions"><del>{e(comparison.old.label)}</del> → '
            f"<ins>{e(comparison.new.label)}</ins></p>"]
    if comparison.empty:
        body.append(f"<p>{e(labels['endring_ingen'])}</p>")
    body += _head_html(comparison.head)
    for data in comparison.data:
        body.append(f"<h2>{e(labels['endring_data'])}</h2>")
        body.append('<ul class="data">' + "".join(f"<li>{e(line)}</li>" for line in data.lines)
                    + "</ul>")
        for change in comparison.explained(data.topic):
            body.append(f'<h2><span class="kind">{e(labels["endring_følger"])}:</span> '
                        f"{e(_title(change))}</h2>")
            body += _clause_html(change)
    for change in comparison.unexplained():
        body.append(f'<h2><span class="kind">{e(labels[_KIND_LABELS[change.kind]])}:</span> '
                    f"{e(_title(change))}</h2>")
        if change.heading:
            body.append(f"<p>{_words_html(change.heading)}</p>")
        body += _clause_html(change)
    if comparison.renumbered:
        body.append(f"<h2>{e(labels['endring_omnummerert'])}</h2><p>{e(_moves(comparison))}</p>")
    for copies in comparison.documents:
        for key, names in (("endring_nytt_dokument", copies.added),
                           ("endring_dokument_fjernet", copies.removed)):
            body += [f'<h2><span class="kind">{e(copies.labels[key])}:</span> '
                     f"{e(copies.name)}, {e(name)}</h2>" for name in names]
        for group in copies.groups:
            body.append(f"<h2>{e(copies.name)}, {e(_councils(group, copies.labels))}</h2>")
            body += _head_html(group.head)
            for change in group.clauses:
                body.append(f'<h3><span class="kind">'
                            f"{e(copies.labels[_KIND_LABELS[change.kind]])}:</span> "
                            f"{e(_title(change))}</h3>")
                if change.heading:
                    body.append(f"<p>{_words_html(change.heading)}</p>")
                body += _clause_html(change)
    return (f'<!DOCTYPE html>\n<html lang="{e(comparison.new.document.language)}">\n<head>'
            f'<meta charset="utf-8"><title>{e(title)}</title><style>{CSS}</style></head>\n'
            "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")


def _head_html(changes) -> list[str]:
    if not changes:
        return []
    return ['<ul class="data">' + "".join(
        f"<li>{html.escape(c.field)}: {_words_html(_head_words(c))}</li>" for c in changes)
        + "</ul>"]


def _words_html(words: tuple[Words, ...]) -> str:
    e = html.escape
    return "".join(f"<del>{e(w.text)}</del>" if w.op == "-" else
                   f"<ins>{e(w.text)}</ins>" if w.op == "+" else e(w.text) for w in words)


def _clause_html(change: ClauseChange) -> list[str]:
    e = html.escape
    if change.kind in ("added", "removed"):
        op = "insert" if change.kind == "added" else "delete"
        clause = change.new or change.old
        out = []
        for block in clause.blocks:
            if isinstance(block, Table):
                out.append(_table_html(block if op == "insert" else None,
                                       block if op == "delete" else None))
            else:
                tag = "ins" if op == "insert" else "del"
                out.append(f'<p class="block {op}"><{tag}>{e(_content(block))}</{tag}></p>')
        return out
    out = []
    for block in change.blocks:
        if block.kind == "tabell":
            out.append(_table_html(block.new, block.old))
        elif block.op == "replace":
            out.append(f"<p>{_words_html(block.words)}</p>")
        elif block.op == "delete":
            out.append(f'<p class="block delete"><del>{e(_content(block.old))}</del></p>')
        else:
            out.append(f'<p class="block insert"><ins>{e(_content(block.new))}</ins></p>')
    return out


def _table_html(new: Table | None, old: Table | None) -> str:
    e = html.escape
    a = old.all_rows if old is not None else []
    b = new.all_rows if new is not None else []
    rows = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if op == "equal":
            rows += [("", row) for row in b[j1:j2]]
            continue
        rows += [("delete", row) for row in a[i1:i2]]
        rows += [("insert", row) for row in b[j1:j2]]
    cells = "".join(f'<tr class="{cls}">' + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>"
                    for cls, row in rows)
    return f"<table>{cells}</table>"
