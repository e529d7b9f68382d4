"""Plain Markdown of a document: a case's model as text, or any .docx through pandoc."""

from __future__ import annotations

import re

from ..compose.document import Document, Item, SubHeading, Table
from ..errors import ConversionError

SUBPOINT = re.compile(r"\d+\.\d+")  # a sub-point's label: its clause's number, then its own


def case_markdown(documents: list[Document]) -> str:
    """Every document of a case as Markdown, one after the other with a blank line between."""
    return "\n".join(markdown(document) for document in documents)


def markdown(document: Document) -> str:
    """The document model as Markdown: the head (a council's copy of a submission: its
    municipality, numbers, officer, date and route), numbered clause headings, lists, pipe
    tables; a blank line between any two blocks."""
    lines = [f"# {document.title}", ""]
    if document.subtitle:
        lines += [document.subtitle, ""]
    lines += _head(document)
    for clause in document.clauses:
        lines += [f"## {clause.numbered_heading}", ""]
        for block in clause.blocks:
            point = isinstance(block, Item) and SUBPOINT.fullmatch(block.label)
            if (not isinstance(block, Item) or point) and lines[-1] != "":
                lines.append("")  # a list ends before the next paragraph, heading or table
            if point:
                # A numbered sub-point ("3.1 …") is a paragraph of its own, as in the PDF.
                lines += [f"{block.label} {block.text}", ""]
                continue
            if isinstance(block, Table):
                lines += _table(block) + [""]
            elif isinstance(block, SubHeading):
                lines += [f"### {block.label} {block.text}".replace("###  ", "### "), ""]
            elif isinstance(block, Item):
                lines.append(_item(block))
            else:
                lines += [block.text, ""]
        if lines[-1] != "":
            lines.append("")
    if document.signatories:
        lines += [f"## {document.labels.get('underskrifter', '')}".rstrip(), ""]
        if document.place_and_date:
            lines += [document.place_and_date, ""]
        for s in document.signatories:
            who = ", ".join(part for part in (s.name, s.title) if part)
            lines.append(f"- {s.party}" + (f": {who}" if who else ""))
        lines.append("")
    return "\n".join(lines)


def _item(item: Item) -> str:
    """A numbered item as Markdown numbers it ("1. …"); any other as a bullet, with its label
    ("- i. …") unless the label is itself a bullet."""
    if re.fullmatch(r"\d+[.)]", item.label):
        return f"{item.label} {item.text}"
    label = "" if item.label in ("–", "-", "•", "") else f"{item.label} "
    return f"- {label}{item.text}"


def _head(document: Document) -> list[str]:
    """A submission's head, as its Word template prints it: the municipality, then its archive
    case number, archive code, officer and date, then the meetings the case goes to."""
    head, labels = document.header, document.labels
    if not head:
        return []
    lines = []
    if head.get("kommune"):
        lines += [f"**{head['kommune']}**", ""]
    if head.get("mottaker"):  # a letter (the notice to statsforvalteren)
        lines += [f"{labels.get('til', 'Til')}: {head['mottaker']}", ""]
    fields = [key for key in ("arkivsak", "arkiv", "saksbehandler", "dato") if key in head]
    if fields:
        lines += _table(Table(tuple(labels.get(key, key) for key in fields),
                              (tuple(str(head[key]) for key in fields),))) + [""]
    route = head.get("behandling") or ()
    if route:
        columns = ("saksnr", "utvalg", "møtedato")
        names = (labels.get("utvalgssak", "saksnr"), labels.get("utvalg", "utvalg"),
                 labels.get("møtedato", "møtedato"))
        lines += _table(Table(names, tuple(tuple(str(meeting.get(c, "")) for c in columns)
                                           for meeting in route))) + [""]
    return lines


def _table(table: Table) -> list[str]:
    def row(cells) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    out = [row(table.header), "|" + "|".join("---" for _ in table.header) + "|"]
    out += [row(r) for r in table.rows]
    if table.total:
        out.append(row(f"**{c}**" if c else c for c in table.total))
    return out


def docx_markdown(data: bytes, shown: str) -> str:
    """Any .docx as Markdown, by pandoc (pypandoc). Headings lose their numbers, which is fine
    for reading a change in `git diff` (the clause diff reads the model instead).

    pandoc reads the checked copy of the file (bounded, no DOCTYPE) from its standard input,
    in its sandbox (no other file, no network): nothing is written, not even a temporary file.
    """
    import pypandoc

    from ..word.guard import checked_package

    data = checked_package(data, shown)
    try:
        return pypandoc.convert_text(data, "gfm", format="docx", sandbox=True,
                                     verify_format=False, extra_args=["--wrap=none"])
    except (OSError, RuntimeError) as exc:
        raise ConversionError(f"{shown}: pandoc could not read it ({exc})", hint="install "
                              "pypandoc_binary (it brings pandoc), or pandoc itself") from None
