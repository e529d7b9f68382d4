"""The document model: clause order, numbering, overrides, computed tables and evidence."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.base.project import templates_dir
from generator.compose.document import Item, SubHeading, Table
from generator.compose.enrich import compose
from generator.errors import CaseError, TemplateError
from generator.model.case import load_case
from tests.helpers import EXAMPLES, FIXTURES, many_councils, write_case, yaml_data

MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")


def model(path: Path):
    (document,) = compose(load_case(path), templates_dir())
    return document


def test_example_agreement_model() -> None:
    doc = model(EXAMPLES / "roros-os-holtalen.yaml")
    ids = [c.id for c in doc.clauses]
    assert ids[:3] == ["parter", "bakgrunn", "formål"]
    assert [c.number for c in doc.clauses] == list(range(1, len(ids) + 1))
    for required in ("formål", "økonomi", "inntreden_og_uttreden", "ikrafttredelse"):
        assert required in ids
    assert doc.clause("ikrafttredelse").evidence == ("1. juli 2016",)
    # principles without a cost key (its source has none): verify looks for them
    assert doc.clause("økonomi").evidence == (
        "Kostnadene fordeles etter antall innbyggere i",
        "Indirekte kostnader fordeles ikke, fordi vertskommuneansvaret")
    groups = [b for b in doc.clause("samarbeidsområder").blocks if isinstance(b, SubHeading)]
    assert [g.label for g in groups] == ["A.", "B.", "C.", "D."]
    first = next(b for b in doc.clause("samarbeidsområder").blocks if isinstance(b, Item))
    assert (first.label, first.text) == ("i.", "Felles barnevern")
    assert [s.party for s in doc.signatories] == ["Røros kommune", "Os kommune",
                                                  "Holtålen kommune"]
    assert doc.place_and_date == ""


def test_cost_table_adds_up_as_printed() -> None:
    doc = model(FIXTURES / "minimal.yaml")
    (table,) = [b for b in doc.clause("økonomi").blocks if isinstance(b, Table)]
    assert table.header == ("Kommune", "Andel", "Budsjett 2027")
    amounts = [int(row[2].removeprefix("kr\u00a0").replace("\u00a0", "")) for row in table.rows]
    assert amounts == [500001, 500000]
    assert table.total[-1] == "kr\u00a01\u00a0000\u00a0001"
    example = model(FIXTURES / "disposisjon" / "roros-disposisjon.yaml")  # by population
    (shares,) = [b for b in example.clause("økonomi").blocks if isinstance(b, Table)]
    tenths = [int(r[2].split("\u00a0")[0].replace(",", "")) for r in shares.rows]
    assert sum(tenths) == 1000


def test_clause_override_and_new_clause(tmp_path: Path) -> None:
    text = MINIMAL + (
        "klausuler:\n"
        "  tvister:\n    overskrift: Uenighet\n    tekst: Partene skal forhandle.\n"
        "  arkiv:\n    overskrift: Arkiv\n"
        "    tekst: 'Vertskommunen arkiverer for {{ parter_navn }}.'\n"
        "    etter: formål\n"
    )
    doc = model(write_case(tmp_path, "c.yaml", text))
    ids = [c.id for c in doc.clauses]
    assert ids[ids.index("formål") + 1] == "arkiv"
    assert doc.clause("tvister").heading == "Uenighet"
    assert doc.clause("arkiv").blocks[0].text == (
        "Vertskommunen arkiverer for Lillehammer og Gausdal.")


def test_unknown_clause_id_is_a_located_error(tmp_path: Path) -> None:
    path = write_case(tmp_path, "c.yaml", MINIMAL + "klausuler:\n  tvist:\n    tekst: x\n")
    with pytest.raises(CaseError) as caught:
        model(path)
    (problem,) = caught.value.problems
    assert (problem.line, problem.field) == (MINIMAL.count("\n") + 2, "klausuler.tvist")
    assert "tvister" in problem.hint


def test_unknown_placeholder_names_the_field(tmp_path: Path) -> None:
    path = write_case(tmp_path, "c.yaml", MINIMAL.replace(
        "formål: Kommunene", "formål: Se {{ ukjent }}. Kommunene"))
    with pytest.raises(CaseError) as caught:
        model(path)
    (problem,) = caught.value.problems
    assert (problem.line, problem.field) == (8, "formål")
    assert problem.message == "unknown placeholder ('ukjent' is undefined)"


def test_case_text_cannot_reach_python_internals(tmp_path: Path) -> None:
    path = write_case(tmp_path, "c.yaml", MINIMAL.replace(
        "formål: Kommunene", "formål: Se {{ ''.__class__.__mro__ }} Kommunene"))
    with pytest.raises(CaseError) as caught:
        model(path)
    assert caught.value.problems[0].message.startswith("not allowed in a placeholder")


def test_names_in_the_case_give_the_norwegian_names_in_the_text(tmp_path: Path) -> None:
    # navneform: norsk (the official, bilingual default: tests/compose/test_names.py)
    text = ("navneform: norsk\n" + MINIMAL.replace("kommune: 3405", "kommune: Deatnu")
            .replace("kommune: 3441", "kommune: Unjárga - Nesseby")
            .replace("formål: Kommunene", "formål: Avtalen gjelder {{ parter_liste }}. Kommunene"))
    doc = model(write_case(tmp_path, "c.yaml", text))
    assert doc.clause("formål").blocks[0].text.startswith(
        "Avtalen gjelder Tana kommune og Nesseby kommune. Kommunene")
    assert [s.party for s in doc.signatories] == ["Tana kommune", "Nesseby kommune"]
    (table,) = [b for b in doc.clause("økonomi").blocks if isinstance(b, Table)]
    assert [row[0] for row in table.rows] == ["Tana", "Nesseby"]


# Røros (5 685), Os (1 891) and Holtålen (2 035): 9 611 people on 1 January 2024.
THREE = MINIMAL.replace("  - kommune: 3405\n  - kommune: 3441\n",
                        "  - kommune: 5025\n  - kommune: 3430\n  - kommune: 5026\n").replace(
                        "vertskommune: 3405", "vertskommune: 5025")
NBSP = "\u00a0"


def economy(tmp_path: Path, distribution: str, budget: str = "{2027: 12500000}",
            text: str = THREE):
    """The economy clause of THREE with another distribution (a flow mapping) and budget."""
    text = text.replace("fordeling: {nøkkel: likt}", f"fordeling: {distribution}").replace(
        "budsjett: {2027: 1000001}", f"budsjett: {budget}")
    clause = model(write_case(tmp_path, "c.yaml", text)).clause("økonomi")
    (table,) = [b for b in clause.blocks if isinstance(b, Table)]
    return clause, table


def plain(cells) -> list[str]:
    return [cell.replace(NBSP, " ") for cell in cells]


def test_base_share_table_and_sentence(tmp_path: Path) -> None:
    clause, table = economy(tmp_path, "{nøkkel: grunnandel_og_folketall, grunnandel: 30}")
    assert table.header == ("Kommune", "Folketall 01.01.2024", "Andel", "Budsjett 2027")
    # Shares 10 % + 70 % x population share: 51.41 %, 23.77 %, 24.82 %; to tenths by largest
    # remainder (514.06, 237.73, 248.22: floors make 999, the last tenth to Os).
    # Amounts as in test_costs_and_formats.test_base_share_and_population.
    assert [plain(r) for r in table.rows] == [
        ["Røros", "5 685", "51,4 %", "kr 6 425 710"],
        ["Os", "1 891", "23,8 %", "kr 2 971 595"],
        ["Holtålen", "2 035", "24,8 %", "kr 3 102 695"]]
    assert plain(table.total) == ["Sum", "9 611", "100,0 %", "kr 12 500 000"]
    assert plain(clause.evidence[:1]) == [
        "slik at en grunnandel på 30 % deles likt mellom deltakerkommunene, og de resterende "
        "70 % fordeles etter folketallet i den enkelte deltakerkommunen per 1. januar 2024"]


def test_base_amount_table_has_a_share_of_the_rest_and_amounts_per_year(tmp_path: Path) -> None:
    clause, table = economy(tmp_path, "{nøkkel: grunnbeløp_og_folketall, grunnbeløp: 250000}",
                            budget="{2027: 12500000, 2028: 12900000}")
    assert table.header == ("Kommune", "Folketall 01.01.2024", "Andel av resten",
                            "Budsjett 2027", "Budsjett 2028")
    # The share of the rest is the population share: 59.15 %, 19.68 %, 21.17 % (591.5,
    # 196.75, 211.74 tenths; floors make 998, the two tenths left to Os and Holtålen).
    # 2027 as in test_costs_and_formats.test_base_amount_and_population. 2028: 12 150 000 by
    # population + 250 000 = 7 436 843.20, 2 640 557.69, 2 822 599.11; the last krone to Os.
    assert [plain(r) for r in table.rows] == [
        ["Røros", "5 685", "59,1 %", "kr 7 200 239", "kr 7 436 843"],
        ["Os", "1 891", "19,7 %", "kr 2 561 856", "kr 2 640 558"],
        ["Holtålen", "2 035", "21,2 %", "kr 2 737 905", "kr 2 822 599"]]
    assert plain(table.total) == ["Sum", "9 611", "100,0 %", "kr 12 500 000", "kr 12 900 000"]
    assert plain(clause.evidence[:1]) == [
        "slik at hver deltakerkommune betaler et grunnbeløp på kr 250 000 per budsjettår, og "
        "resten fordeles etter folketallet i den enkelte deltakerkommunen per 1. januar 2024"]


def test_agreed_percentages_are_printed_as_agreed(tmp_path: Path) -> None:
    clause, table = economy(tmp_path, "{nøkkel: prosent, andeler: {5025: 33.33, 3430: 33.33, "
                                      "5026: 33.34}}", budget="{2027: 1000000}")
    assert table.header == ("Kommune", "Andel", "Budsjett 2027")
    # 333 300, 333 300 and 333 400 kroner exactly; two decimals because the case has two.
    assert [plain(r) for r in table.rows] == [["Røros", "33,33 %", "kr 333 300"],
                                              ["Os", "33,33 %", "kr 333 300"],
                                              ["Holtålen", "33,34 %", "kr 333 400"]]
    assert plain(table.total) == ["Sum", "100,00 %", "kr 1 000 000"]
    assert clause.evidence[0] == "etter faste prosentandeler som deltakerkommunene har avtalt"


def test_units_table_names_what_is_counted(tmp_path: Path) -> None:
    clause, table = economy(tmp_path, "{nøkkel: enheter, enhet: lønnsslipper, "
                                      "antall: {5025: 12000, 3430: 4000, 5026: 5000}}",
                            budget="{2027: 1000000}")
    assert table.header == ("Kommune", "Antall lønnsslipper", "Andel", "Budsjett 2027")
    # 12 000, 4 000 and 5 000 of 21 000: 57.14 %, 19.05 %, 23.81 % (571.43, 190.48, 238.10
    # tenths: the last tenth to Os). Amounts as in test_costs_and_formats.test_usage_units.
    assert [plain(r) for r in table.rows] == [["Røros", "12 000", "57,1 %", "kr 571 429"],
                                              ["Os", "4 000", "19,1 %", "kr 190 476"],
                                              ["Holtålen", "5 000", "23,8 %", "kr 238 095"]]
    assert plain(table.total) == ["Sum", "21 000", "100,0 %", "kr 1 000 000"]
    assert clause.evidence[0] == "etter antall lønnsslipper i den enkelte deltakerkommunen"


def test_population_override_with_its_own_date(tmp_path: Path) -> None:
    text = THREE.replace("  - kommune: 5025\n", "  - kommune: 5025\n    folketall: 5700\n"
                         "    folketall_per: 2025-01-01\n").replace(
        "formål: Kommunene", "formål: Røros hadde {{ parter[0].folketall }} innbyggere "
        "{{ parter[0].folketall_per }}, Os {{ parter[1].folketall }}. Kommunene")
    doc = model(write_case(tmp_path, "c.yaml", text))
    assert doc.clause("formål").blocks[0].text.replace(NBSP, " ").startswith(
        "Røros hadde 5 700 innbyggere 1. januar 2025, Os 1 891.")
    clause, table = economy(tmp_path, "{nøkkel: folketall}", text=text)
    # The dates differ, so each figure carries its own and the sentence points to the table.
    # Shares of 9 626 in tenths of a percent: 592.15, 196.45, 211.41; floors make 999, the
    # last tenth to Os (.45).
    assert plain(table.header) == ["Kommune", "Folketall (per dato)", "Andel", "Budsjett 2027"]
    assert [plain(r[:3]) for r in table.rows] == [["Røros", "5 700 (01.01.2025)", "59,2 %"],
                                                  ["Os", "1 891 (01.01.2024)", "19,7 %"],
                                                  ["Holtålen", "2 035 (01.01.2024)", "21,1 %"]]
    assert plain(table.total[:3]) == ["Sum", "9 626", "100,0 %"]
    assert clause.evidence[0] == ("etter folketallet i den enkelte deltakerkommunen per datoen "
                                  "som er oppgitt for kommunen i tabellen nedenfor")


def test_population_overrides_with_one_date_keep_a_dated_header(tmp_path: Path) -> None:
    text = THREE
    for number, figure in (("5025", 5700), ("3430", 1900), ("5026", 2000)):
        text = text.replace(f"  - kommune: {number}\n", f"  - kommune: {number}\n"
                            f"    folketall: {figure}\n    folketall_per: 2025-01-01\n")
    clause, table = economy(tmp_path, "{nøkkel: folketall}", text=text)
    assert table.header[1] == "Folketall 01.01.2025"
    assert plain(table.rows[0][1:2]) == ["5 700"]
    assert clause.evidence[0] == ("etter folketallet i den enkelte deltakerkommunen per "
                                  "1. januar 2025")


def test_a_clause_library_without_a_new_label_is_a_template_error(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(templates_dir(), templates)
    library_file = templates / "klausuler" / "felles.nb.yaml"
    library_file.write_text(library_file.read_text(encoding="utf-8").replace(
        "  andel_av_resten: Andel av resten\n", ""), encoding="utf-8")
    text = THREE.replace("fordeling: {nøkkel: likt}",
                         "fordeling: {nøkkel: grunnbeløp_og_folketall, grunnbeløp: 1000}")
    with pytest.raises(TemplateError, match="no label 'andel_av_resten' under 'etiketter'"):
        compose(load_case(write_case(tmp_path, "c.yaml", text)), templates)


def test_both_languages_have_the_same_clauses_labels_and_phrases() -> None:

    def keys(value):
        """Nested keys of a mapping (the words differ between languages, the keys must not)."""
        return {k: keys(v) for k, v in value.items()} if isinstance(value, dict) else None

    def clause_ids(clauses):
        if isinstance(clauses, dict):  # felles: a catalogue by id
            return sorted(clauses)
        return [c if isinstance(c, str) else c["id"] for c in clauses or []]

    folder = templates_dir() / "klausuler"
    for nb in sorted(folder.glob("*.nb.yaml")):
        nn = nb.with_name(nb.name.replace(".nb.", ".nn."))
        bokmål, nynorsk = (yaml_data(f.read_text(encoding="utf-8")) for f in (nb, nn))
        for part in ("etiketter", "fraser"):
            assert keys(bokmål.get(part) or {}) == keys(nynorsk.get(part) or {}), (nb, part)
        assert clause_ids(bokmål["klausuler"]) == clause_ids(nynorsk["klausuler"]), nb


def test_a_submission_carries_the_official_sami_name(tmp_path: Path) -> None:
    text = (MINIMAL.replace("kommune: 3405", "kommune: 5628").replace("kommune: 3441",
            "kommune: 5636").replace("vertskommune: 3405", "vertskommune: Tana")
            .replace("samarbeidsform: vertskommune", "samarbeidsform: vertskommune\n"
                     "dokumenter: [samarbeidsavtale, saksframlegg]")
            + "saksframlegg:\n  sammendrag: S.\n  saksopplysninger: O.\n  vurdering: V.\n"
              "  kommuner:\n"
              "    Tana: {arkivsak: 27/1, saksbehandler: A, dato: 2027-01-02,"
              " behandling: [{utvalg: Kommunestyret, møtedato: 2027-02-01}]}\n"
              "    Nesseby: {arkivsak: 27/2, saksbehandler: B, dato: 2027-01-02,"
              " behandling: [{utvalg: Kommunestyret, møtedato: 2027-02-02}]}\n")
    documents = compose(load_case(write_case(tmp_path, "c.yaml", text)), templates_dir())
    heads = {d.file_stem: d.header["kommune"] for d in documents if d.kind == "saksframlegg"}
    assert heads == {"saksframlegg-5628": "Deatnu - Tana kommune",
                     "saksframlegg-5636": "Unjárga - Nesseby kommune"}
    tana = next(d for d in documents if d.file_stem == "saksframlegg-5628")
    resolution = tana.clause("forslag_til_vedtak").blocks
    assert resolution[0].text.startswith("Kommunestyret i Deatnu - Tana kommune godkjenner")
    assert "at Unjárga - Nesseby kommune også godkjenner avtalen" in " ".join(
        b.text for b in resolution)


def test_submission_to_many_councils_prints_its_own_row_and_the_sum(tmp_path: Path) -> None:
    (agreement, *submissions), numbers = many_councils(tmp_path)
    (whole,) = [b for b in agreement.clause("økonomi").blocks if isinstance(b, Table)]
    assert len(whole.rows) == len(numbers)
    for submission, row in zip(submissions, whole.rows, strict=True):
        vurdering = submission.clause("vurdering")
        (table,) = [b for b in vurdering.blocks if isinstance(b, Table)]
        # This council's row as the agreement prints it, and the sum over all of them.
        assert (table.header, table.rows, table.total) == (whole.header, (row,), whole.total)
        text = " ".join(b.text for b in vurdering.blocks if not isinstance(b, Table))
        assert f"tallene for {submission.header['kommune']} og summen for alle de {len(numbers)}" \
            in " ".join(text.replace("\u00a0", " ").split())
        # The resolution counts the councils; the agreement names them all.
        resolution = " ".join(b.text for b in submission.clause("forslag_til_vedtak").blocks)
        assert f"mellom de {len(numbers)} deltakerkommunene som er parter i avtalen" in resolution
        assert f"at de {len(numbers) - 1} andre deltakerkommunene også godkjenner" in resolution
        host = whole.rows[0][0]
        assert not [r[0] for r in whole.rows
                    if r[0] not in (row[0], host) and f" {r[0]} kommune" in resolution]
    assert "Eigersund kommune" in " ".join(b.text for b in agreement.clause("parter").blocks)


def test_nynorsk_submission_to_many_councils_counts_them(tmp_path: Path) -> None:
    (agreement, *submissions), numbers = many_councils(tmp_path, "nn")
    (whole,) = [b for b in agreement.clause("økonomi").blocks if isinstance(b, Table)]
    resolution = " ".join(b.text for b in submissions[1].clause("forslag_til_vedtak").blocks)
    assert f"mellom dei {len(numbers)} deltakarkommunane som er partar i avtalen" in resolution
    assert f"at dei {len(numbers) - 1} andre deltakarkommunane òg godkjenner" in resolution
    text = " ".join(b.text for b in submissions[1].clause("vurdering").blocks
                    if not isinstance(b, Table))
    assert (f"Tabellen viser tala for {whole.rows[1][0]} kommune og summen for alle dei "
            f"{len(numbers)} deltakarkommunane") in " ".join(text.replace("\u00a0", " ").split())
