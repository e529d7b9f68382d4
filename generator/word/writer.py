"""Word writer: a document model rendered into its docxtpl template under templates/."""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docxtpl import DocxTemplate
from jinja2 import TemplateError as JinjaError
from markupsafe import Markup

from ..compose.document import Document, Table
from ..compose.sandbox import word_environment
from ..errors import TemplateError
from ..model.norsk import LANGUAGE_TAGS
from .context import template_context
from .marks import mark_clauses, set_kind
from .ooxml import child

# Style ids (not display names) of the template styles the writer itself uses.
TABLE_STYLE = "Samdoktabell"
TABLE_TEXT_STYLE = "SamdokTabelltekst"


def template_path(templates: Path, kind: str) -> Path:
    return templates / f"{kind}.docx"


def write_docx(document: Document, templates: Path, out: Path) -> None:
    """Render the document into templates/<kind>.docx and save it at out.

    Attached documents (the agreement behind a case submission) are not placed in the Word
    file: they are Word files of their own, and the build appends their PDF to this one's.
    """
    path = template_path(templates, document.kind)
    if not path.is_file():
        raise TemplateError(f"{path}: Word template not found", hint="restore it from git, "
                            "or run templates/make_templates.py to recreate the standard one")
    tpl = DocxTemplate(str(path))
    env = word_environment()
    # The table goes in as its XML (what docxtpl would take from a sub-document), so the
    # template receives text, not an object with methods.
    context = template_context(document, lambda table: Markup(str(_table(table, tpl))))
    try:
        tpl.render(context, jinja_env=env, autoescape=True)
    except JinjaError as exc:
        raise TemplateError(
            f"{path.name}: {exc}", hint="check the {{ }} and {% %} tags in the "
            "template against 'Template variables' in README.md") from None
    _set_language(tpl, LANGUAGE_TAGS[document.language])
    mark_clauses(tpl.docx.element.body, document)
    props = tpl.docx.core_properties
    props.title = document.title
    props.subject = document.subtitle
    props.language = LANGUAGE_TAGS[document.language]
    props.author = "samdok"
    set_kind(props, document.kind)
    tpl.save(str(out))


def _table(table: Table, tpl: DocxTemplate):
    """A model table as a Word table in the template's 'Samdok tabell' style."""
    sub = tpl.new_subdoc()
    word = sub.add_table(rows=0, cols=len(table.header))
    _style_id(word._tbl.tblPr, "w:tblStyle", TABLE_STYLE)
    widths = [col.get(qn("w:w")) for col in word._tbl.tblGrid.gridCol_lst]
    # The rows are written as XML text and parsed at once: python-docx's cell and run objects
    # took a third of a second for a 357-party cost table, in every council's submission.
    xml = table_rows_xml(table, widths)
    word._tbl.extend(parse_xml(xml).tr_lst)
    return sub


def table_rows_xml(table: Table, widths: list[str]) -> str:
    """A model table's rows as a w:tbl of Word XML (no table properties): header and total
    row bold, numbers aligned right, each cell as wide as its column. The redline writes an
    old table this way too, so it looks like the table it was."""
    rows = table.all_rows
    xml = [f"<w:tbl {nsdecls('w')}>"]
    for r, values in enumerate(rows):
        emphasis = r == 0 or (table.total is not None and r == len(rows) - 1)
        bold = "<w:b/>" if emphasis else '<w:b w:val="0"/>'
        # The header row is repeated at the top of every page the table runs over.
        xml.append("<w:tr><w:trPr><w:tblHeader/></w:trPr>" if r == 0 else "<w:tr>")
        for c, value in enumerate(values):
            right = '<w:jc w:val="right"/>' if c > 0 else ""  # numbers line up on the right
            xml.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{widths[c]}"/></w:tcPr>'
                       f'<w:p><w:pPr><w:pStyle w:val="{TABLE_TEXT_STYLE}"/>{right}</w:pPr>'
                       f"<w:r><w:rPr>{bold}</w:rPr>{_run_text(value)}</w:r></w:p></w:tc>")
        xml.append("</w:tr>")
    xml.append("</w:tbl>")
    return "".join(xml)


def _run_text(value: str) -> str:
    """A run's text as Word XML, as python-docx writes it: tabs and line breaks as elements,
    xml:space="preserve" only where spaces at either end must be kept."""
    out = []
    for part in re.split(r"(\t|\n|\r)", value):
        if part == "\t":
            out.append("<w:tab/>")
        elif part in ("\n", "\r"):
            out.append("<w:br/>")
        elif part:
            space = ' xml:space="preserve"' if part != part.strip() else ""
            out.append(f"<w:t{space}>{escape(part)}</w:t>")
    return "".join(out)


def _style_id(parent, tag: str, value: str) -> None:
    child(parent, tag, first=True).set(qn("w:val"), value)


def _set_language(tpl: DocxTemplate, tag: str) -> None:
    """Document-default language: LibreOffice takes the PDF's /Lang from here."""
    styles = tpl.docx.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    child(rpr, "w:lang").set(qn("w:val"), tag)
