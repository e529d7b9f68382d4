"""The document model: ordered, numbered clauses with stable ids. Imports nothing downstream."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of running text."""

    text: str
    kind: str = "avsnitt"


@dataclass(frozen=True)
class SubHeading:
    """A labelled heading inside a clause ("A. Dagens samarbeidsområder")."""

    text: str
    label: str = ""
    kind: str = "underoverskrift"


@dataclass(frozen=True)
class Item:
    """One item of a list, with its label ("i.", "ii.", or "•")."""

    text: str
    label: str
    kind: str = "punkt"
    # A numbered sub-point's id ("+ [budsjett] …"), which a cross-reference [[budsjett]]
    # names; "" for any other item.
    anchor: str = ""


@dataclass(frozen=True)
class Table:
    """A table: header row, body rows and an optional total row, all as formatted text."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total: tuple[str, ...] | None = None
    caption: str = ""
    kind: str = "tabell"

    @property
    def all_rows(self) -> list[tuple[str, ...]]:
        """Header, body rows and the total row (when there is one), in order."""
        return [self.header, *self.rows] + ([self.total] if self.total else [])


Block = Paragraph | SubHeading | Item | Table


@dataclass(frozen=True)
class Clause:
    """A numbered section of a document, identified by a stable id that survives renumbering.

    `evidence` lists the phrases a reader of the finished document must find in this clause's
    text (formatted dates, party names, the cost key): the verifier checks them in the PDF.
    """

    id: str
    number: int
    heading: str
    blocks: tuple[Block, ...]
    evidence: tuple[str, ...] = ()
    numbered: bool = True  # agreements number their clauses; a case submission does not

    @property
    def numbered_heading(self) -> str:
        """The heading as printed: "3. Formål", or just "Sammendrag"."""
        return f"{self.number}. {self.heading}" if self.numbered else self.heading


@dataclass(frozen=True)
class Signatory:
    """One party's signature block."""

    party: str  # "Røros kommune"
    name: str
    title: str


@dataclass(frozen=True)
class Document:
    """One document to build (e.g. the cooperation agreement of one case)."""

    kind: str  # "samarbeidsavtale"
    case_id: str
    title: str
    subtitle: str
    language: str  # "nb" | "nn"
    clauses: tuple[Clause, ...]
    signatories: tuple[Signatory, ...] = ()
    place_and_date: str = ""
    # The agreed place and date of signing, each formatted, "" when the case leaves it open:
    # the signature page prints lines to fill in only for what is not agreed.
    signing_place: str = ""
    signing_date: str = ""
    draft_label: str = ""  # "Utkast 3" while a draft, "" when final
    labels: dict[str, str] = field(default_factory=dict)  # fixed words of the template language
    stem: str = ""  # output file name without suffix; default: the kind
    # Formatted values for the document's head, e.g. a submission's municipality, archive
    # case number, case officer, date and route.
    header: dict[str, object] = field(default_factory=dict)
    attachments: tuple[Document, ...] = ()  # documents printed after this one (the agreement)
    # Set by the build, not by compose: they depend on git and the build date, not the case.
    draft_stamp: str = ""  # "Utkast 3 · 23.11.2026 · a1b2c3d" on every page; "" when final
    watermark: str = ""  # "UTKAST" diagonally behind every page; "" when final
    # What a cross-reference [[id]] prints for each id of this document (clause numbers and
    # sub-point labels), so a document it is attached to can refer to it.
    anchors: dict[str, str] = field(default_factory=dict)

    @property
    def file_stem(self) -> str:
        return self.stem or self.kind

    def clause(self, clause_id: str) -> Clause | None:
        return next((c for c in self.clauses if c.id == clause_id), None)
