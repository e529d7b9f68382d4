"""Writes the standard Word templates from scratch (a developer tool, not part of a build).

Secretariats restyle templates/*.docx directly in Word or LibreOffice; run this script only to
start the standard templates over. It needs samdok installed (pip install -e .), which brings
python-docx:  python templates/make_templates.py
The files it writes are the same bytes every time, so a regenerated template shows in git only
when what it holds changed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from generator.base.reproducible import FALLBACK_EPOCH, normalise_docx

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
    _watermark(header)

    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.paragraph_format.tab_stops.add_tab_stop(Cm(16.0), WD_TAB_ALIGNMENT.RIGHT)
    for name in ("Header", "Footer"):  # the default template's tab stops overrun the margin
        doc.styles[name].paragraph_format.tab_stops.clear_all()
    # The draft stamp ("Utkast 3 · 23.11.2026 · a1b2c3d"); empty in a final build.
    footer.add_run("{{ utkaststempel }}\t{{ etiketter.side }} ")
    _field(footer, "PAGE")
    footer.add_run(" {{ etiketter.av }} ")
    _field(footer, "NUMPAGES")


# A diagonal text behind the body, drawn as Word draws its own watermarks (a VML WordArt shape
# named PowerPlusWaterMarkObject, anchored in the header so it is on every page); LibreOffice
# imports it as a watermark and draws it as outlines, so it adds no text to the PDF's body.
WATERMARK = """<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
  xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"
  xmlns:w10="urn:schemas-microsoft-com:office:word"><w:rPr><w:noProof/></w:rPr><w:pict>
<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800"
  path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas><v:f eqn="sum #0 0 10800"/>
<v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/><v:f eqn="sum 0 0 @2"/>
<v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/><v:f eqn="if @0 21600 @1"/>
<v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/><v:f eqn="mid @5 @6"/>
<v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/><v:f eqn="mid @6 @7"/><v:f eqn="sum @6 0 @5"/>
</v:formulas><v:path textpathok="t" o:connecttype="custom"
  o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>
<v:textpath on="t" fitshape="t"/><v:handles><v:h position="#0,bottomRight" xrange="6629,14971"/>
</v:handles><o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>
<v:shape id="PowerPlusWaterMarkObject1" o:spid="_x0000_s2049" type="#_x0000_t136"
  style="position:absolute;margin-left:0;margin-top:0;width:440pt;height:146pt;rotation:315;
  z-index:-251657216;mso-position-horizontal:center;mso-position-horizontal-relative:margin;
  mso-position-vertical:center;mso-position-vertical-relative:margin"
  o:allowincell="f" fillcolor="#c0c0c0" stroked="f"><v:fill opacity=".4"/>
<v:textpath style="font-family:&quot;Carlito&quot;;font-size:1pt" string="{{ vannmerke }}"/>
<w10:wrap anchorx="margin" anchory="margin"/></v:shape></w:pict></w:r>"""


def _watermark(paragraph) -> None:
    """The watermark shape, present only while the template variable 'vannmerke' is set."""
    from docx.oxml import parse_xml

    paragraph.add_run("{% if vannmerke %}")
    paragraph._p.append(parse_xml(" ".join(WATERMARK.split("\n"))))
    paragraph.add_run("{% endif %}")


# The built-in styles the templates restyle, kept whether a template uses them or not: the
# Word writer and a secretariat editing the Word file may use them.
RESTYLED = ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Header", "Footer",
            "Table Grid")


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


# Relationship type of Word 2010's copy of the style gallery, which later Word ignores.
STYLES_WITH_EFFECTS = ("http://schemas.microsoft.com/office/2007/relationships/"
                       "stylesWithEffects")


def _prune_styles(doc) -> None:
    """Keep only the styles this template uses or defines (and what they are based on).

    python-docx's default template carries Word's whole gallery, 169 styles, and LibreOffice
    builds every one of them when it opens a document: half its time for a 2-page case
    submission. Word still offers its built-in styles when they are gone from the file.
    """
    styles = doc.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    parts = [part.element for part in doc.part.package.iter_parts()
             if hasattr(part, "element") and part.element is not styles]
    wanted = {el.get(qn("w:val")) for part in parts
              for tag in ("w:pStyle", "w:rStyle", "w:tblStyle") for el in part.iter(qn(tag))}
    wanted |= {s.get(qn("w:styleId")) for s in by_id.values() if s.get(qn("w:default")) == "1"}
    wanted |= {style.style_id for style in doc.styles
               if style.name in RESTYLED or style.name.startswith("Samdok")}
    keep, todo = set(), [w for w in wanted if w in by_id]
    while todo:
        style_id = todo.pop()
        if style_id in keep:
            continue
        keep.add(style_id)
        for tag in ("w:basedOn", "w:link", "w:next"):
            ref = by_id[style_id].find(qn(tag))
            if ref is not None and ref.get(qn("w:val")) in by_id:
                todo.append(ref.get(qn("w:val")))
    for style_id, style in by_id.items():
        if style_id not in keep:
            styles.remove(style)
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype == STYLES_WITH_EFFECTS:
            doc.part.drop_rel(rel_id)


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

    _signature_page(doc)

    doc.core_properties.title = kind.capitalize()
    doc.core_properties.language = "nb-NO"
    doc.core_properties.author = "samdok"
    _prune_styles(doc)
    _save(doc, HERE / f"{kind}.docx")


def _council_document(title_tag: str):
    """An empty document from one council (a submission, a letter): the standard styles,
    the council's name as a style of its own, the page set up with `title_tag`."""
    doc = Document()
    _defaults(doc)
    _styles(doc)
    _table_style(doc)
    _style(doc, "Samdok Kommune", size=16, bold=True, after=8, base="Normal")
    _page_setup(doc, title_tag)
    body = doc.element.body
    for p in list(body.findall(qn("w:p"))):
        body.remove(p)
    return doc


def saksframlegg() -> None:
    """templates/saksframlegg.docx: one council's copy of a joint case submission."""
    doc = _council_document("{{ topp.kommune }} · {{ etiketter.saksframlegg }}")

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
    # The agreement the councils vote on is not placed here: the build appends its PDF.

    doc.core_properties.title = "Saksframlegg"
    doc.core_properties.language = "nb-NO"
    doc.core_properties.author = "samdok"
    _prune_styles(doc)
    _save(doc, HERE / "saksframlegg.docx")


def melding() -> None:
    """templates/melding-statsforvalteren.docx: the host's notice to statsforvalteren that a
    host cooperation is established (a letter: sender, recipient, reference, sections)."""
    doc = _council_document("{{ topp.kommune }} · {{ tittel }}")

    _para(doc, "{{ topp.kommune }}", "Samdok Kommune")
    _para(doc, "{{ etiketter.til }}: {{ topp.mottaker }}")
    # The letter is dated when the archive system sends it: the head has no date of its own.
    head = doc.add_table(rows=2, cols=2)
    head.style = doc.styles["Samdok tabell"]
    for col, (label, value) in enumerate((("arkivsak", "arkivsak"),
                                          ("saksbehandler", "saksbehandler"))):
        _cell(head.cell(0, col), f"{{{{ etiketter.{label} }}}}", bold=True)
        _cell(head.cell(1, col), f"{{{{ topp.{value} }}}}")
    _para(doc, "")
    _para(doc, "{{ tittel }}", "Title")
    _para(doc, "{%p if undertittel %}")
    _para(doc, "{{ undertittel }}", "Subtitle")
    _para(doc, "{%p endif %}")
    _clause_loop(doc, "{{ klausul.overskrift }}")
    closing = _para(doc, "{{ etiketter.hilsen }}")
    closing.paragraph_format.space_before = Pt(18)
    sender = _para(doc, "{{ topp.kommune }}")
    for line in (closing, sender):  # the greeting stays on one page
        line.paragraph_format.keep_with_next = True
    _para(doc, "{{ topp.saksbehandler }}")

    doc.core_properties.title = "Melding til statsforvalteren"
    doc.core_properties.language = "nb-NO"
    doc.core_properties.author = "samdok"
    _prune_styles(doc)
    _save(doc, HERE / "melding-statsforvalteren.docx")


def _cell(cell, text: str, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = cell.part.document.styles["Samdok Tabelltekst"]
    paragraph.add_run(text).bold = bold


def _signature_page(doc) -> None:
    """The last page: per party "For X kommune", lines for place, date and signature, and the
    representative's name and title. Every word comes from the clause library's etiketter."""
    heading = _para(doc, "{{ etiketter.underskrifter }}", "Heading 1")
    heading.paragraph_format.page_break_before = True
    # The agreed place and date (the case's `underskrift:`) once, above every party; each
    # party's block below has lines only for what was not agreed.
    _para(doc, "{%p if avtalt_sted %}")
    _para(doc, "{{ sted_og_dato }}")
    _para(doc, "{%p endif %}")
    _para(doc, "{%p for u in underskrifter %}")
    party = _para(doc, "{{ etiketter.for_kommune }} {{ u.part }}", "Samdok Signatur")
    party.runs[0].bold = True
    party.paragraph_format.space_before = Pt(24)
    # Lines to write on are tab leaders: they stretch to the tab stop in any font and size.
    # No place agreed: a line for each; a place but no date: a date line; both: none.
    _para(doc, "{%p if not avtalt_sted %}")
    _line(_para(doc, "{{ etiketter.sted }}: \t\t{{ etiketter.dato }}: \t", "Samdok Signatur"),
          before=16, stops=((Cm(7.5), True), (Cm(8.5), False), (Cm(15.9), True)))
    _para(doc, "{%p elif not avtalt_dato %}")
    _line(_para(doc, "{{ etiketter.dato }}: \t", "Samdok Signatur"),
          before=16, stops=((Cm(7.5), True),))
    _para(doc, "{%p endif %}")
    _line(_para(doc, "{{ etiketter.underskrift }}: \t", "Samdok Signatur"),
          before=30, stops=((Cm(15.9), True),))
    _para(doc, "{%p if u.navn %}")
    name = _para(doc, "{{ u.navn }}{% if u.tittel %}, {{ u.tittel }}{% endif %}",
                 "Samdok Signatur")
    _para(doc, "{%p else %}")
    blank = _para(doc, "{{ etiketter.navn_og_tittel }}: \t", "Samdok Signatur")
    _line(blank, before=16, stops=((Cm(15.9), True),))
    _para(doc, "{%p endif %}")
    _para(doc, "{%p endfor %}")
    name.paragraph_format.space_before = Pt(4)
    for last in (name, blank):  # a block stays on one page; the next block may start a new one
        last.paragraph_format.keep_with_next = False


def _save(doc, path: Path) -> None:
    """Save with fixed zip entry times and core-property dates (1980-01-01), not the clock."""
    doc.save(path)
    normalise_docx(path, dt.datetime.fromtimestamp(FALLBACK_EPOCH, dt.UTC))


def _line(paragraph, *, before: float, stops) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(before)
    for position, leader in stops:
        fmt.tab_stops.add_tab_stop(position, WD_TAB_ALIGNMENT.LEFT,
                                   WD_TAB_LEADER.LINES if leader else WD_TAB_LEADER.SPACES)


if __name__ == "__main__":
    samarbeidsavtale()
    samarbeidsavtale("tjenesteavtale")
    saksframlegg()
    melding()
    print("wrote the standard templates in", HERE)
