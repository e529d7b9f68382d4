"""Service agreements and joint case submissions, read back from the real PDFs."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest

from tests.helpers import COPIES, SUBMISSIONS, model, pages, words

pytestmark = pytest.mark.libreoffice


def test_every_example_document_round_trips(built: Path, verified) -> None:
    result = verified  # `samdok verify --strict` in `built`
    assert result.returncode == 0, result.stderr
    built_pdfs = sorted((built / "build").rglob("*.pdf"))
    assert {p.stem.split("-")[0] for p in built_pdfs} == {
        "samarbeidsavtale", "tjenesteavtale", "saksframlegg", "melding"}
    assert result.stdout.count("every required clause found") == len(built_pdfs)


@pytest.mark.parametrize(("case_id", "number"), COPIES)
def test_each_council_gets_its_own_copy(built: Path, case_id: str, number: str) -> None:
    pdf = built / "build" / case_id / f"saksframlegg-{number}.pdf"
    text = " ".join(pages(pdf))
    header, case_number = SUBMISSIONS[case_id][number]
    # The head: this council's name in the page header and on top of the first page, then the
    # archive table with its own case number; no other council's head or number anywhere.
    assert re.match(rf"{header} · Saksframlegg {header} Arkivsak Arkiv "
                    rf"(Saksbehandler|Sakshandsamar) Dato {re.escape(case_number)} ", text)
    for other, (other_header, other_number) in SUBMISSIONS[case_id].items():
        if other != number:
            assert other_number not in text
            assert not re.search(rf"{other_header} (Arkivsak|Arkiv )", text)
    # Its own proposed resolution names its own share, as the cost table prints it.
    document = model(case_id, f"saksframlegg-{number}")
    resolution = document.clause("forslag_til_vedtak")
    table = next(b for b in document.clause("vurdering").blocks if b.kind == "tabell")
    index = [row[0] for row in table.rows].index(header.removesuffix(" kommune"))
    share = words(table.rows[index][table.header.index(
        next(h for h in table.header if h.startswith(("Andel", "Del"))))])
    start = text.index(resolution.heading)
    section = text[start:text.index(document.clause("sammendrag").heading, start)]
    assert f"For {header} er" in section and share in section
    # The agreement the councils vote on follows the submission.
    agreement = document.attachments[0]
    first_clause = agreement.clauses[0].numbered_heading
    assert text.index(words(agreement.title), start) < text.index(first_clause, start)
    assert text.index(document.clause("vurdering").heading) < text.rindex(first_clause)


@pytest.mark.parametrize("case_id", sorted(SUBMISSIONS))
def test_cost_table_adds_up_to_the_budget_as_printed(built: Path, case_id: str) -> None:
    pdf = built / "build" / case_id / f"saksframlegg-{next(iter(SUBMISSIONS[case_id]))}.pdf"
    with pdfplumber.open(pdf) as doc:
        tables = [t for page in doc.pages for t in page.extract_tables()
                  if t and t[0][0] == "Kommune"]
    table = tables[0]  # the submission's own table, before the attached agreement's
    header, *rows = [[words(cell or "") for cell in row] for row in table]
    body, total = rows[:-1], rows[-1]
    assert total[0] == "Sum"
    budgets = [i for i, h in enumerate(header) if h.startswith("Budsjett")]
    assert budgets, header
    for column in budgets:
        amounts = [int(row[column].removeprefix("kr ").replace(" ", "")) for row in body]
        assert sum(amounts) == int(total[column].removeprefix("kr ").replace(" ", ""))
    shares = [float(row[header.index(next(h for h in header if h in ("Andel", "Del")))]
                    .removesuffix(" %").replace(",", ".")) for row in body]
    assert round(sum(shares), 1) == 100.0
    assert len(body) == len(SUBMISSIONS[case_id])


NYNORSK = ("Kommunedirektøren sitt framlegg til vedtak", "Samandrag", "Saksopplysningar",
           "Partane og tenesta", "Føremål", "Inntreding og uttreding", "Iverksetjing")
BOKMÅL = ("Kommunedirektørens forslag til vedtak", "Sammendrag", "Saksopplysninger",
          "Partene", "Formål", "Inntreden og uttreden", "Ikrafttredelse", "Endringer i avtalen")


def test_nynorsk_documents_have_nynorsk_headings_only(built: Path) -> None:
    folder = built / "build" / "pp-teneste-sogn"
    pdfs = sorted(folder.glob("*.pdf"))
    assert len(pdfs) == 4
    for pdf in pdfs:
        text = " ".join(pages(pdf))
        expected = NYNORSK if pdf.stem.startswith("saksframlegg") else NYNORSK[3:]
        for heading in expected:
            assert heading in text, (pdf.name, heading)
        for heading in BOKMÅL:
            assert heading not in text, (pdf.name, heading)
