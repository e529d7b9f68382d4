"""The agreement appended to each council's submission PDF: pages, tags and bookmarks intact."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from generator import pdfa
from tests.test_documents import COPIES, model, pages


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
def test_agreement_pages_follow_the_submission_as_the_agreement_prints_them(
        built: Path, case_id: str, number: str) -> None:
    folder = built / "build" / case_id
    submission = pages(folder / f"saksframlegg-{number}.pdf")
    agreement = pages(folder / f"{attached_stem(case_id, number)}.pdf")
    # The agreement's own PDF, page for page (its draft stamp and page numbers included),
    # after at least one page of the submission itself.
    assert len(submission) > len(agreement)
    assert submission[-len(agreement):] == agreement


@pytest.mark.parametrize(("case_id", "number"), COPIES)
def test_appended_pdf_is_one_tagged_archive_document(built: Path, case_id: str,
                                                     number: str) -> None:
    path = built / "build" / case_id / f"saksframlegg-{number}.pdf"
    with pikepdf.open(path) as pdf:
        tree = pdf.Root.StructTreeRoot
        numbers = tree.ParentTree.Nums
        keys = {int(numbers[i]): numbers[i + 1] for i in range(0, len(numbers), 2)}
        # Every page has a parent-tree key of its own, and the elements listed under it are
        # elements of the one structure tree (none left over from the agreement's own tree).
        parents = [int(page.obj.StructParents) for page in pdf.pages]
        assert sorted(parents) == sorted(set(parents)) and set(parents) <= set(keys)
        in_tree = {e.objgen for e in elements(tree)}
        listed = {e.objgen for value in keys.values() for e in value
                  if isinstance(e, pikepdf.Dictionary)}
        assert listed <= in_tree
        page_ids = {page.obj.objgen for page in pdf.pages}
        assert all(e.Pg.objgen in page_ids for e in elements(tree) if "/Pg" in e)
        # The agreement's bookmarks under one bookmark with its title, on its first page.
        with pdf.open_outline() as outline:
            attached = outline.root[-1]
            children = [child.title for child in attached.children]
            first = pdf.pages.index(pikepdf.Page(attached.destination[0]))
        title, count = str(pdf.docinfo.Title), len(pdf.pages)
    with pikepdf.open(path.with_name(f"{attached_stem(case_id, number)}.pdf")) as attached_pdf:
        with attached_pdf.open_outline() as outline:
            assert children == [item.title for item in outline.root]
        assert attached.title == str(attached_pdf.docinfo.Title)
        assert first == count - len(attached_pdf.pages)
    assert pdfa.check(path, "nb-NO" if "sogn" not in case_id else "nn-NO", title) == []
