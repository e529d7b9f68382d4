"""The examples follow their sources: every section in its order, with its number and its
sub-points, and no fact the source lacks; then read back from the real PDFs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.compose.document import Item, SubHeading, Table
from generator.model.case import load_case
from tests.helpers import EXAMPLES, model, pages

ROMAN = ["i.", "ii.", "iii.", "iv.", "v.", "vi.", "vii.", "viii.", "ix.", "x.", "xi.", "xii.",
         "xiii."]


def areas(*groups: tuple[str, int]) -> list[str]:
    return [label for letter, count in groups for label in (f"{letter}.", *ROMAN[:count])]


# The Røros–Os–Holtålen agreement of 2016: its nine sections as it numbers them, with its
# sub-points (section 4's groups A–D and their items i., ii. …; section 8's A and B, which
# samdok numbers 8.1 and 8.2). It has no section on entry and exit; samdok's minimum
# requires one, so the example adds it after the nine, where it moves no number.
RØROS = [
    (1, "Partene i avtalen", []),
    (2, "Bakgrunn", []),
    (3, "Formål", []),
    (4, "Samarbeidsområder", areas(("A", 6), ("B", 13), ("C", 3), ("D", 5))),
    (5, "Vertskommunen", []),
    (6, "Samarbeidsorgan", []),
    (7, "Innhold og kvalitet på tjenestene", []),
    (8, "Økonomi", ["8.1", "8.2"]),
    (9, "Iverksetting", []),
]
RØROS_REQUIRED = [(10, "Inntreden og uttreden", [])]

# The framework agreement (grunnavtale) the second example models: its own outline, as the
# secretariat wrote it, with the organs and phases as sub-points.
GRUNNAVTALE = [
    (1, "Partene i avtalen", []),
    (2, "Bakgrunn", []),
    (3, "Formål", []),
    (4, "Mål", []),
    (5, "Prinsipper for samarbeidet", []),
    (6, "Samarbeidsområder", areas(("A", 2), ("B", 3), ("C", 3))),
    (7, "Tjenesteavtaler", []),
    (8, "Organer", ["8.1", "8.2"]),
    (9, "Faser og prosjektplan", ["9.1", "9.2", "9.3"]),
    (10, "Økonomi", []),
    (11, "Finansiering", []),
    (12, "Personalpolitikk", []),
    (13, "Inntreden og uttreden", []),
    (14, "Endringer i avtalen", []),
    (15, "Ikrafttredelse", []),
]

OUTLINES = {"roros-os-holtalen": RØROS + RØROS_REQUIRED,
            "grunnavtale-indre-namdal-snasa": GRUNNAVTALE}


def outline(document) -> list[tuple[int, str, list[str]]]:
    """Each clause's number, heading and the labels of its sub-points and groups."""
    return [(c.number, c.heading, [b.label for b in c.blocks
                                   if isinstance(b, Item | SubHeading) and b.label != "–"])
            for c in document.clauses]


@pytest.mark.parametrize("case_id", sorted(OUTLINES))
def test_each_example_follows_its_sources_outline(case_id: str) -> None:
    assert outline(model(case_id, "samarbeidsavtale")) == OUTLINES[case_id]


def text_of(document) -> str:
    return " ".join(b.text for c in document.clauses for b in c.blocks
                    if not isinstance(b, Table))


def test_the_roros_example_states_no_fact_its_source_lacks() -> None:
    case = load_case(EXAMPLES / "roros-os-holtalen.yaml").case
    document = model("roros-os-holtalen", "samarbeidsavtale")
    text = text_of(document)
    # No cost key to compute shares from, no budget, no amount, no table of figures.
    assert case.economy.distribution is None and case.economy.budget is None
    assert not [b for c in document.clauses for b in c.blocks if isinstance(b, Table)]
    assert "kr" not in text.split() and "%" not in text
    # No notice period: the source has no exit clause.
    assert case.withdrawal.notice_months is None and not case.withdrawal.by_law
    assert "måned" not in text
    # The only dates are the source's: commencement and the deadline for the new areas.
    assert set(re.findall(r"\d{1,2}\. [a-zæøå]+ \d{4}", text)) == {"1. juli 2016",
                                                                   "1. januar 2020"}
    # No signatory, place or date of signing the source does not give.
    assert [(s.name, s.title) for s in document.signatories] == [("", "")] * 3
    assert document.place_and_date == ""
    # No host for an area the source gives none.
    assert all(isinstance(a, str) or a.host is None for g in case.areas for a in g.areas)


def test_the_framework_example_has_its_shape() -> None:
    case = load_case(EXAMPLES / "grunnavtale-indre-namdal-snasa.yaml").case
    assert (case.form, case.agreement_name) == ("rammeavtale", "grunnavtale")
    assert case.service_agreements.forms == ["vertskommune", "tjenestekjøp"]
    assert case.takes_effect.on_adoption and case.commencement is None
    assert case.economy.distribution is None
    document = model("grunnavtale-indre-namdal-snasa", "samarbeidsavtale")
    assert document.clause("organisering").blocks[0].text.startswith(
        "Avtalen er en grunnavtale.")
    assert document.clause("ikrafttredelse").blocks[0].text == (
        "Avtalen trer i kraft når kommunestyret i hver av deltakerkommunene har vedtatt den.")
    # The Sami-language municipalities by their official names wherever the parties stand.
    official = ["Snåase - Snåsa kommune", "Lierne kommune", "Raarvihke - Røyrvik kommune",
                "Grong kommune"]
    assert [s.party for s in document.signatories] == official
    snåsa = model("grunnavtale-indre-namdal-snasa", "saksframlegg-5041")
    assert snåsa.header["kommune"] == "Snåase - Snåsa kommune"
    resolution = " ".join(b.text for b in snåsa.clause("forslag_til_vedtak").blocks)
    assert resolution.startswith("Kommunestyret i Snåase - Snåsa kommune godkjenner")
    assert "Raarvihke - Røyrvik kommune og Grong kommune også godkjenner" in resolution
    assert "kr" not in resolution.split()


# --- read back from the shared LibreOffice build -------------------------------------------

@pytest.mark.libreoffice
@pytest.mark.parametrize("case_id", sorted(OUTLINES))
def test_each_examples_pdf_carries_its_outline(built: Path, case_id: str) -> None:
    text = " ".join(pages(built / "build" / case_id / "samarbeidsavtale.pdf"))
    at = 0
    for number, heading, points in OUTLINES[case_id]:
        at = text.index(f"{number}. {heading}", at)
        for label in points:
            if label[0].isdigit():  # N.M sub-points; the groups' letters are checked above
                at = text.index(f"{label} ", at)


@pytest.mark.libreoffice
def test_the_framework_examples_heads_read_alike(built: Path) -> None:
    for number, head in (("5041", "Snåase - Snåsa kommune"), ("5042", "Lierne kommune"),
                         ("5043", "Raarvihke - Røyrvik kommune"), ("5045", "Grong kommune")):
        pdf = built / "build" / "grunnavtale-indre-namdal-snasa" / f"saksframlegg-{number}.pdf"
        assert pages(pdf, first=1)[0].startswith(f"{head} · Saksframlegg {head} Arkivsak")
