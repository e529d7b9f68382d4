"""The agreement appended to each council's submission PDF: pages, tags and bookmarks intact."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from generator.pdf import archive as pdfa
from tests.helpers import COPIES, chars, model, pages


def attached_stem(case_id: str, number: str) -> str:
    """The file stem of the agreement attached to a council's submission."""
    return model(case_id, f"saksframlegg-{number}").attachments[0].file_stem


def elements(tree) -> list[pikepdf.Dictionary]:
    """Every structure element under the tree root, each checked to name its parent."""
    found = []

    def walk(element, parent) -> None:
        if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
            return  # marked-content ids and references
        assert element.P.objgen == parent.objgen, f"{element.S} has another /P"
        found.append(element)
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            walk(kid, element)

    for top in tree.K if isinstance(tree.K, pikepdf.Array) else [tree.K]:
        walk(top, tree)
    return found


@pytest.mark.parametrize(("case_id", "number"), COPIES)
@pytest.mark.libreoffice
def test_agreement_pages_follow_the_submission_as_the_agreement_prints_them(
        built: Path, case_id: str, number: str) -> None:
    folder = built / "build" / case_id
    submission = pages(folder / f"saksframlegg-{number}.pdf")
    agreement = pages(folder / f"{attached_stem(case_id, number)}.pdf")
    # The agreement's own PDF, page for page (its draft stamp and page numbers included),
    # after at least one page of the submission itself.
    assert len(submission) > len(agreement)
    assert submission[-len(agreement):] == agreement


def assert_one_tagged_document(pdf: pikepdf.Pdf) -> None:
    """One structure tree and parent tree over all pages, and one name per font subset."""
    tree = pdf.Root.StructTreeRoot
    numbers = tree.ParentTree.Nums
    keys = [int(numbers[i]) for i in range(0, len(numbers), 2)]
    assert keys == sorted(set(keys))  # a number tree is in key order
    values = dict(zip(keys, [numbers[i + 1] for i in range(0, len(numbers), 2)], strict=True))
    # Every page has a parent-tree key of its own, and the elements listed under it are
    # elements of the one structure tree (none left over from the agreement's own tree).
    parents = [int(page.obj.StructParents) for page in pdf.pages]
    assert sorted(parents) == sorted(set(parents)) and set(parents) <= set(keys)
    in_tree = {e.objgen for e in elements(tree)}
    listed = {e.objgen for value in values.values() for e in value
              if isinstance(e, pikepdf.Dictionary)}
    assert listed <= in_tree
    page_ids = {page.obj.objgen for page in pdf.pages}
    assert all(e.Pg.objgen in page_ids for e in elements(tree) if "/Pg" in e)
    # LibreOffice names its subsets alike in every PDF (BAAAAA+Carlito); two different
    # subsets under one name may be mixed up by a printer (ISO 32000-1, 9.6.4).
    fonts: dict[str, set] = {}
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font":
            fonts.setdefault(str(obj.get("/BaseFont")), set()).add(obj.objgen)
    assert all(len(found) == 1 for found in fonts.values()), fonts


@pytest.mark.parametrize(("case_id", "number"), COPIES)
@pytest.mark.libreoffice
def test_appended_pdf_is_one_tagged_archive_document(built: Path, case_id: str,
                                                     number: str) -> None:
    path = built / "build" / case_id / f"saksframlegg-{number}.pdf"
    with pikepdf.open(path) as pdf:
        assert_one_tagged_document(pdf)
        # The agreement's bookmarks under one bookmark with its title, on its first page.
        with pdf.open_outline() as outline:
            attached = outline.root[-1]
            children = [child.title for child in attached.children]
            first = pdf.pages.index(pikepdf.Page(attached.destination[0]))
        title, count = str(pdf.docinfo.Title), len(pdf.pages)
        # Viewers number the agreement's pages from 1 again, as its own footer does.
        page_labels = pdf.Root.PageLabels.Nums
        labels = [int(page_labels[i]) for i in range(0, len(page_labels), 2)]
        assert str(page_labels[3].P) == "Vedlegg 1 – "
    with pikepdf.open(path.with_name(f"{attached_stem(case_id, number)}.pdf")) as attached_pdf:
        with attached_pdf.open_outline() as outline:
            assert children == [item.title for item in outline.root]
        assert attached.title == f"Vedlegg 1: {attached_pdf.docinfo.Title}"
        assert first == count - len(attached_pdf.pages)
        assert labels == [0, count - len(attached_pdf.pages)]
    language = "nb-NO" if "sogn" not in case_id else "nn-NO"
    assert pdfa.check(path, language, title, None, chars(path)) == []


@pytest.mark.parametrize(("case_id", "number"), COPIES)
@pytest.mark.libreoffice
def test_the_agreement_pdf_is_the_start_of_every_council_pdf(built: Path, case_id: str,
                                                             number: str) -> None:
    # Appending writes the council's own objects behind the agreement's bytes (an
    # incremental update), rather than reading and writing the whole agreement again.
    folder = built / "build" / case_id
    agreement = (folder / f"{attached_stem(case_id, number)}.pdf").read_bytes()
    council = folder / f"saksframlegg-{number}.pdf"
    assert council.read_bytes().startswith(agreement)
    with pikepdf.open(council) as pdf:
        assert pdf.check_pdf_syntax() == []
        assert int(pdf.trailer.Prev) == int(agreement.rsplit(b"startxref", 1)[1].split()[0])


@pytest.mark.libreoffice
def test_a_second_attachment_is_appended_after_the_first(built: Path, tmp_path: Path) -> None:
    import datetime as dt
    import shutil

    from generator.pdf.attach import Attachment, append

    case_id, number = COPIES[0]
    folder = built / "build" / case_id
    agreement = tmp_path / "avtale.pdf"  # a copy: Attachment pins its dates in place
    shutil.copy(folder / f"{attached_stem(case_id, number)}.pdf", agreement)
    twice = tmp_path / "saksframlegg.pdf"
    shutil.copy(folder / f"saksframlegg-{number}.pdf", twice)
    with pikepdf.open(twice) as pdf:
        before = len(pdf.pages)
    when = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    with Attachment(agreement, when) as attachment:
        append(twice, attachment, when, number=2)
    with pikepdf.open(twice) as pdf, pikepdf.open(agreement) as attached:
        assert_one_tagged_document(pdf)
        assert len(pdf.pages) == before + len(attached.pages)
        with pdf.open_outline() as outline:
            assert [item.title.split(":")[0] for item in outline.root][-2:] == [
                "Vedlegg 1", "Vedlegg 2"]
        page_labels = pdf.Root.PageLabels.Nums
        assert [int(page_labels[i]) for i in range(0, len(page_labels), 2)] == [
            0, before - len(attached.pages), before]
    assert pages(twice)[-len(pages(agreement)):] == pages(agreement)


@pytest.mark.libreoffice
def test_submissions_are_the_same_bytes_whichever_pdf_is_converted_first(
        tmp_path: Path) -> None:
    import hashlib
    import shutil

    from tests.helpers import EXAMPLES, invoke

    # One worker converts the agreement before every submission; two workers finish them
    # in another order, so submissions wait for the agreement: the files must not differ.
    (tmp_path / "cases").mkdir()
    shutil.copy(EXAMPLES / "lillehammerregionen-3-1.yaml", tmp_path / "cases")
    env = {"SOURCE_DATE_EPOCH": "1800000000"}
    for jobs, out in (("1", "one"), ("2", "two")):
        result = invoke("build", "--jobs", jobs, "-o", out, cwd=tmp_path, env=env)
        assert result.returncode == 0, result.stderr
    one = tmp_path / "one" / "lillehammerregionen-3-1"
    two = tmp_path / "two" / "lillehammerregionen-3-1"
    names = sorted(path.name for path in one.iterdir())
    assert sum(name.startswith("saksframlegg-") and name.endswith(".pdf") for name in names) == 3
    assert names == sorted(path.name for path in two.iterdir())
    for name in names:
        assert (hashlib.sha256((one / name).read_bytes()).digest()
                == hashlib.sha256((two / name).read_bytes()).digest()), name


def test_an_update_reads_back_as_written(tmp_path: Path) -> None:
    import io
    from decimal import Decimal

    from generator.pdf.update import Ref, Update

    base = pikepdf.new()
    base.add_blank_page()
    buffer = io.BytesIO()
    base.save(buffer)
    data = buffer.getvalue()
    with pikepdf.open(io.BytesIO(data)) as base_pdf, pikepdf.new() as source:
        stream = pikepdf.Stream(source, b"BT ET")
        value = source.make_indirect(pikepdf.Dictionary({
            "/Name": pikepdf.Name("/Samdok Kommune#1"), "/Text": pikepdf.String("Bø (Telemark)"),
            "/Real": Decimal("595.303937"), "/Yes": True, "/None": None,
            "/List": pikepdf.Array([1, -2, pikepdf.Array([]), stream])}))
        update = Update(data, base_pdf, source)
        number = update.new_number()
        update.put(number, {"/Value": value, "/Page": base_pdf.pages[0].obj})
        root = base_pdf.Root
        update.put(root.objgen[0], {**dict(root.items()), "/Samdok": Ref(number)})
        combined = update.write({"/Root": Ref(root.objgen[0])})
    assert combined.startswith(data)
    with pikepdf.open(io.BytesIO(combined)) as pdf:
        assert pdf.check_pdf_syntax() == []
        got = pdf.Root.Samdok.Value
        assert pdf.Root.Samdok.Page.objgen == pdf.pages[0].obj.objgen
        assert got.Name == "/Samdok Kommune#1" and str(got.Text) == "Bø (Telemark)"
        assert got.Real == Decimal("595.303937") and got.Yes is True and "/None" not in got
        assert list(got.List)[:2] == [1, -2] and got.List[3].read_bytes() == b"BT ET"
        assert len(pdf.trailer.ID) == 2


def test_an_untagged_attachment_is_refused_with_a_hint(tmp_path: Path) -> None:
    import datetime as dt

    from generator.errors import ConversionError
    from generator.pdf.attach import Attachment

    plain = pikepdf.new()
    plain.add_blank_page()
    plain.save(tmp_path / "avtale.pdf")
    with pytest.raises(ConversionError, match=r"avtale\.pdf: cannot be appended .*hint: "):
        Attachment(tmp_path / "avtale.pdf", dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
