"""samdok diff: clause-level, word-level and data-level changes; HTML, JSON, the Word redline,
versions from git, and edited Word files read back."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document as WordDocument

from generator.review.diff import words
from generator.word.marks import bookmark_name, clause_id
from tests.helpers import FIXTURES, ROOT, git, invoke

V1 = FIXTURES / "diff" / "v1.yaml"
V2 = FIXTURES / "diff" / "v2.yaml"
W = "\u00a0"  # amounts and percentages keep their non-breaking spaces, as in the document


def diff_json(*args: str, cwd: Path) -> dict:
    result = invoke("diff", *args, "--json", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def summary(change: dict) -> tuple:
    """A change reduced to what a reviewer reads first."""
    if change["kind"] == "data":
        return ("data", change["topic"], tuple(change["lines"]),
                tuple(c["id"] for c in change["clauses"]))
    if change["kind"] == "renumbered":
        return ("renumbered", tuple((c["id"], c["old"], c["new"]) for c in change["clauses"]))
    return (change["kind"], change["id"])


FIVE = [
    ("data", "økonomi", (
        "kostnadsnøkkel: likt → folketall",
        f"Røros: andel: 33,4{W}% → 59,1{W}%; budsjett 2027: kr{W}800{W}000 → kr{W}1{W}419{W}623",
        f"Os: andel: 33,3{W}% → 19,7{W}%; budsjett 2027: kr{W}800{W}000 → kr{W}472{W}209",
        f"Holtålen: andel: 33,3{W}% → 21,2{W}%; budsjett 2027: kr{W}800{W}000 → kr{W}508{W}168"),
     ("økonomi",)),
    ("removed", "bakgrunn"),
    ("changed", "formål"),
    ("added", "personal"),
    ("renumbered", (("formål", 3, 2), ("oppgaver", 4, 3), ("organisering", 5, 4),
                    ("kvalitet", 6, 5))),
]


def test_five_changes_and_nothing_else(tmp_path: Path) -> None:
    report = diff_json(str(V1), str(V2), cwd=tmp_path)
    assert [summary(c) for c in report["changes"]] == FIVE
    changed = next(c for c in report["changes"] if c["kind"] == "changed")
    assert changed["number"] == {"old": 3, "new": 2}
    [block] = changed["blocks"]
    assert [(w["op"], w["text"]) for w in block["words"] if w["op"] != "="] == [
        ("+", ", rask"), ("-", "rask"), ("+", "rimelig")]
    added = next(c for c in report["changes"] if c["kind"] == "added")
    assert added["number"] == {"old": None, "new": 6}
    assert added["heading"]["new"] == "Personale"
    # The key's sentence changed with the key: listed under the data change, not on its own.
    [economy] = report["changes"][0]["clauses"]
    sentence = next(b for b in economy["blocks"] if b["kind"] == "punkt")
    assert [(w["op"], w["text"]) for w in sentence["words"] if w["op"] != "="] == [
        ("-", "med like store deler på hver deltakerkommune."),
        ("+", "etter folketallet i den enkelte deltakerkommunen per 1. januar 2024.")]


def test_identical_versions_have_no_changes(tmp_path: Path) -> None:
    assert diff_json(str(V1), str(V1), cwd=tmp_path)["changes"] == []
    result = invoke("diff", str(V1), str(V1), cwd=tmp_path)
    assert "Ingen endringer" in result.stdout


def test_data_changes_in_plain_words(tmp_path: Path) -> None:
    text = V1.read_text(encoding="utf-8")
    text = text.replace("  - kommune: 5026\n", "  - kommune: 5026\n  - kommune: Øyer\n")
    text = text.replace("ikrafttredelse: 2027-01-01", "ikrafttredelse: 2027-03-01")
    text = text.replace("oppsigelsestid_måneder: 12", "oppsigelsestid_måneder: 6")
    new = tmp_path / "v3.yaml"
    new.write_text(text, encoding="utf-8")
    report = diff_json(str(V1), str(new), cwd=tmp_path)
    data = {c["topic"]: c["lines"] for c in report["changes"] if c["kind"] == "data"}
    assert data["parter"] == ["ny part: Øyer"]
    assert data["ikrafttredelse"] == ["ikrafttredelse: 1. januar 2027 → 1. mars 2027"]
    assert data["uttreden"] == ["oppsigelsestid: 12 måneder → 6 måneder"]
    assert (f"Røros: andel: 33,4{W}% → 25,0{W}%; budsjett 2027: kr{W}800{W}000 → kr{W}600{W}000"
            in data["økonomi"])
    # The commencement and notice clauses changed only by their dates: explained, not listed.
    explained = {c["id"] for change in report["changes"] if change["kind"] == "data"
                 for c in change["clauses"]}
    assert {"ikrafttredelse", "inntreden_og_uttreden"} <= explained
    back = diff_json(str(new), str(V1), cwd=tmp_path)
    assert ["part fjernet: Øyer"] in [c["lines"] for c in back["changes"] if c["kind"] == "data"]


def test_terminal_and_html(tmp_path: Path) -> None:
    page = tmp_path / "diff.html"
    result = invoke("diff", str(V1), str(V2), "--html", str(page), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # Not a tty: no colour codes, git's word-diff markers instead.
    assert "\x1b[" not in result.stdout
    assert "sikker{+, rask+} og [-rask-]{+rimelig+} lønnskjøring" in result.stdout
    assert "Klausul fjernet: 2. Bakgrunn" in result.stdout
    assert "Ny klausul: 6. Personale" in result.stdout
    assert "kostnadsnøkkel: likt → folketall" in result.stdout
    coloured = invoke("diff", str(V1), str(V2), "--color", cwd=tmp_path)
    assert "\x1b[32m, rask\x1b[0m" in coloured.stdout
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<del>rask</del><ins>rimelig</ins>" in html
    assert "kostnadsnøkkel: likt → folketall" in html
    # One self-contained page: nothing is fetched from elsewhere.
    assert not re.search(r"""(src|href)=|@import|url\(""", html)


def test_versions_from_git(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    case = tmp_path / "cases" / "diff.yaml"
    shutil.copy(V1, case)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "Utkast 1")
    shutil.copy(V2, case)
    git(tmp_path, "commit", "-q", "-am", "Utkast 2")
    report = diff_json("cases/diff.yaml@HEAD~1", "cases/diff.yaml@HEAD", cwd=tmp_path)
    assert [summary(c) for c in report["changes"]] == FIVE
    assert report["old"] == "cases/diff.yaml@HEAD~1"
    # One argument: that revision against the working copy.
    assert [summary(c) for c in diff_json("cases/diff.yaml@HEAD~1", cwd=tmp_path)["changes"]] \
        == FIVE
    case.write_text(case.read_text(encoding="utf-8").replace("rimelig", "billig"),
                    encoding="utf-8")
    report = diff_json("cases/diff.yaml", cwd=tmp_path)  # HEAD against the working copy
    assert [summary(c) for c in report["changes"]] == [("changed", "formål")]
    missing = invoke("diff", "cases/diff.yaml@nosuchrev", cwd=tmp_path)
    assert missing.returncode == 1
    assert "git has no version of diff.yaml at 'nosuchrev'" in missing.stderr


def ins_del(docx: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Tracked changes with text, outside and inside tables: (w:ins|w:del, text)."""
    with zipfile.ZipFile(docx) as z:
        xml = z.read("word/document.xml").decode()
    outside, inside = [], []
    tables = [(m.start(), m.end()) for m in re.finditer(r"<w:tbl>.*?</w:tbl>", xml, re.S)]
    for m in re.finditer(r"<w:(ins|del) [^>]*?>(.*?)</w:\1>", xml, re.S):
        text = "".join(re.findall(r"<w:(?:t|delText)[^>]*>([^<]*)<", m.group(2)))
        where = inside if any(a <= m.start() < b for a, b in tables) else outside
        where.append((m.group(1), text))
    return outside, inside


@pytest.mark.libreoffice
def test_redline_has_tracked_changes_only_around_changed_words(tmp_path: Path) -> None:
    from generator.pdf.convert import to_pdf

    redline = tmp_path / "redline.docx"
    result = invoke("diff", str(V1), str(V2), "--docx", str(redline), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    outside, inside = ins_del(redline)
    assert outside == [
        ("del", "2. Bakgrunn"),
        ("del", "Kommunene har hatt hver sin lønningsavdeling, og alle tre er sårbare ved fravær."),
        ("ins", ", rask"), ("del", "rask"), ("ins", "rimelig"),
        ("ins", "6. Personale"),
        ("ins", "De ansatte ved lønningskontoret er ansatt i vertskommunen. Ansatte som går over "
                "fra de andre kommunene, beholder sine rettigheter etter arbeidsmiljøloven."),
        ("del", "med like store deler på hver deltakerkommune."),
        ("ins", "etter folketallet i den enkelte deltakerkommunen per 1. januar 2024."),
    ]
    # The cost table gained a column: the old one deleted row by row, the new one inserted.
    assert ("del", f"33,4{W}%") in inside and ("ins", f"59,1{W}%") in inside
    with zipfile.ZipFile(redline) as z:
        xml = z.read("word/document.xml").decode()
    assert set(re.findall(r'w:author="([^"]*)"', xml)) == {"samdok"}
    assert re.search(r'w:date="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"', xml)
    # Renumbered headings carry their new number without a tracked change.
    assert "4. Organisering" in "".join(p.text for p in WordDocument(str(redline)).paragraphs)
    # Accepting every change gives the new version exactly.
    assert diff_json(str(redline), str(V2), cwd=tmp_path)["changes"] == []
    # LibreOffice opens it and converts it.
    [pdf] = to_pdf([redline], tmp_path)
    assert pdf.stat().st_size > 0


@pytest.mark.libreoffice
def test_edited_word_file_is_read_back_clause_by_clause(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    shutil.copy(V1, tmp_path / "cases" / "diff.yaml")
    assert invoke("build", cwd=tmp_path).returncode == 0
    built = tmp_path / "build" / "diff" / "samarbeidsavtale.docx"
    # Unchanged, the built file reads back as the case it came from.
    assert diff_json("cases/diff.yaml", str(built), cwd=tmp_path)["changes"] == []

    # A party edits it with python-docx: one sentence changed, one paragraph added to a clause.
    word = WordDocument(str(built))
    paragraphs = word.paragraphs
    purpose = next(p for p in paragraphs if p.text.startswith("Kommunene skal ha"))
    purpose.runs[0].text = purpose.text.replace("sikker og rask", "sikker og effektiv")
    for run in purpose.runs[1:]:
        run.text = ""
    after_tasks = next(p for p in paragraphs if p.text == "5. Organisering")
    after_tasks.insert_paragraph_before("Vertskommunen rapporterer til de andre kommunene "
                                        "hvert halvår.")
    edited = tmp_path / "tilbake.docx"
    word.save(str(edited))

    report = diff_json("cases/diff.yaml", str(edited), cwd=tmp_path)
    assert [summary(c) for c in report["changes"]] == [("changed", "formål"),
                                                       ("changed", "oppgaver")]
    purpose_change, tasks_change = report["changes"]
    assert [(w["op"], w["text"]) for w in purpose_change["blocks"][0]["words"]
            if w["op"] != "="] == [("-", "rask"), ("+", "effektiv")]
    assert tasks_change["blocks"] == [{
        "op": "insert", "kind": "avsnitt", "old": None,
        "new": "Vertskommunen rapporterer til de andre kommunene hvert halvår."}]
    # Against the built file it came from, the same two changes.
    against_build = diff_json(str(built), str(edited), cwd=tmp_path)
    assert [summary(c) for c in against_build["changes"]] == [("changed", "formål"),
                                                              ("changed", "oppgaver")]


def test_a_word_file_samdok_did_not_build_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "annet.docx"
    word = WordDocument()
    word.add_paragraph("1. Formål")
    word.save(str(other))
    result = invoke("diff", str(V1), str(other), cwd=tmp_path)
    assert result.returncode == 1
    assert "no samdok clause bookmarks found" in result.stderr
    assert "Traceback" not in result.stderr


def test_word_changes_span_whole_words() -> None:
    changes = words("Røros: 41,0 % av kr 5 125 000.", "Røros: 38,2 % av kr 4 775 000.")
    assert [(w.op, w.text) for w in changes] == [
        ("=", "Røros: "), ("-", "41,0"), ("+", "38,2"), ("=", " % av kr "),
        ("-", "5 125 000"), ("+", "4 775 000"), ("=", ".")]


@pytest.mark.parametrize("name", ["formål", "økonomi", "inntreden_og_uttreden", "a-b c", "ŋ"])
def test_clause_ids_survive_as_word_bookmark_names(name: str) -> None:
    bookmark = bookmark_name(name)
    assert re.fullmatch(r"_samdok_[A-Za-z0-9_]+", bookmark)
    assert clause_id(bookmark) == name


def test_text_of_a_case_is_markdown_of_its_document(tmp_path: Path) -> None:
    result = invoke("text", str(V2), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("# Samarbeidsavtale om felles lønningskontor\n")
    assert "\n## 6. Personale\n" in text
    assert "- Kostnadene fordeles etter folketallet" in text
    assert f"| Røros | 5{W}685 | 59,1{W}% | kr{W}1{W}419{W}623 |" in text


def _word_file(case: Path, folder: Path) -> None:
    """The agreement's Word file where a build puts it, by the writer a build uses (the
    recipe is about the Word file; its PDF would take LibreOffice and show nothing more)."""
    from generator.base.project import templates_dir
    from generator.compose.enrich import compose
    from generator.model.case import load_case
    from generator.word.writer import write_docx

    agreement = compose(load_case(case), templates_dir())[0]
    out = folder / "build" / "diff" / "samarbeidsavtale.docx"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_docx(agreement, templates_dir(), out)


@pytest.mark.processes  # git runs samdok
def test_git_textconv_recipe_makes_git_diff_readable(tmp_path: Path) -> None:
    """The README's recipe, for real: .gitattributes and diff.samdok.textconv."""
    (tmp_path / "cases").mkdir()
    case = tmp_path / "cases" / "diff.yaml"
    shutil.copy(V1, case)
    _word_file(case, tmp_path)
    (tmp_path / ".gitattributes").write_text("*.docx diff=samdok\ncases/*.yaml diff=samdok\n",
                                             encoding="utf-8")
    git(tmp_path, "init", "-q", "-b", "main")
    # In a user's repository this is just "samdok text"; the test runs this checkout's samdok.
    git(tmp_path, "config", "diff.samdok.textconv", f"{sys.executable} -m generator text")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "Utkast 1")
    shutil.copy(V2, case)
    _word_file(case, tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    shown = subprocess_out(["git", "diff", "--", "build/diff/samarbeidsavtale.docx"], tmp_path,
                           env)
    assert "Binary files" not in shown
    assert "+Kommunene skal ha et felles lønningskontor med Røros som vertskommune. Kontoret " \
           "skal gi sikker, rask og rimelig lønnskjøring for alle tre kommunene." in shown
    shown = subprocess_out(["git", "diff", "--", "cases/diff.yaml"], tmp_path, env)
    assert "+## 6. Personale" in shown
    assert "-## 2. Bakgrunn" in shown


def subprocess_out(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                            check=True)
    return result.stdout


def test_a_clause_that_changed_place_is_moved_and_the_rest_only_renumbered() -> None:
    from generator.compose.document import Clause, Document, Paragraph
    from generator.review.diff import Facts, Version, compare

    def document(*ids: str) -> Document:
        clauses = tuple(Clause(i, n, i.title(), (Paragraph(f"Tekst {i}."),))
                        for n, i in enumerate(ids, start=1))
        return Document("samarbeidsavtale", "x", "T", "", "nb", clauses)

    old = Version("a", document("parter", "formål", "kvalitet", "økonomi"), Facts())
    new = Version("b", document("parter", "kvalitet", "økonomi", "formål"), Facts())
    result = compare(old, new, {})
    assert [(c.kind, c.id, c.old.number, c.new.number) for c in result.clauses] == [
        ("moved", "formål", 2, 4)]
    assert result.renumbered == [("kvalitet", 3, 2), ("økonomi", 4, 3)]
    assert result.data == []


def test_a_project_library_without_the_new_labels_gets_the_standard_words() -> None:
    from generator.compose.drafts import with_standard_labels

    labels = with_standard_labels({"utkast": "Kladd"}, "samarbeidsavtale", "nb")
    assert labels["utkast"] == "Kladd"
    assert labels["vannmerke"] == "UTKAST"
    assert labels["endring_ny_part"] == "ny part"
