"""The case's outline: clauses ordered, renamed, added and left out (`disposisjon`, `utelat`),
numbered sub-points (N.1, N.2 …) and cross-references by id ([[id]]) that renumber with it,
in the document model, Word, Markdown, diff, redline and the PDF."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from generator.compose.document import Item
from generator.compose.enrich import compose
from generator.model.case import load_case
from tests.helpers import FIXTURES, ROOT, invoke, write_case

OUTLINE = FIXTURES / "disposisjon"
TEMPLATES = ROOT / "templates"
MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8").replace("id: minimal\n", "")

# The sections of the Røros–Os–Holtålen agreement of 2016, in its order and with its
# headings; the fixture's outline follows them. The agreement has no clause on entry and exit;
# samdok's minimum still requires one (kept in its place before commencement) until exit can
# be written as text.
RØROS_SECTIONS = ["Partene i avtalen", "Bakgrunn", "Formål", "Samarbeidsområder",
                  "Vertskommunen", "Samarbeidsorgan", "Innhold og kvalitet på tjenestene",
                  "Økonomi", "Iverksetting"]
REQUIRED_EXTRA = "Inntreden og uttreden"


def _agreement(path: Path):
    return compose(load_case(path), TEMPLATES)[0]


def _check(folder: Path, name: str, text: str):
    write_case(folder, name, text)
    return invoke("check", name, cwd=folder)


# --- the outline -------------------------------------------------------------------------

def test_outline_follows_the_sources_sections_in_order():
    document = _agreement(OUTLINE / "roros-disposisjon.yaml")
    headings = [c.heading for c in document.clauses]
    assert [h for h in headings if h != REQUIRED_EXTRA] == RØROS_SECTIONS
    assert [c.number for c in document.clauses] == list(range(1, len(headings) + 1))
    # The standard clauses it never adopted are left out, explicitly.
    assert {"endringer", "tvister"}.isdisjoint(c.id for c in document.clauses)


def test_without_an_outline_the_library_order_stands():
    plain = _agreement(FIXTURES / "minimal.yaml")
    assert [c.id for c in plain.clauses][:3] == ["parter", "formål", "oppgaver"]
    assert [c.id for c in plain.clauses][-1] == "ikrafttredelse"


def test_outline_moves_a_clause_and_adds_the_cases_own(tmp_path):
    text = MINIMAL + """disposisjon:
  - parter
  - ikrafttredelse
  - formål
  - id: prosjektplan
    overskrift: Prosjektplan
    tekst: Arbeidet følger prosjektplanen som legges fram for kommunestyrene.
  - oppgaver
  - organisering
  - kvalitet
  - økonomi
  - inntreden_og_uttreden
  - oppløsning
utelat: [endringer, tvister]
"""
    document = _agreement(write_case(tmp_path, "flytt.yaml", text))
    assert [(c.number, c.id) for c in document.clauses][:4] == [
        (1, "parter"), (2, "ikrafttredelse"), (3, "formål"), (4, "prosjektplan")]
    assert document.clause("prosjektplan").blocks[0].text.startswith("Arbeidet følger")


def test_utelat_without_an_outline_leaves_clauses_out_and_renumbers(tmp_path):
    document = _agreement(write_case(tmp_path, "utelat.yaml",
                                     MINIMAL + "utelat: [kvalitet, tvister]\n"))
    ids = [c.id for c in document.clauses]
    assert "kvalitet" not in ids and "tvister" not in ids
    assert document.clause("ikrafttredelse").number == len(ids)


def test_leaving_out_a_required_clause_says_why():
    result = invoke("check", "utelat-pakrevd.yaml", cwd=OUTLINE)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    # The statute for the host form, and samdok's own minimum, each named.
    assert re.search(r"utelat-pakrevd\.yaml:\d+:\d+: utelat\[1\]: 'økonomi' cannot be left "
                     r"out: kommuneloven § 20-4 tredje ledd bokstav f", result.stderr)
    assert re.search(r"utelat\[2\]: 'ikrafttredelse' cannot be left out: samdoks minstekrav",
                     result.stderr)
    assert "utelat[0]" not in result.stderr  # kvalitet may go
    assert "hint: " in result.stderr


def test_an_outline_that_drops_a_required_clause_is_an_error(tmp_path):
    text = MINIMAL + ("disposisjon: [parter, formål, oppgaver, organisering, økonomi, "
                      "inntreden_og_uttreden, oppløsning]\nutelat: [kvalitet, endringer, "
                      "tvister]\n")
    result = _check(tmp_path, "uten.yaml", text)
    assert result.returncode == 1
    assert re.search(r"uten\.yaml:\d+:\d+: disposisjon: 'ikrafttredelse' is missing from the "
                     r"outline: samdoks minstekrav", result.stderr)


def test_a_standard_clause_neither_listed_nor_left_out_is_an_error(tmp_path):
    text = MINIMAL + ("disposisjon: [parter, formål, oppgaver, organisering, økonomi, "
                      "inntreden_og_uttreden, oppløsning, ikrafttredelse]\n"
                      "utelat: [kvalitet, endringer]\n")
    result = _check(tmp_path, "glemt.yaml", text)
    assert result.returncode == 1
    assert "the standard clause 'tvister' (Tvister) is neither in the outline nor left out" \
        in result.stderr
    assert "list it under 'utelat'" in result.stderr


@pytest.mark.parametrize("name, message", [
    ("tom-tekst.yaml", r"tom-tekst\.yaml:\d+:\d+: klausuler\.kvalitet\.tekst: the text is empty"),
    ("dobbel-id.yaml", r"dobbel-id\.yaml:\d+:\d+: disposisjon\[10\]: 'formål' is in the "
                       r"outline twice"),
    ("ukjent-referanse.yaml", r"ukjent-referanse\.yaml:20:\d+: klausuler\.endringer\.tillegg: "
                              r"cross-reference \[\[finnes_ikke\]\]: no clause or sub-point"),
    ("underpunkt-kollisjon.yaml", r"sub-point id 'økonomi' in clause 'kvalitet' is already "
                                  r"the id of a clause"),
    ("underpunkt-kollisjon.yaml", r"sub-point id 'Feil-Id' in clause 'kvalitet' is not an id"),
    ("okonomi-uten-bevis.yaml", r"disposisjon\[4\]\.tekst: clause 'økonomi' \(5\. Økonomi\) "
                                r"does not say"),
])
def test_hostile_outlines_are_located_errors(name, message):
    result = invoke("check", name, cwd=OUTLINE)
    assert result.returncode == 1, result.stdout
    assert re.search(message, result.stderr), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("text", ["''", '"  \\n "'])
def test_an_empty_override_is_an_error_not_a_no_op(tmp_path, text):
    result = _check(tmp_path, "tom.yaml",
                    MINIMAL + f"klausuler:\n  tvister: {{tekst: {text}}}\n")
    assert result.returncode == 1
    assert "klausuler.tvister.tekst: the text is empty" in result.stderr
    assert "list its id under 'utelat'" in result.stderr


@pytest.mark.parametrize("extra, message", [
    ("disposisjon: [parter, Økonomi]\n", r"disposisjon\[1\]: 'Økonomi' is not a clause id"),
    ("disposisjon: [parter, finnes_ikke]\n",
     r"disposisjon\[1\]: 'finnes_ikke' is not a standard clause of the samarbeidsavtale"),
    ("disposisjon:\n  - {id: egen, tekst: Uten overskrift.}\n",
     r"'egen' is not a standard clause .* needs 'overskrift' and 'tekst'"),
    ("disposisjon: []\n", r"disposisjon: needs at least 1 item"),
    ("utelat: [finnes_ikke]\n", r"utelat\[0\]: 'finnes_ikke' is not a standard clause"),
    ("utelat: [tvister]\nklausuler:\n  tvister: {tillegg: Mer tekst.}\n",
     r"klausuler\.tvister: 'tvister' is left out \(utelat\) but has a text here"),
    ("utelat: [tvister, tvister]\n", r"utelat\[1\]: 'tvister' is left out twice"),
])
def test_wrong_outline_entries_are_located_errors(tmp_path, extra, message):
    result = _check(tmp_path, "feil.yaml", MINIMAL + extra)
    assert result.returncode == 1, result.stdout
    assert re.search(message, result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_a_huge_outline_is_refused_quickly(tmp_path):
    entries = "".join(f"  - {{id: egen_{i}, overskrift: Punkt {i}, tekst: Tekst {i}.}}\n"
                      for i in range(1000))  # five times the limit: reading it is YAML's time
    result = _check(tmp_path, "stor.yaml", MINIMAL + "disposisjon:\n" + entries)
    assert result.returncode == 1
    assert re.search(r"disposisjon: .*200", result.stderr), result.stderr


# --- sub-points and cross-references -----------------------------------------------------

def test_sub_points_follow_their_clauses_number():
    document = _agreement(OUTLINE / "roros-disposisjon.yaml")
    quality = document.clause("kvalitet")
    assert quality.number == 7
    labels = [b.label for b in quality.blocks if isinstance(b, Item)]
    assert labels == ["7.1", "7.2", "7.3"]


def test_cross_references_print_the_number_and_renumber_with_the_outline(tmp_path):
    source = (OUTLINE / "roros-disposisjon.yaml").read_text(encoding="utf-8")
    before = _agreement(OUTLINE / "roros-disposisjon.yaml")
    assert "jf. punkt 4." in before.clause("formål").blocks[0].text
    assert before.clause("kvalitet").blocks[2].text.endswith("jf. punkt 7.1 og 7.2.")
    # Vertskommunen left out: every later clause, sub-point and reference moves up one.
    moved = source.replace("  - id: organisering\n    overskrift: Vertskommunen\n", "").replace(
        "utelat: [endringer, tvister]", "utelat: [endringer, tvister, organisering]")
    after = _agreement(write_case(tmp_path, "flyttet.yaml", moved))
    quality = after.clause("kvalitet")
    assert quality.number == 6
    assert [b.label for b in quality.blocks] == ["6.1", "6.2", "6.3"]
    assert quality.blocks[2].text.endswith("jf. punkt 6.1 og 6.2.")


def test_self_references_print_their_own_number_and_never_recurse():
    document = _agreement(OUTLINE / "selvreferanse.yaml")
    purpose = document.clause("formål")
    assert purpose.blocks[0].text == "Formålet står i punkt 2 (dette punktet), som er 2."
    assert (purpose.blocks[1].label, purpose.blocks[1].text) == (
        "2.1", "Underpunktet viser til seg selv: 2.1.")


def test_markdown_prints_sub_points_as_numbered_paragraphs():
    result = invoke("text", "roros-disposisjon.yaml", cwd=OUTLINE)
    assert result.returncode == 0, result.stderr
    assert "\n## 7. Innhold og kvalitet på tjenestene\n\n7.1 Tjenestene skal" in result.stdout
    assert "\n\n7.3 Tjenestene utvikles i tråd med kravene fra myndighetene og innbyggerne, " \
           "jf. punkt 7.1 og 7.2.\n" in result.stdout
    assert "[[" not in result.stdout


def test_word_file_carries_sub_points_and_resolved_references(tmp_path):
    from generator.word.reader import read_docx
    from generator.word.writer import write_docx

    document = _agreement(OUTLINE / "roros-disposisjon.yaml")
    out = tmp_path / "avtale.docx"
    write_docx(document, TEMPLATES, out)
    back = read_docx(out.read_bytes(), "avtale.docx").document
    assert [c.id for c in back.clauses] == [c.id for c in document.clauses]
    quality = back.clause("kvalitet")
    assert [(b.label, b.text[:20]) for b in quality.blocks] == [
        ("7.1", "Tjenestene skal til "), ("7.2", "Tjenesteområdene ska"),
        ("7.3", "Tjenestene utvikles ")]
    assert "[[" not in zipfile.ZipFile(out).read("word/document.xml").decode()


def _versions(tmp_path: Path) -> tuple[str, str]:
    """The fixture without its cross-reference inside 7.3, before and after Vertskommunen is
    left out (so clause 7's sub-points move to 6.1–6.3, and nothing else in them changes)."""
    source = (OUTLINE / "roros-disposisjon.yaml").read_text(encoding="utf-8")
    old = source.replace(", jf. punkt\n      [[lovkrav]] og [[kostnadsfokus]].", ".")
    new = old.replace("  - id: organisering\n    overskrift: Vertskommunen\n", "").replace(
        "utelat: [endringer, tvister]", "utelat: [endringer, tvister, organisering]")
    write_case(tmp_path, "gammel.yaml", old)
    write_case(tmp_path, "ny.yaml", new)
    return "gammel.yaml", "ny.yaml"


def test_diff_takes_renumbered_sub_points_as_renumbering(tmp_path):
    old, new = _versions(tmp_path)
    result = invoke("diff", old, new, "--json", cwd=tmp_path)
    changes = json.loads(result.stdout)["changes"]
    assert [(c["kind"], c.get("id")) for c in changes] == [("removed", "organisering"),
                                                           ("renumbered", None)]
    assert {"id": "kvalitet", "old": 7, "new": 6} in changes[1]["clauses"]


def test_redline_leaves_renumbered_sub_points_untracked(tmp_path):
    old, new = _versions(tmp_path)
    result = invoke("diff", old, new, "--docx", "endringer.docx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    xml = zipfile.ZipFile(tmp_path / "endringer.docx").read("word/document.xml").decode()
    tracked = "".join(re.findall(r"<w:(?:ins|del) .*?</w:(?:ins|del)>", xml))
    assert "Vertskommunen" in tracked  # the clause left out is shown deleted
    assert not re.search(r"[67]\.[123]", tracked)
    assert "6.1" in xml


def test_a_submission_refers_to_the_attached_agreements_numbers(tmp_path):
    shutil.copytree(ROOT / "cases", tmp_path / "cases")
    path = tmp_path / "cases" / "lillehammerregionen-3-1.yaml"
    text = path.read_text(encoding="utf-8")
    sentence = "Kommunedirektøren anbefaler at samarbeidsavtalen godkjennes."
    assert sentence in text
    path.write_text(text.replace(sentence, "Kostnadene fordeles som avtalens punkt "
                                 "[[økonomi]] sier."), encoding="utf-8")
    documents = compose(load_case(path), TEMPLATES)
    agreement, submission = documents[0], documents[-1]
    number = agreement.clause("økonomi").number
    texts = [b.text for c in submission.clauses for b in c.blocks if hasattr(b, "text")]
    assert any(f"avtalens punkt {number} sier" in t for t in texts)


# --- the PDF -----------------------------------------------------------------------------

@pytest.mark.libreoffice
def test_outline_round_trip_through_libreoffice(tmp_path):
    """One real build of the reordered case with sub-points and cross-references: the PDF
    shows the outline's headings in order, the numbered sub-points and the resolved
    references, and verify proves the four required clauses under their new numbers."""
    import pdfplumber

    write_case(tmp_path / "cases", "roros-disposisjon.yaml",
               (OUTLINE / "roros-disposisjon.yaml").read_text(encoding="utf-8"))
    built = invoke("build", "--strict", "--jobs", "1", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    pdf = tmp_path / "build" / "roros-disposisjon" / "samarbeidsavtale.pdf"
    with pdfplumber.open(str(pdf)) as doc:
        text = "\n".join(page.extract_text() or "" for page in doc.pages)
    flat = " ".join(text.split())
    headings = [f"{n}. {h}" for n, h in enumerate(
        RØROS_SECTIONS[:8] + [REQUIRED_EXTRA, RØROS_SECTIONS[8]], start=1)]
    places = [flat.find(h) for h in headings]
    assert -1 not in places and places == sorted(places), list(zip(headings, places, strict=True))
    assert "7.1 Tjenestene skal til enhver tid" in flat
    assert "jf. punkt 7.1 og 7.2." in flat
    assert "samarbeidsområder, jf. punkt 4." in flat
    assert "[[" not in flat
    verified = invoke("verify", "--strict", cwd=tmp_path)
    assert verified.returncode == 0, verified.stderr
    assert "every required clause found" in verified.stdout


def test_verify_finds_the_required_clauses_under_their_new_numbers():
    """verify's reading of a PDF's text, on the reordered agreement's own text: every
    required clause found under its outline number, and one whose heading is gone missed."""
    from generator.pdf.foresee import clause_text
    from generator.pdf.verify import _check, normalise, required_phrases

    document = _agreement(OUTLINE / "roros-disposisjon.yaml")
    form = "rammeavtale"
    assert {"formål", "økonomi", "inntreden_og_uttreden", "ikrafttredelse"} <= set(
        required_phrases(document, form))
    text = normalise("\n".join(clause_text(c) for c in document.clauses))
    assert _check(document, form, Path("avtale.pdf"), text, 0) == []
    assert document.clause("ikrafttredelse").numbered_heading == "10. Iverksetting"
    broken = text.replace("8. Økonomi", "Økonomi")
    findings = _check(document, form, Path("avtale.pdf"), broken, 0)
    assert [(f.clause, f.message) for f in findings] == [
        ("økonomi", "heading '8. Økonomi' not found")]
