"""Writes the standard Word templates from scratch (a developer tool, not part of a build).

Secretariats restyle templates/*.docx directly in Word or LibreOffice; run this script only to
start the standard templates over. It needs python-docx:  python templates/make_templates.py
"""

from __future__ import annotations

import copy
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
FONT = "Carlito"  # metric twin of Calibri; covers æøå and the Sami letters áčđŋšŧž
INK = RGBColor(0x1F, 0x2A, 0x37)


def _fonts(rpr) -> None:
    """Name the font outright: theme fonts would resolve to fonts missing on Linux."""
    for old in rpr.findall(qn("w:rFonts")):
        rpr.remove(old)
    fonts = OxmlElement("w:rFonts")
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    rpr.insert(0, fonts)


def _defaults(doc) -> None:
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr)
    # The PDF's /Lang comes from the document defaults, not from the Normal style.
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "nb-NO")
    lang.set(qn("w:eastAsia"), "nb-NO")
    for style in styles.findall(qn("w:style")):
        style_rpr = style.find(qn("w:rPr"))
        if style_rpr is not None and style_rpr.find(qn("w:rFonts")) is not None:
            _fonts(style_rpr)
    # Automatic hyphenation stays off: it splits words in the PDF text the verifier reads.
    settings = doc.settings.element
    for old in settings.findall(qn("w:autoHyphenation")):
        settings.remove(old)
    hyph = OxmlElement("w:autoHyphenation")
    hyph.set(qn("w:val"), "false")
    settings.append(hyph)


def _style(doc, name, *, size, bold=False, before=0, after=6, keep=False, color=INK,
           base=None, kind=WD_STYLE_TYPE.PARAGRAPH):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, kind)
    if base:
        style.base_style = styles[base]
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = color
    fmt = style.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.keep_with_next = keep
    # Title and headings carry bottom borders and theme colours in python-docx's default
    # template; a plain look restyles more easily.
    ppr = style.element.find(qn("w:pPr"))
    if ppr is not None:
        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)
    return style


def _field(paragraph, instruction: str) -> None:
    """A Word field such as PAGE or NUMPAGES (updated by Word and LibreOffice when shown)."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == instruction:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)


def _page_setup(doc, title_tag: str) -> None:
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    section.header_distance = section.footer_distance = Cm(1.2)

    header = section.header.paragraphs[0]
    header.style = doc.styles["Header"]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.add_run(title_tag)

    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.paragraph_format.tab_stops.add_tab_stop(Cm(16.0), WD_TAB_ALIGNMENT.RIGHT)
    for name in ("Header", "Footer"):  # the default template's tab stops overrun the margin
        doc.styles[name].paragraph_format.tab_stops.clear_all()
    footer.add_run("{{ utkast }}\t{{ etiketter.side }} ")
    _field(footer, "PAGE")
    footer.add_run(" {{ etiketter.av }} ")
    _field(footer, "NUMPAGES")


def _styles(doc) -> None:
    _style(doc, "Normal", size=11, after=6)
    doc.styles["Normal"].paragraph_format.line_spacing = 1.1
    _style(doc, "Title", size=20, bold=True, after=4)
    _style(doc, "Subtitle", size=13, after=18)
    _style(doc, "Heading 1", size=13, bold=True, before=14, after=4, keep=True)
    _style(doc, "Heading 2", size=11, bold=True, before=8, after=2, keep=True)
    _style(doc, "Header", size=9, after=0, color=RGBColor(0x55, 0x5F, 0x6B))
    _style(doc, "Footer", size=9, after=0, color=RGBColor(0x55, 0x5F, 0x6B))
    item = _style(doc, "Samdok Punkt", size=11, after=2, base="Normal")
    item.paragraph_format.left_indent = Cm(1.2)
    item.paragraph_format.first_line_indent = Cm(-0.8)
    item.paragraph_format.tab_stops.add_tab_stop(Cm(1.2))
    _style(doc, "Samdok Tabelltekst", size=10, after=0, base="Normal")
    sign = _style(doc, "Samdok Signatur", size=11, after=0, base="Normal")
    sign.paragraph_format.keep_with_next = True


def _table_style(doc) -> None:
    """'Samdok tabell': thin grid lines; rows never split across pages."""
    grid = doc.styles["Table Grid"]
    style = doc.styles.add_style("Samdok tabell", WD_STYLE_TYPE.TABLE)
    style.base_style = grid
    style.font.size = Pt(10)


def _para(doc, text: str, style: str = "Normal"):
    return doc.add_paragraph(text, style=style)


def _clause_loop(doc, heading: str) -> None:
    """The document model's clauses and their blocks, each block kind in its own style."""
    _para(doc, "{%p for klausul in klausuler %}")
    _para(doc, heading, "Heading 1")
    _para(doc, "{%p for blokk in klausul.blokker %}")
    _para(doc, '{%p if blokk.type == "avsnitt" %}')
    _para(doc, "{{ blokk.tekst }}")
    _para(doc, '{%p elif blokk.type == "underoverskrift" %}')
    _para(doc, "{% if blokk.merke %}{{ blokk.merke }} {% endif %}{{ blokk.tekst }}", "Heading 2")
    _para(doc, '{%p elif blokk.type == "punkt" %}')
    _para(doc, "{{ blokk.merke }}\t{{ blokk.tekst }}", "Samdok Punkt")
    _para(doc, '{%p elif blokk.type == "tabell" %}')
    _para(doc, "{{p blokk.tabell }}")
    _para(doc, "{%p endif %}")
    _para(doc, "{%p endfor %}")
    _para(doc, "{%p endfor %}")


def samarbeidsavtale(kind: str = "samarbeidsavtale") -> None:
    """templates/<kind>.docx: an agreement (samarbeidsavtale, tjenesteavtale)."""
    doc = Document()
    _defaults(doc)
    _styles(doc)
    _table_style(doc)
    _page_setup(doc, "{{ tittel }}")

    body = doc.element.body
    for p in list(body.findall(qn("w:p"))):
        body.remove(p)

    _para(doc, "{{ tittel }}", "Title")
    _para(doc, "{%p if undertittel %}")
    _para(doc, "{{ undertittel }}", "Subtitle")
    _para(doc, "{%p endif %}")
    _clause_loop(doc, "{{ klausul.nummer }}. {{ klausul.overskrift }}")

    # Signatures: one row per party. Rows are kept whole on one page.
    _para(doc, "{{ etiketter.underskrifter }}", "Heading 1")
    _para(doc, "{{ sted_og_dato }}")
    table = doc.add_table(rows=3, cols=2)
    table.style = doc.styles["Samdok tabell"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    _no_borders(table)
    table.cell(0, 0).paragraphs[0].text = "{%tr for u in underskrifter %}"
    left, right = table.cell(1, 0), table.cell(1, 1)
    left.paragraphs[0].text = "{{ etiketter.for_kommune }} {{ u.part }}"
    left.paragraphs[0].style = doc.styles["Samdok Signatur"]
    right.paragraphs[0].style = doc.styles["Samdok Signatur"]
    right.paragraphs[0].paragraph_format.space_before = Pt(28)
    right.paragraphs[0].text = "______________________________"
    name = right.add_paragraph("{{ u.navn }}{% if u.tittel %}, {{ u.tittel }}{% endif %}")
    name.style = doc.styles["Samdok Signatur"]
    name.paragraph_format.space_after = Pt(12)
    table.cell(2, 0).paragraphs[0].text = "{%tr endfor %}"
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        cant = OxmlElement("w:cantSplit")
        tr_pr.append(cant)

    doc.core_properties.title = kind.capitalize()
    doc.core_properties.language = "nb-NO"
    doc.core_properties.author = "samdok"
    doc.save(HERE / f"{kind}.docx")


def saksframlegg() -> None:
    """templates/saksframlegg.docx: one council's copy of a joint case submission."""
    doc = Document()
    _defaults(doc)
    _styles(doc)
    _table_style(doc)
    _style(doc, "Samdok Kommune", size=16, bold=True, after=8, base="Normal")
    _page_setup(doc, "{{ topp.kommune }} · {{ etiketter.saksframlegg }}")
    body = doc.element.body
    for p in list(body.findall(qn("w:p"))):
        body.remove(p)

    _para(doc, "{{ topp.kommune }}", "Samdok Kommune")
    # The head: archive case number, archive code, case officer and date ...
    head = doc.add_table(rows=2, cols=4)
    head.style = doc.styles["Samdok tabell"]
    for col, (label, value) in enumerate((("arkivsak", "arkivsak"), ("arkiv", "arkiv"),
                                          ("saksbehandler", "saksbehandler"),
                                          ("dato", "dato"))):
        _cell(head.cell(0, col), f"{{{{ etiketter.{label} }}}}", bold=True)
        _cell(head.cell(1, col), f"{{{{ topp.{value} }}}}")
    _para(doc, "")
    # ... and the route: each meeting the case goes to, in order.
    route = doc.add_table(rows=3, cols=3)
    route.style = doc.styles["Samdok tabell"]
    for col, label in enumerate(("utvalgssak", "utvalg", "møtedato")):
        _cell(route.cell(0, col), f"{{{{ etiketter.{label} }}}}", bold=True)
    _cell(route.cell(1, 0), "{%tr for b in topp.behandling %}")
    _cell(route.cell(2, 0), "{{ b.saksnr }}")
    _cell(route.cell(2, 1), "{{ b.utvalg }}")
    _cell(route.cell(2, 2), "{{ b.møtedato }}")
    row = route.add_row()
    _cell(row.cells[0], "{%tr endfor %}")

    _para(doc, "{{ tittel }}", "Title")
    _clause_loop(doc, "{{ klausul.overskrift }}")
    # The agreement the councils vote on follows on a page of its own.
    _para(doc, "{%p for vedlegg in vedlegg %}")
    brk = _para(doc, "")
    brk.add_run().add_break(WD_BREAK.PAGE)
    _para(doc, "{{p vedlegg }}")
    _para(doc, "{%p endfor %}")

    doc.core_properties.title = "Saksframlegg"
    doc.core_properties.language = "nb-NO"
    doc.core_properties.author = "samdok"
    doc.save(HERE / "saksframlegg.docx")


def _cell(cell, text: str, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = cell.part.document.styles["Samdok Tabelltekst"]
    paragraph.add_run(text).bold = bold


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(copy.deepcopy(borders))


if __name__ == "__main__":
    samarbeidsavtale()
    samarbeidsavtale("tjenesteavtale")
    saksframlegg()
    print("wrote the standard templates in", HERE)
