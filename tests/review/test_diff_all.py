"""diff, the Word redline and text cover every document of a case: each council's copy of the
joint submission (its head and its resolution), whole amounts replaced as one token, table
cells that do not wrap, data changes in full, and edited cost tables that no longer add up."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document as WordDocument

from generator.cli import main
from generator.review.diff import words
from tests.helpers import EXAMPLES, FIXTURES

W = "\u00a0"  # amounts and percentages keep their no-break spaces, as in the document
CASE = EXAMPLES / "barnevern-lillehammer-gausdal.yaml"  # a tjenesteavtale and a submission
V1 = FIXTURES / "diff" / "v1.yaml"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # samdok's own templates; outputs land in tmp_path


def variant(tmp_path: Path, name: str, *replacements: tuple[str, str],
            source: Path = CASE) -> Path:
    text = source.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def samdok(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def diff_json(*args: str) -> dict:
    code, out, err = samdok("diff", *args, "--json")
    assert code == 0, err
    return json.loads(out)


def tracked(docx: Path) -> tuple[list[tuple[str, str]], str]:
    """Tracked changes with text, in order: (ins|del, text); and the document's XML."""
    with zipfile.ZipFile(docx) as z:
        xml = z.read("word/document.xml").decode()
    out = []
    for m in re.finditer(r"<w:(ins|del) [^>]*?>(.*?)</w:\1>", xml, re.S):
        text = "".join(re.findall(r"<w:(?:t|delText)[^>]*>([^<]*)<", m.group(2)))
        if text:
            out.append((m.group(1), text))
    return out, xml


# --- the joint submission, council by council ------------------------------------------------

SUBMISSION_EDITS = (
    ("arkivsak: 2026/1184", "arkivsak: 2026/1185"),  # Lillehammer's archive case number
    ("møtedato: 2026-12-08", "møtedato: 2026-12-15"),  # Gausdal's council meeting
    ("Kommunedirektøren anbefaler at", "Kommunedirektøren anbefaler sterkt at"),  # assessment
)


def test_submission_heads_and_texts_are_compared_per_council(tmp_path: Path) -> None:
    new = variant(tmp_path, "ny.yaml", *SUBMISSION_EDITS)
    report = diff_json(str(CASE), str(new))
    assert report["changes"] == []  # the agreement did not change
    [submission] = report["documents"]
    assert submission["kind"] == "saksframlegg"
    groups = [(g["councils"], [(c["kind"], c.get("field") or c["id"], c.get("old"), c.get("new"))
                               for c in g["changes"]]) for g in submission["groups"]]
    # The assessment changed alike in every copy: told once, for all councils.
    assert groups[0] == ("all", [("changed", "vurdering", None, None)])
    assert (["Lillehammer kommune"], [("head", "Arkivsak", "2026/1184", "2026/1185")]) in groups
    assert (["Gausdal kommune"], [("head", "Møtedato (Kommunestyret)", "08.12.2026",
                                   "15.12.2026")]) in groups
    assert len(groups) == 3
    code, out, _ = samdok("diff", str(CASE), str(new))
    assert code == 0
    assert "Ingen endringer" not in out
    assert "Saksframlegg, alle kommuner:" in out
    assert "Saksframlegg, Lillehammer kommune:" in out
    assert "Arkivsak: [-2026/1184-] → {+2026/1185+}" in out
    assert "anbefaler {+sterkt +}at" in out


def test_a_resolution_that_reads_differently_per_council_is_told_per_council(
        tmp_path: Path) -> None:
    new = variant(tmp_path, "ny.yaml", ("budsjett: {2027: 38500000", "budsjett: {2027: 41230000"))
    report = diff_json(str(CASE), str(new))
    [submission] = report["documents"]
    per_council = {tuple(g["councils"]): g["changes"] for g in submission["groups"]
                   if g["councils"] != "all"}
    resolution = per_council[("Lillehammer kommune",)][0]
    assert resolution["id"] == "forslag_til_vedtak"
    changed = [(w["op"], w["text"]) for b in resolution["blocks"] for w in b["words"]
               if w["op"] != "="]
    assert ("-", f"29{W}205{W}685") in changed and ("+", f"31{W}276{W}633") in changed
    # The data change labels each budget year.
    [economy] = [c for c in report["changes"] if c["kind"] == "data"]
    assert any(f"budsjett 2027: kr{W}29{W}205{W}685 → kr{W}31{W}276{W}633" in line
               for line in economy["lines"])


def test_redline_per_council_copy_tracks_head_and_whole_amounts(tmp_path: Path) -> None:
    new = variant(tmp_path, "ny.yaml", *SUBMISSION_EDITS,
                  ("budsjett: {2027: 38500000", "budsjett: {2027: 41230000"))
    code, _, err = samdok("diff", str(CASE), str(new), "--docx", "endringer.docx")
    assert code == 0, err
    copy = tmp_path / "endringer-saksframlegg-3405.docx"
    changes, _ = tracked(copy)
    assert ("del", "2026/1184") in changes and ("ins", "2026/1185") in changes
    assert ("ins", "sterkt ") in changes
    # The amount in the resolution replaced as one token, never inside the number.
    assert ("del", f"29{W}205{W}685") in changes and ("ins", f"31{W}276{W}633") in changes
    gausdal, _ = tracked(tmp_path / "endringer-saksframlegg-3441.docx")
    assert ("del", "08.12.2026") in gausdal and ("ins", "15.12.2026") in gausdal
    # Accepting every change gives the new version: each copy read back against the case.
    for path in (copy, tmp_path / "endringer-saksframlegg-3441.docx",
                 tmp_path / "endringer.docx"):
        report = diff_json(str(path), str(new))
        assert report["changes"] == [], path


def test_redline_replaces_changed_table_rows_so_cells_do_not_wrap(tmp_path: Path) -> None:
    new = variant(tmp_path, "ny.yaml", ("budsjett: {2027: 38500000", "budsjett: {2027: 41230000"),
                  ("grunnandel: 20}", "grunnandel: 25}"))
    code, _, err = samdok("diff", str(CASE), str(new), "--docx", "r.docx")
    assert code == 0, err
    changes, xml = tracked(tmp_path / "r.docx")
    table = re.search(r"<w:tbl>.*?</w:tbl>", xml, re.S).group(0)
    for tc in re.findall(r"<w:tc>.*?</w:tc>", table, re.S):
        # One paragraph per cell, and never old and new text side by side in it (they made
        # "kr 9 294 31510 61 9 719" wrap over three lines).
        assert tc.count("<w:p>") + tc.count("<w:p ") == 1
        assert not ("<w:delText" in tc and re.search(r"<w:t[ >]", tc))
    rows = re.findall(r"<w:tr>.*?</w:tr>", table, re.S)
    deleted = [r for r in rows if re.search(r"<w:trPr>.*?<w:del ", r, re.S)]
    inserted = [r for r in rows if re.search(r"<w:trPr>.*?<w:ins ", r, re.S)]
    assert len(deleted) == len(inserted) == 3  # Lillehammer, Gausdal, Sum
    # The changed sentence keeps its no-break spaces ("25 %" never splits over two lines).
    assert ("del", "20") in changes and ("ins", "25") in changes
    assert f">{W}% deles likt" in xml
    assert diff_json("r.docx", str(new))["changes"] == []


def test_a_deleted_table_looks_like_the_table_it_was(tmp_path: Path) -> None:
    """A table that changed shape goes in deleted as the writer writes tables: columns with
    widths, each cell's width set, numbers on the right."""
    code, _, err = samdok("diff", str(V1), str(FIXTURES / "diff" / "v2.yaml"), "--docx",
                          "r.docx")
    assert code == 0, err
    _, xml = tracked(tmp_path / "r.docx")
    old = re.search(r"<w:tbl>.*?</w:tbl>", xml, re.S).group(0)
    assert "<w:delText" in old
    assert "<w:gridCol/>" not in old and re.search(r'<w:gridCol w:w="\d+"/>', old)
    assert old.count("<w:tcW ") == 15 and '<w:jc w:val="right"/>' in old


def test_word_tokens_keep_whole_numbers() -> None:
    assert [(w.op, w.text) for w in words(f"kr{W}2{W}099{W}240", f"kr{W}2{W}506{W}057")] == [
        ("=", f"kr{W}"), ("-", f"2{W}099{W}240"), ("+", f"2{W}506{W}057")]
    assert [(w.op, w.text) for w in words("i alt 1 234,5 timer", "i alt 1 334,5 timer")] == [
        ("=", "i alt "), ("-", "1 234,5"), ("+", "1 334,5"), ("=", " timer")]
    # Years side by side stay two numbers.
    assert [w.text for w in words("2027 og 2028", "2027 og 2029") if w.op != "="] == [
        "2028", "2029"]


# --- data changes ------------------------------------------------------------------------------

def test_a_new_partys_share_is_shown(tmp_path: Path) -> None:
    new = variant(tmp_path, "ny.yaml", ("  - kommune: 5026\n", "  - kommune: 5026\n"
                                        "  - kommune: Øyer\n"), source=V1)
    report = diff_json(str(V1), str(new))
    economy = next(c for c in report["changes"] if c.get("topic") == "økonomi")
    assert f"Øyer (ny part): andel: 25,0{W}%; budsjett 2027: kr{W}600{W}000" in economy["lines"]
    back = diff_json(str(new), str(V1))
    economy = next(c for c in back["changes"] if c.get("topic") == "økonomi")
    assert (f"Øyer (part fjernet): andel: 25,0{W}%; budsjett 2027: kr{W}600{W}000"
            in economy["lines"])


def test_a_change_of_the_keys_terms_is_listed_with_the_economy_clause(tmp_path: Path) -> None:
    new = variant(tmp_path, "ny.yaml", ("grunnandel: 20}", "grunnandel: 25}"))
    report = diff_json(str(CASE), str(new))
    [economy] = [c for c in report["changes"] if c["kind"] == "data"]
    assert f"grunnandel: 20{W}% → 25{W}%" in economy["lines"]
    assert [c["id"] for c in economy["clauses"]] == ["økonomi"]
    assert not [c for c in report["changes"] if c["kind"] == "changed"]


# --- an edited Word file whose cost table does not add up -------------------------------------

def built_docx(tmp_path: Path, case: Path, stem: str) -> Path:
    """A .docx as samdok builds it (the Word writer, no LibreOffice needed)."""
    from generator.base.project import templates_dir
    from generator.compose.enrich import compose
    from generator.model.case import load_case
    from generator.word.writer import write_docx

    [document] = [d for d in compose(load_case(case, str(case)), templates_dir())
                  if d.file_stem == stem]
    out = tmp_path / f"{stem}.docx"
    write_docx(document, templates_dir(), out)
    return out


def set_cell(path: Path, row: int, column: int, value: str) -> None:
    word = WordDocument(str(path))
    cell = word.tables[-1].rows[row].cells[column]
    paragraph = cell.paragraphs[0]
    paragraph.runs[0].text = value
    for run in paragraph.runs[1:]:
        run.text = ""
    word.save(str(path))


def test_an_edited_cost_table_that_does_not_add_up_is_warned_about(tmp_path: Path) -> None:
    docx = built_docx(tmp_path, V1, "samarbeidsavtale")
    code, _, err = samdok("diff", str(V1), str(docx))
    assert code == 0 and "warning" not in err  # as built, it adds up
    set_cell(docx, 1, 2, f"kr{W}900{W}000")  # Røros's amount, the sum row left as it was
    code, out, err = samdok("diff", str(V1), str(docx))
    assert code == 0
    assert (f"samarbeidsavtale.docx: 7. Økonomi, Budsjett 2027: warning: the rows add up to "
            f"kr{W}2{W}500{W}000, the sum row says kr{W}2{W}400{W}000") in err
    assert "hint: " in err
    assert "Røros: budsjett 2027" in out  # the diff still runs, on the figures as they stand
    set_cell(docx, 1, 2, f"kr{W}800{W}000")
    set_cell(docx, 1, 1, f"34,4{W}%")
    set_cell(docx, 4, 1, f"101,0{W}%")
    code, _, err = samdok("diff", str(V1), str(docx))
    assert f"7. Økonomi, Andel: warning: the shares add up to 101,0{W}%, not 100 %" in err


def test_a_councils_word_copy_is_read_back_as_that_copy(tmp_path: Path) -> None:
    docx = built_docx(tmp_path, CASE, "saksframlegg-3441")
    report = diff_json(str(CASE), str(docx))
    assert report["changes"] == []
    report = diff_json(str(docx), str(CASE))
    assert report["changes"] == []


# --- samdok text ---------------------------------------------------------------------------------

def test_text_of_a_case_has_council_heads_numbers_and_blank_lines() -> None:
    code, out, err = samdok("text", str(CASE))
    assert code == 0, err
    # Each council's head.
    assert "| Arkivsak | Arkiv | Saksbehandler | Dato |" in out
    assert "| 2026/1184 | 026 | Ingrid Sæther | 16.11.2026 |" in out
    assert "| 64/26 | Kommunestyret | 08.12.2026 |" in out
    assert "**Gausdal kommune**" in out
    # Resolution points numbered as Markdown numbers them.
    assert "\n1. Kommunestyret i Lillehammer kommune godkjenner" in out
    assert "- 1." not in out
    # A blank line before every heading and table, and between the documents.
    lines = out.split("\n")
    for index, line in enumerate(lines[1:], start=1):
        if line.startswith("#") or (line.startswith("|") and not lines[index - 1]
                                    .startswith("|")):
            assert lines[index - 1] == "", (lines[index - 1], line)
    assert out.count("\n\n# Felles barneverntjeneste") == 2


def test_the_title_is_compared_and_tracked_and_html_has_every_council(tmp_path: Path) -> None:
    same = diff_json(str(CASE), str(CASE))
    assert same["changes"] == [] and same["documents"] == []
    new = variant(tmp_path, "ny.yaml", *SUBMISSION_EDITS, (
        "tittel: Avtale om felles barneverntjeneste for Lillehammer og Gausdal",
        "tittel: Avtale om felles barneverntjeneste for Gausdal og Lillehammer"))
    code, out, err = samdok("diff", str(CASE), str(new), "--html", "d.html", "--docx", "d.docx")
    assert code == 0, err
    assert "Tittel: [-Avtale om felles barneverntjeneste for Lillehammer og Gausdal-] → " in out
    changes, _ = tracked(tmp_path / "d.docx")
    assert ("ins", "Gausdal og Lillehammer") in changes or ("ins", "Gausdal") in changes
    page = (tmp_path / "d.html").read_text(encoding="utf-8")
    for heading in ("Saksframlegg, alle kommuner", "Saksframlegg, Lillehammer kommune",
                    "Saksframlegg, Gausdal kommune"):
        assert f"<h2>{heading}</h2>" in page
    assert "<del>2026/1184</del> → <ins>2026/1185</ins>" in page
