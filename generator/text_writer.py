"""Plain Markdown of a document: a case's model as text, or any .docx through pandoc."""

from __future__ import annotations

from .document import Document, Item, SubHeading, Table
from .errors import ConversionError


def markdown(document: Document) -> str:
    """The document model as Markdown: numbered clause headings, lists, pipe tables."""
    lines = [f"# {document.title}", ""]
    if document.subtitle:
        lines += [document.subtitle, ""]
    for clause in document.clauses:
        lines += [f"## {clause.numbered_heading}", ""]
        for block in clause.blocks:
            if isinstance(block, Table):
                lines += _table(block) + [""]
            elif isinstance(block, SubHeading):
                lines += [f"### {block.label} {block.text}".replace("###  ", "### "), ""]
            elif isinstance(block, Item):
                label = "" if block.label in ("–", "-", "•") else f"{block.label} "
                lines.append(f"- {label}{block.text}")
            else:
                if lines and lines[-1].startswith("- "):
                    lines.append("")
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

    from .docx_guard import checked_package

    data = checked_package(data, shown)
    try:
        return pypandoc.convert_text(data, "gfm", format="docx", sandbox=True,
                                     verify_format=False, extra_args=["--wrap=none"])
    except (OSError, RuntimeError) as exc:
        raise ConversionError(f"{shown}: pandoc could not read it ({exc}); hint: install "
                              "pypandoc_binary (it brings pandoc), or pandoc itself") from None
