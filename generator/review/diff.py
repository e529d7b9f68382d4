"""Two versions compared: clauses by stable id, words inside a clause, and the case's data."""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass, field

from ..compose.document import Clause, Document, Item, SubHeading, Table

# Digits grouped by thousands, as Norwegian writes them ("2 099 240", with a space, a no-break
# space or a thin space between the groups, and a decimal part "1 234,5"): one token, so a
# changed amount is replaced as a whole ("kr [-2 099 240-]{+2 506 057+}"), never inside.
NUMBER = r"(?<!\w)\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?:,\d+)?(?!\w)"
# A whole number, a word (numbers keep their inner "," "." ":": "41,0", "01.01.2024"), a
# punctuation mark, or the space between words.
TOKEN = re.compile(NUMBER + r"|\s+|\w+(?:[.,:/-]\w+)*|[^\w\s]")


def squash(text: str) -> str:
    """Runs of spaces, tabs and line breaks as one space; no-break and thin spaces stay, as
    the document has them ("kr\u00a0800\u00a0000"), so a redline keeps them too."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


@dataclass(frozen=True)
class Facts:
    """What a case means, as a reviewer would say it: the values data-level changes compare.

    From a case file all fields are known; a .docx read back gives only what its cost table
    shows (parties and their shares), and None elsewhere (then that field is not compared).
    """

    parties: tuple[str, ...] | None = None
    cost_key: str | None = None
    cost_key_text: str | None = None  # the key's sentence in the economy clause
    # The key's own terms, as the case file names them: grunnandel, grunnbeløp, enhet.
    key_terms: dict[str, str] = field(default_factory=dict)
    commencement: str | None = None  # "1. januar 2027"
    notice: str | None = None  # "12 måneder"
    costs: dict[str, dict[str, str]] = field(default_factory=dict)  # party -> column -> value
    # The document's head, field by field as printed ("Arkivsak" -> "2026/1184"): its title,
    # a council's numbers, officer, date and meetings, the signatories. None when not known
    # (a .docx read back): then it is not compared.
    head: tuple[tuple[str, str], ...] | None = None


@dataclass(frozen=True)
class Version:
    """One side of a comparison: a label for people, its document model and its facts."""

    label: str
    document: Document
    facts: Facts


@dataclass(frozen=True)
class Words:
    """A run of text inside a changed block: "=" unchanged, "-" deleted, "+" inserted."""

    op: str
    text: str


@dataclass(frozen=True)
class BlockChange:
    """One block of a clause that is not the same in both versions."""

    op: str  # "insert" | "delete" | "replace"
    kind: str  # the block kind: avsnitt, punkt, underoverskrift, tabell
    old: object = None  # the old Block (None for an insert)
    new: object = None  # the new Block (None for a delete)
    words: tuple[Words, ...] = ()  # for a replaced text block


@dataclass(frozen=True)
class ClauseChange:
    """A clause added, removed, moved or changed, with its block and word changes."""

    kind: str  # "added" | "removed" | "moved" | "changed"
    id: str
    old: Clause | None
    new: Clause | None
    heading: tuple[Words, ...] = ()  # word changes in the heading (numbers never count)
    blocks: tuple[BlockChange, ...] = ()
    explained_by: tuple[str, ...] = ()  # data topics whose new values account for all of it


@dataclass(frozen=True)
class HeadChange:
    """A field of a document's head that differs ("Arkivsak: 2026/1184 → 2026/1185"); None for
    a field only one version has."""

    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class DataChange:
    """A change in what the case says, in plain words ("kostnadsnøkkel: likt → folketall")."""

    topic: str  # "parter" | "økonomi" | "ikrafttredelse" | "uttreden"
    lines: tuple[str, ...]
    fields: tuple[tuple[str, str | None, str | None], ...]  # (field, old, new)
    replacements: tuple[tuple[str, str], ...] = ()  # old text -> new text it causes
    tables: bool = False  # whether it accounts for changes in the cost table


@dataclass
class Comparison:
    """Everything that differs between two versions."""

    old: Version
    new: Version
    clauses: list[ClauseChange]  # in reading order: new version's order, removed at old place
    data: list[DataChange]
    renumbered: list[tuple[str, int, int]]  # (id, old number, new number), order unchanged
    head: list[HeadChange] = field(default_factory=list)
    # The case's other documents (a joint submission's council copies), set by case_diff.
    documents: list = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.clauses or self.data or self.renumbered or self.head
                    or any(not d.empty for d in self.documents))

    def explained(self, topic: str) -> list[ClauseChange]:
        return [c for c in self.clauses if topic in c.explained_by]

    def unexplained(self) -> list[ClauseChange]:
        return [c for c in self.clauses if not c.explained_by]


def compare(old: Version, new: Version, labels: dict[str, str]) -> Comparison:
    """Compare two versions clause by clause by id; renumbering alone is not a change."""
    before = {c.id: c for c in old.document.clauses}
    after = {c.id: c for c in new.document.clauses}
    common_old = [c.id for c in old.document.clauses if c.id in after]
    common_new = [c.id for c in new.document.clauses if c.id in before]
    in_order = set()
    matcher = difflib.SequenceMatcher(None, common_old, common_new, autojunk=False)
    for block in matcher.get_matching_blocks():
        in_order.update(common_old[block.a:block.a + block.size])

    data = data_changes(old.facts, new.facts, labels)
    changes: dict[str, ClauseChange] = {}
    renumbered = []
    for clause in new.document.clauses:
        previous = before.get(clause.id)
        if previous is None:
            changes[clause.id] = ClauseChange("added", clause.id, None, clause)
            continue
        heading = words(previous.heading, clause.heading) \
            if previous.heading != clause.heading else ()
        blocks = block_changes(renumbered_points(previous, clause.number), clause)
        moved = clause.id not in in_order
        if moved or heading or blocks:
            explained = () if moved or heading else _explained_by(
                renumbered_points(previous, clause.number), clause, data)
            changes[clause.id] = ClauseChange("moved" if moved else "changed", clause.id,
                                              previous, clause, heading, tuple(blocks),
                                              explained)
        if (not moved and previous.number != clause.number and previous.numbered
                and clause.numbered):
            renumbered.append((clause.id, previous.number, clause.number))

    # Removed clauses stand where they were: after the clause that preceded them in the old
    # version (or first).
    ordered: list[ClauseChange] = []
    removed_after: dict[str | None, list[ClauseChange]] = {}
    last = None
    for clause in old.document.clauses:
        if clause.id not in after:
            removed_after.setdefault(last, []).append(
                ClauseChange("removed", clause.id, clause, None))
        else:
            last = clause.id
    ordered += removed_after.get(None, [])
    for clause in new.document.clauses:
        if clause.id in changes:
            ordered.append(changes[clause.id])
        ordered += removed_after.get(clause.id, [])
    return Comparison(old, new, ordered, data, renumbered, head_changes(old.facts, new.facts))


def head_changes(old: Facts, new: Facts) -> list[HeadChange]:
    """The head fields that differ, in the new version's order, then those it no longer has."""
    if old.head is None or new.head is None:
        return []
    before, after = dict(old.head), dict(new.head)
    out = [HeadChange(name, before.get(name), value) for name, value in new.head
           if before.get(name) != value]
    out += [HeadChange(name, value, None) for name, value in old.head if name not in after]
    return out


def renumbered_points(clause: Clause, number: int) -> Clause:
    """The clause with its sub-points labelled after `number` (3.1 -> 4.1 for a clause now
    numbered 4): a sub-point renumbered with its clause is not a change, as the heading's
    number is not."""
    if clause.number == number or not clause.numbered:
        return clause
    prefix = f"{clause.number}."
    blocks = tuple(
        dataclasses.replace(block, label=f"{number}.{block.label[len(prefix):]}")
        if isinstance(block, Item) and block.label.startswith(prefix)
        and block.label[len(prefix):].isdigit() else block
        for block in clause.blocks)
    return dataclasses.replace(clause, blocks=blocks)


def units(clause: Clause) -> list[tuple[str, object]]:
    """A clause's blocks as comparable (kind, content) pairs: labels and text joined, tables as
    their rows."""
    out: list[tuple[str, object]] = []
    for block in clause.blocks:
        if isinstance(block, Table):
            out.append((block.kind, (block.header, block.rows, block.total)))
        elif isinstance(block, SubHeading | Item):
            out.append((block.kind, squash(f"{block.label} {block.text}")))
        else:
            out.append((block.kind, squash(block.text)))
    return out


def align(old: Clause, new: Clause) -> list[tuple[str, int | None, int]]:
    """The two clauses' blocks side by side: (op, old index, new index) for op "equal",
    "replace" or "insert"; for "delete" the new index is where the deleted block stood
    (before the new block with that index)."""
    a, b = units(old), units(new)
    out: list[tuple[str, int | None, int]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += [("equal", i, j) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
            continue
        olds, news = list(range(i1, i2)), list(range(j1, j2))
        while olds and news and a[olds[0]][0] == b[news[0]][0]:
            out.append(("replace", olds.pop(0), news.pop(0)))
        at = news[0] if news else j2
        out += [("delete", i, at) for i in olds]
        out += [("insert", None, j) for j in news]
    return out


def block_changes(old: Clause, new: Clause) -> list[BlockChange]:
    """The blocks that differ, aligned in order; a replaced text block gets its word changes."""
    a, b = units(old), units(new)
    out: list[BlockChange] = []
    for op, i, j in align(old, new):
        if op == "replace":
            kind = a[i][0]
            change = () if kind == "tabell" else words(str(a[i][1]), str(b[j][1]))
            out.append(BlockChange("replace", kind, old.blocks[i], new.blocks[j], change))
        elif op == "delete":
            out.append(BlockChange("delete", a[i][0], old.blocks[i], None))
        elif op == "insert":
            out.append(BlockChange("insert", b[j][0], None, new.blocks[j]))
    return out


def words(old: str, new: str) -> tuple[Words, ...]:
    """Word-level changes from old to new text. A change spans whole words, and the space or
    lone punctuation between two changed words belongs to the change, so "a b" -> "x y" is one
    change, not two."""
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    regions: list[list] = []  # ["=", text] or ["~", deleted, inserted]
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            regions.append(["=", "".join(a[i1:i2])])
        else:
            regions.append(["~", "".join(a[i1:i2]), "".join(b[j1:j2])])
    merged: list[list] = []
    for index, region in enumerate(regions):
        # Spaces or a lone punctuation mark between two changes join them into one.
        between = (region[0] == "=" and len(region[1].strip()) <= 1
                   and not re.search(r"\w", region[1]) and 0 < index < len(regions) - 1
                   and regions[index + 1][0] == "~")
        if between and merged and merged[-1][0] == "~":
            merged[-1][1] += region[1]
            merged[-1][2] += region[1]
        elif region[0] == "~" and merged and merged[-1][0] == "~":
            merged[-1][1] += region[1]
            merged[-1][2] += region[2]
        else:
            merged.append(list(region))
    out = []
    for region in merged:
        if region[0] == "=":
            out.append(Words("=", region[1]))
            continue
        if region[1]:
            out.append(Words("-", region[1]))
        if region[2]:
            out.append(Words("+", region[2]))
    return tuple(out)


def data_changes(old: Facts, new: Facts, labels: dict[str, str]) -> list[DataChange]:
    """Changes in the case's meaning, grouped by topic, in the reviewers' words."""
    out = []
    if old.parties is not None and new.parties is not None:
        lines, fields = [], []
        for name in new.parties:
            if name not in old.parties:
                lines.append(f"{labels['endring_ny_part']}: {name}")
                fields.append(("part", None, name))
        for name in old.parties:
            if name not in new.parties:
                lines.append(f"{labels['endring_part_fjernet']}: {name}")
                fields.append(("part", name, None))
        if lines:
            out.append(DataChange("parter", tuple(lines), tuple(fields)))

    lines, fields, replacements = [], [], []
    if _differ(old.cost_key, new.cost_key):
        lines.append(f"{labels['endring_kostnadsnøkkel']}: {old.cost_key} → {new.cost_key}")
        fields.append(("kostnadsnøkkel", old.cost_key, new.cost_key))
    if old.cost_key is not None and new.cost_key is not None:
        # A term of the key (its base share, base amount, unit) is a change of the key too.
        for term in dict.fromkeys([*old.key_terms, *new.key_terms]):
            a, b = old.key_terms.get(term), new.key_terms.get(term)
            if a != b:
                lines.append(f"{term}: {a or '–'} → {b or '–'}")
                fields.append((term, a, b))
    if _differ(old.cost_key_text, new.cost_key_text):
        replacements.append((old.cost_key_text, new.cost_key_text))
    for party, values in new.costs.items():
        before = old.costs.get(party)
        if before is None:
            # A new party's share and amounts: what it is asked to pay is part of the change.
            if old.costs:
                lines.append(f"{party} ({labels['endring_ny_part']}): " + "; ".join(
                    f"{_column(column)}: {value}" for column, value in values.items()))
                fields += [(f"{party}: {column}", None, value)
                           for column, value in values.items()]
            continue
        # Each value with its column ("budsjett 2027"): two budget years are not confused.
        pairs = [(column, before[column], value) for column, value in values.items()
                 if column in before and before[column] != value]
        if pairs:
            lines.append(f"{party}: " + "; ".join(f"{_column(column)}: {a} → {b}"
                                                   for column, a, b in pairs))
            fields += [(f"{party}: {column}", a, b) for column, a, b in pairs]
    for party, values in old.costs.items():
        if party not in new.costs and new.costs:
            lines.append(f"{party} ({labels['endring_part_fjernet']}): " + "; ".join(
                f"{_column(column)}: {value}" for column, value in values.items()))
            fields += [(f"{party}: {column}", value, None) for column, value in values.items()]
    if lines or old.costs != new.costs:
        out.append(DataChange("økonomi", tuple(lines), tuple(fields), tuple(replacements),
                              tables=True))

    for topic, label, a, b in (("ikrafttredelse", "endring_ikrafttredelse", old.commencement,
                                new.commencement),
                               ("uttreden", "endring_oppsigelsestid", old.notice, new.notice)):
        if _differ(a, b):
            out.append(DataChange(topic, (f"{labels[label]}: {a} → {b}",),
                                  ((labels[label], a, b),), ((a, b),)))
    return out


def _column(heading: str) -> str:
    """A column heading inside a sentence: "Budsjett 2027" -> "budsjett 2027"."""
    return heading[:1].lower() + heading[1:]


def _differ(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a != b


def _explained_by(old: Clause, new: Clause, data: list[DataChange]) -> tuple[str, ...]:
    """The data topics that account for every difference in a clause, if together they do:
    their new values put into the old clause's text give the new text, and any change to a
    table is a change in the costs."""
    if not data:
        return ()
    tables = any(change.tables for change in data)
    used: set[str] = set()

    def rewrite(kind: str, content: object) -> object:
        if kind == "tabell":
            return None if tables else content
        text = str(content)
        for change in data:
            for a, b in change.replacements:
                if a and a in text:
                    text = text.replace(a, b)
                    used.add(change.topic)
        return text

    a = [(kind, rewrite(kind, content)) for kind, content in units(old)]
    b = [(kind, None if kind == "tabell" and tables else content) for kind, content in units(new)]
    if a != b:
        return ()
    if tables and _tables(old) != _tables(new):
        used.update(change.topic for change in data if change.tables)
    return tuple(change.topic for change in data if change.topic in used)


def _tables(clause: Clause) -> list[object]:
    return [content for kind, content in units(clause) if kind == "tabell"]
