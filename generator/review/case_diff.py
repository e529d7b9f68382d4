"""A case's other documents compared: each council's copy of the joint submission (and any
further agreement), with the changes the copies share told once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..compose.document import Document
from ..compose.drafts import with_standard_labels
from ..word.reader import ReadBack
from .diff import ClauseChange, Comparison, HeadChange, compare
from .versions import document_version, labels, load, split


@dataclass(frozen=True)
class Group:
    """Changes that hold for the same copies: every copy (`every`), or the councils named."""

    councils: tuple[str, ...]
    every: bool
    head: tuple[HeadChange, ...] = ()
    clauses: tuple[ClauseChange, ...] = ()


@dataclass
class Copies:
    """One kind of document of a case, copy by copy (a council's copy is known by its file
    stem, "saksframlegg-3405"): those added, removed, and what changed in the others."""

    kind: str
    name: str  # what the document is called ("Saksframlegg")
    labels: dict[str, str]
    added: tuple[str, ...] = ()  # council names (or the document title) of new copies
    removed: tuple[str, ...] = ()
    groups: list[Group] = field(default_factory=list)
    copies: dict[str, Comparison] = field(default_factory=dict)  # stem -> its comparison

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.groups)


def compare_documents(old: tuple[Document, ...], new: tuple[Document, ...], primary: str,
                      old_label: str, new_label: str) -> list[Copies]:
    """Every kind of document both versions of a case build, except `primary` (compared on
    its own, with the case's data), copy by copy."""
    out = []
    kinds = dict.fromkeys([d.kind for d in new] + [d.kind for d in old])
    for kind in kinds:
        if kind == primary:
            continue
        before = {d.file_stem: d for d in old if d.kind == kind}
        after = {d.file_stem: d for d in new if d.kind == kind}
        sample = next(iter(after.values()), None) or next(iter(before.values()))
        words = with_standard_labels(sample.labels, kind, sample.language)
        result = Copies(kind, words.get(kind, sample.title), words,
                        tuple(_name(after[s]) for s in after if s not in before),
                        tuple(_name(before[s]) for s in before if s not in after))
        for stem in after:
            if stem in before:
                result.copies[stem] = compare(document_version(old_label, before[stem]),
                                              document_version(new_label, after[stem]), words)
        result.groups = group(result.copies, {s: _name(after[s]) for s in result.copies})
        out.append(result)
    return out


def _name(document: Document) -> str:
    return str(document.header.get("kommune") or document.title)


def group(copies: dict[str, Comparison], names: dict[str, str]) -> list[Group]:
    """Each change once, with the copies it holds for: a change every copy has (the
    assessment rewritten) is one group for all; a change only some have, or that reads
    differently in each (a council's archive number, its amount in the resolution), is told
    for those councils. Groups in the order their first change appears, "every" first."""
    holders: dict[object, list[str]] = {}
    samples: dict[object, HeadChange | ClauseChange] = {}
    for stem, comparison in copies.items():
        for item in [*comparison.head, *comparison.clauses]:
            key = _key(item)
            if key not in holders:
                holders[key], samples[key] = [], item
            holders[key].append(stem)
    grouped: dict[tuple[str, ...], list] = {}
    for key, stems in holders.items():
        grouped.setdefault(tuple(stems), []).append(samples[key])
    out = []
    for stems, items in grouped.items():
        every = len(stems) == len(copies) and len(copies) > 1
        out.append(Group(tuple(names[s] for s in stems), every,
                         tuple(i for i in items if isinstance(i, HeadChange)),
                         tuple(i for i in items if isinstance(i, ClauseChange))))
    out.sort(key=lambda g: not g.every)  # stable: otherwise in order of appearance
    return out


def _key(item: HeadChange | ClauseChange) -> object:
    """What makes two copies' changes the same change: the texts, not the clause objects
    (which carry each council's evidence phrases)."""
    if isinstance(item, HeadChange):
        return item
    whole = (item.new or item.old).blocks if item.kind in ("added", "removed") else ()
    return (item.kind, item.id, item.old.heading if item.old else None,
            item.new.heading if item.new else None, item.heading, item.blocks, whole)


def compare_versions(old: str, new: str | None, templates: Path
                     ) -> tuple[Comparison, dict[str, str], ReadBack | None]:
    """`samdok diff OLD [NEW]`: the comparison, the words it is told in, and the new version
    as read back when it is a .docx (the redline is written onto it).

    OLD and NEW are case files, .docx files or FILE@REV; without NEW, FILE@REV is compared
    with the working copy, and FILE with itself at HEAD."""
    if new is None:
        path, revision = split(old)
        old, new = (f"{old}@HEAD", old) if revision is None else (old, str(path))
    # A .docx is one document: the case on the other side is compared as that same document
    # (its kind, and the council's copy of the same file name).
    old_path, new_path = split(old)[0], split(new)[0]
    if new_path.suffix.lower() == ".docx" and old_path.suffix.lower() != ".docx":
        after, read_back, new_documents = load(new, templates)
        before, _, old_documents = load(old, templates, after.document.kind, new_path.stem)
    else:
        before, _, old_documents = load(old, templates)
        stem = old_path.stem if old_path.suffix.lower() == ".docx" else before.document.file_stem
        after, read_back, new_documents = load(new, templates, before.document.kind, stem)
    words = labels(after, templates)
    comparison = compare(before, after, words)
    # Two case files: every other document they build too (each council's submission).
    if old_documents and new_documents:
        comparison.documents = compare_documents(old_documents, new_documents,
                                                 before.document.kind, old, new)
    return comparison, words, read_back
